"""``harness export RUN_DIR --format har|parquet|csv [-o FILE]``."""

from __future__ import annotations

import argparse

from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help="export a recorded run as HAR 1.2, Parquet or CSV",
                              description="Export the flows of a run directory.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run directory made by `harness record`")
    p.add_argument("--format", "-f", choices=("har", "parquet", "csv"), default="har",
                   help="output format (default: har)")
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: RUN_DIR/flows.FORMAT)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.capture.export import export

    out = export(args.run_dir, args.format, args.output)
    env.out(f"wrote {out}")
    return int(ExitStatus.OK)
