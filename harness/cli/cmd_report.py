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
    p.add_argument("--junit", metavar="FILE", help="also write a JUnit XML file with a test case per claim")
    p.add_argument("--redact", action="store_true",
                   help="mask device identifiers and canaries (stable pseudonyms) in the HTML and JUnit, for sharing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.report.html import load_findings, write_report
    from harness.report.junit import write_junit
    from harness.report.redact import redactor_for

    redactor = redactor_for(load_findings(args.run_dir), env.home) if args.redact else None
    env.out(f"wrote {write_report(args.run_dir, args.output, redactor)}")
    if args.junit:
        env.out(f"wrote {write_junit(load_findings(args.run_dir), args.junit, redactor)}")
    return int(ExitStatus.OK)
