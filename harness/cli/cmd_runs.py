"""``harness runs [DIR] [--wide] [--json]``: the run directories under DIR (default
HARNESS_HOME/runs, where ``harness run`` and ``harness demo`` write), newest first: status
(complete / incomplete / recording), device, target, packs, findings by kind and when.

The table fits the width it is shown in: a terminal's width (``COLUMNS`` or the terminal's size, as
``rich`` reads them), else ``COLUMNS``, else 80 columns. Columns that do not fit are left out by
priority (:data:`PRIORITY`: run, status, claims, target and when stay at 80 columns; packs go
first) and named under the table; the rest wrap at spaces (the run's name never). ``--wide`` shows every column at any width (a log 200 columns wide), ``--json``
every field. Exit 0; 2 when DIR is not a folder."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.errors import UsageError
from harness.parsing import quote

#: the columns, most wanted first: the last ones are left out first when the table does not fit
PRIORITY = ("run", "status", "claims", "target", "when (UTC)", "findings", "device", "packs")
#: the width of plain output when COLUMNS does not say (a classic terminal)
PLAIN_COLUMNS = 80


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("runs", help="list run directories (status, device, target, packs, findings), newest first",
                       description="List the run directories under DIR (default: HARNESS_HOME/runs), newest first, "
                                   "with their status, device, target, packs, findings by kind and start time. The "
                                   "table fits the terminal (COLUMNS, else 80 columns when not a terminal): columns "
                                   "that do not fit are left out, packs and device first; --wide shows them all.")
    p.add_argument("dir", nargs="?", type=Path, default=None, metavar="DIR",
                   help="folder holding run directories, or one run directory")
    p.add_argument("--wide", action="store_true", help="every column, whatever the width")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts)) if ts else "-"


def width_of(env: Env, terminal_width: int) -> int:
    """The width the table must fit: a terminal's (rich reads COLUMNS and the terminal size),
    else ``COLUMNS``, else :data:`PLAIN_COLUMNS`."""
    if bool(getattr(env.stdout, "isatty", lambda: False)()):
        return terminal_width
    try:
        return max(40, int(env.environ.get("COLUMNS", "")))
    except ValueError:
        return PLAIN_COLUMNS


def fit_table(rows: list[dict[str, str]], columns: list[str], width: int, console: Any, *, terminal: bool,
              title: str) -> tuple[Any, list[str]]:
    """The rich Table of ``rows`` with the columns of ``columns`` that fit ``width`` (dropped from
    the end of :data:`PRIORITY`, never below run and status), and the names left out."""
    from rich import box
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

    shown = list(columns)
    while True:
        # a long folder name in the title is folded at the width, not let overflow it
        table = Table(box=box.SIMPLE if terminal else box.ASCII, title=Text(title, overflow="fold"),
                      title_justify="left")
        for column in shown:
            table.add_column(column, no_wrap=column in ("run", "status"))  # the others wrap at spaces
        for row in rows:
            table.add_row(*(row[c] for c in shown))
        needed = Measurement.get(console, console.options.update_width(10_000), table).minimum
        if needed <= width or len(shown) <= 2:
            return table, [c for c in columns if c not in shown]
        shown.remove(min(shown, key=lambda c: -PRIORITY.index(c)))


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.cli.run_display import PLAIN_WIDTH, console_for
    from harness.scenario.run_list import list_runs
    from harness.scenario.run_results import findings_text

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
    width = PLAIN_WIDTH if args.wide and not console.is_terminal else width_of(env, console.width)
    console.width = max(console.width, width) if args.wide else width
    rows = [{"run": info.path.name, "status": info.status,
             "claims": ", ".join(f"{n} {v}" for v, n in sorted(info.verdicts.items())) or "-",
             "when (UTC)": _when(info.when), "target": info.target or "-",
             "findings": findings_text(dict(info.kinds)) or "-",
             "device": ", ".join(info.device) or "-", "packs": ", ".join(info.packs) or "-"} for info in runs]
    order = ["when (UTC)", "run", "status", "device", "target", "packs", "claims", "findings"]
    table, left_out = fit_table(rows, order, 10_000 if args.wide else width, console,
                                terminal=console.is_terminal, title=f"runs in {root}")
    console.print(table)
    if left_out:
        console.print(f"(to fit {width} columns, left out: {', '.join(left_out)}; --wide shows them)")
    return int(ExitStatus.OK)
