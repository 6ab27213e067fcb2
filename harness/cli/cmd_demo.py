"""``harness demo [--world compliant|ncsc-2021|list-not-enforced|FILE] [--out RUN_DIR] [--json]``: the
claim packs (harness.packs: ncsc_2021, vendor_claims) on a virtual handset end to end (what ``make demo`` runs).

Exit 0 when the demo ran, whatever it found; 2 on an error; 130 when stopped by SIGINT, SIGTERM or
SIGHUP (the partial run is kept, marked incomplete, and its folder is named; the device is restored
and no Frida helper is left)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.cli.argtypes import seconds
from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.scenario.spec import DEFAULT_WORLD


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="run the virtual handset end to end (world, proxy, adb, Frida, analysis)",
        description="Start the virtual vendor world and a virtual Xiaomi-like handset, run the claim packs "
                    "(harness.packs: ncsc_2021, vendor_claims) through the proxy with Frida attached, restore the handset, analyse "
                    "the run, write findings.json and print each claim's verdict and the world's ground truth. "
                    "Exit 130 when stopped by a signal (the partial run is kept, marked incomplete).")
    p.add_argument("--world", default=DEFAULT_WORLD, metavar="compliant|ncsc-2021|list-not-enforced|FILE",
                   help=f"bundled world name or a world YAML file (default: {DEFAULT_WORLD})")
    p.add_argument("--out", type=Path, metavar="RUN_DIR", help="run directory (default: HARNESS_HOME/runs/<id>)")
    p.add_argument("--json", action="store_true",
                   help="print the findings document as JSON on stdout (progress goes to stderr)")
    p.add_argument("--timeout", type=seconds, default=30.0, metavar="SECONDS",
                   help="bound of each wait for the app or the network (default: 30)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.demo import DemoOptions, run_demo
    from harness.demo.runner import run_status
    from harness.demo.summary import summary_lines
    from harness.errors import UsageError
    from harness.scenario.signals import EXIT_INTERRUPTED

    if args.timeout <= 0:
        raise UsageError(f"--timeout must be positive, got {args.timeout:g}", fix="e.g. --timeout 30")
    emit = env.err if args.json else env.out
    result = run_demo(env.home, DemoOptions(world=args.world, out=args.out, timeout=args.timeout), emit)
    if result.interrupted is not None:
        env.err(f"harness: interrupted by {result.interrupted}; the partial run is in {result.run_dir} "
                f"(marked {run_status(result.run_dir)}); device "
                + ("restored" if result.restore_ok else f"NOT restored: run `harness restore --device {result.serial}`"))
        return EXIT_INTERRUPTED
    if result.error is not None:
        env.err(f"harness: error: {one_line(result.error)} (recorded so far: {result.run_dir}, "
                f"run {run_status(result.run_dir)})")
        return int(ExitStatus.ERROR)
    assert result.document is not None
    if not result.restore_ok:
        env.err(f"harness: error: [{result.serial}] the handset was not fully restored after the demo "
                f"(fix: `harness restore --device {result.serial}`; run saved in {result.run_dir})")
        return int(ExitStatus.ERROR)
    if args.json:
        env.out(json.dumps(result.document, indent=2, ensure_ascii=False, default=str))
    else:
        for line in summary_lines(result.document):
            env.out(line)
        env.out(f"demo finished in {result.elapsed:.1f}s")
    return int(ExitStatus.OK)


def one_line(error: Exception) -> str:
    """An error as one line: a multi-line reason (an agent's JavaScript stack) keeps its first line."""
    text = str(error)
    if "\n" not in text:
        return text
    fix = getattr(error, "fix", None)
    return text.splitlines()[0].rstrip() + (f" (fix: {fix})" if fix else "")
