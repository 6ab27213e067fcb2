"""``harness runs [DIR] [--json]``: the run directories under DIR (default HARNESS_HOME/runs, where
``harness run`` and ``harness demo`` write), newest first: status (complete / incomplete /
recording), device, target, packs, findings by kind and when. Exit 0; 2 when DIR is not a folder."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.errors import UsageError
from harness.parsing import quote


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("runs", help="list run directories (status, device, target, packs, findings), newest first",
                       description="List the run directories under DIR (default: HARNESS_HOME/runs), newest first, "
                                   "with their status, device, target, packs, findings by kind and start time.")
    p.add_argument("dir", nargs="?", type=Path, default=None, metavar="DIR",
                   help="folder holding run directories, or one run directory")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(ts)) if ts else "-"


def run(args: argparse.Namespace, env: Env) -> int:
    from rich import box
    from rich.table import Table

    from harness.cli.run_display import console_for
    from harness.scenario.run_list import list_runs

    root = args.dir if args.dir is not None else env.home / "runs"
    if args.dir is not None and not root.is_dir():
        raise UsageError(f"{quote(str(root))} is not a folder", fix="give the folder of run directories "
                         "(default: HARNESS_HOME/runs) or one run directory")
    runs = list_runs(root)
    if args.json:
        env.out(json.dumps([{**vars(info), "path": str(info.path)} for info in runs], indent=2))
        return int(ExitStatus.OK)
    if not runs:
        env.out(f"no run directories in {root} (fix: `harness run PACK` or `harness demo` make one)")
        return int(ExitStatus.OK)
    console = console_for(env)
    table = Table(box=box.SIMPLE if console.is_terminal else box.ASCII, title=f"runs in {root}")
    for column in ("when (UTC)", "run", "status", "device", "target", "packs", "claims", "findings"):
        table.add_column(column, no_wrap=column in ("when (UTC)", "status"))
    for info in runs:
        claims = ", ".join(f"{n} {v}" for v, n in sorted(info.verdicts.items())) or "-"
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(info.kinds.items())) or "-"
        table.add_row(_when(info.when), info.path.name, info.status, ", ".join(info.device) or "-",
                      info.target or "-", ", ".join(info.packs) or "-", claims, kinds)
    console.print(table)
    return int(ExitStatus.OK)
