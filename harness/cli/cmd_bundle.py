"""``harness bundle RUN_DIR [-o FILE]``: seal a run into a zip with a SHA-256 manifest."""

from __future__ import annotations

import argparse

from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bundle", help="seal a run directory into an evidence zip with a SHA-256 manifest",
        description="Write every file of a run, its tool versions, agent and pack hashes and device facts "
                    "into one zip with a SHA-256 manifest; `harness verify` checks it.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a finished run directory")
    p.add_argument("-o", "--output", metavar="FILE", help="bundle path (default: RUN_DIR.evidence.zip beside the run)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.report.bundle import write_bundle

    bundle = write_bundle(args.run_dir, args.output)
    env.out(f"wrote {bundle.path} ({len(bundle.files)} files, run {bundle.run_id} {bundle.run_status})")
    env.out(f"manifest SHA-256 {bundle.manifest_sha256} (give it to the receiver separately)")
    for entry in bundle.skipped:
        env.err(f"harness: not bundled: {entry}")
    return int(ExitStatus.OK)
