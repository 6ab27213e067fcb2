"""``harness report RUN_DIR [-o FILE]``: the run's findings as a self-contained HTML page."""

from __future__ import annotations

import argparse

from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report", help="write report.html: claims, destinations chart, keyword lists, timeline, evidence",
        description="Render RUN_DIR/findings.json with the run's flows as one offline HTML page "
                    "(inline SVG charts, print stylesheet).")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run directory holding findings.json")
    p.add_argument("-o", "--output", metavar="FILE", help="HTML path (default: RUN_DIR/report.html)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.report.html import write_report

    env.out(f"wrote {write_report(args.run_dir, args.output)}")
    return int(ExitStatus.OK)
