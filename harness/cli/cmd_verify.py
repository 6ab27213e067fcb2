"""``harness verify BUNDLE [--manifest-sha256 HEX]``: check an evidence bundle against its manifest.

Exit 0 when every file matches, 1 when one changed, is missing or was added (or the archive is
damaged), 2 when the input is not a bundle or ``--manifest-sha256`` is not 64 hex digits. Members
are named as the zip names them (``run/findings.json``).
"""

from __future__ import annotations

import argparse

from harness.cli.argtypes import sha256_hex
from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("verify", help="check an evidence bundle and name any file that changed",
                              description="Check every file of a bundle made by `harness bundle` against its "
                                          "SHA-256 manifest. Exit 0 intact, 1 changed or damaged, 2 not a bundle.")
    p.add_argument("bundle", metavar="BUNDLE", help="a zip made by `harness bundle`")
    p.add_argument("--manifest-sha256", metavar="HEX", type=sha256_hex,
                   help="the manifest hash received separately (64 hex digits); also checks the manifest was "
                        "not replaced")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.report.bundle import verify_bundle

    result = verify_bundle(args.bundle)
    problems: list[str] = []
    if result.damaged:
        problems.append(f"damaged: {result.damaged}")
    problems += [f"changed: {name}" for name in result.changed]
    problems += [f"missing: {name}" for name in result.missing]
    problems += [f"unexpected: {name}" for name in result.unexpected]
    expected = args.manifest_sha256  # 64 lower-case hex digits (harness.cli.argtypes.sha256_hex) or None
    if expected and result.manifest_sha256 != expected:
        problems.append(f"manifest: SHA-256 {result.manifest_sha256} is not the {expected} given")
    for line in problems:
        env.out(line)
    if problems:
        env.out(f"{result.bundle}: NOT intact ({len(problems)} problem(s))")
        return int(ExitStatus.FINDING)
    env.out(f"{result.bundle}: intact, {result.checked} files of run {result.run_id} match the manifest "
            f"(SHA-256 {result.manifest_sha256})")
    return int(ExitStatus.OK)
