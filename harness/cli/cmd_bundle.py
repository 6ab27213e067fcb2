"""``harness bundle FOLDER [-o FILE]``: seal a session or a run into a zip with a SHA-256 manifest.

FOLDER is a session folder ``OUT/<session id>/`` (every lab in it; the bundle's status is the
session's: complete, incomplete or interrupted) or a lab or run folder (one holding
``store.sqlite``); anything else is one line naming what was expected (harness.report.folders)."""

from __future__ import annotations

import argparse

from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "bundle", help="seal a run directory into an evidence zip with a SHA-256 manifest",
        description="Write every file of a session or a run, its tool versions, agent and pack hashes and "
                    "device facts into one zip with a SHA-256 manifest; `harness verify` checks it. FOLDER is a "
                    "session folder (OUT/<session id>, what `harness run` prints: every lab in it) or a lab or run "
                    "folder (OUT/<session id>/<worker>/<module>, a run of `harness demo` / `harness record`).")
    p.add_argument("run_dir", metavar="FOLDER",
                   help="a finished session folder (OUT/<session id>) or lab or run folder (holding store.sqlite)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="bundle path (default: FOLDER.evidence.zip beside the folder)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.fsutil import check_output_file
    from harness.report.bundle import write_bundle
    from harness.report.bundle_code import count_text

    if args.output is not None:
        check_output_file(args.output, "-o")
    bundle = write_bundle(args.run_dir, args.output)
    env.out(f"wrote {bundle.path} ({count_text(len(bundle.files), len(bundle.code))}, "
            f"run {bundle.run_id} {bundle.run_status})")
    env.out(f"manifest SHA-256 {bundle.manifest_sha256} (give it to the receiver separately)")
    for entry in bundle.skipped:
        env.err(f"harness: not bundled: {entry}")
    for note in bundle.warnings:
        env.err(f"harness: warning: {note}")
    return int(ExitStatus.OK)
