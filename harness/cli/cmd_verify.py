"""``harness verify BUNDLE [--manifest-sha256 HEX]``: check an evidence bundle against its manifest.

Exit 0 when every file matches and the bundled claim code is the code that ran; 1 when a file
changed, is missing or was added (or the archive is damaged): ``NOT intact``, and also when every
file matches but the manifest says its claim code is not (all) the code that ran: ``intact, but the
claim code is NOT the code that ran``, after a ``note:`` line per file (docs/reports.md, "Evidence
bundles": a reviewer reading ``code/`` must not take it for what decided the verdicts); 2 when the
input is not a bundle or ``--manifest-sha256`` is not 64 hex digits. Members are named as the zip
names them (``run/findings.json``).
"""

from __future__ import annotations

import argparse

from harness.cli.argtypes import sha256_hex
from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("verify", help="check an evidence bundle, name any file that changed and any "
                                             "claim code that is not the code that ran",
                              description="Check every file of a bundle made by `harness bundle` against its "
                                          "SHA-256 manifest and say whether its claim code is the code that ran. "
                                          "Exit 0 intact, 1 changed or damaged or claim code that did not run, "
                                          "2 not a bundle.")
    p.add_argument("bundle", metavar="BUNDLE", help="a zip made by `harness bundle`")
    p.add_argument("--manifest-sha256", metavar="HEX", type=sha256_hex,
                   help="the manifest hash received separately (64 hex digits); also checks the manifest was "
                        "not replaced")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.report.bundle import verify_bundle
    from harness.report.bundle_code import count_text

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
    for note in result.notes:
        env.out(f"note: {note}")
    if problems:
        env.out(f"{result.bundle}: NOT intact ({len(problems)} problem(s))")
        return int(ExitStatus.FINDING)
    files = f"{count_text(result.run_files, result.code_files)} of run {result.run_id} match the manifest " \
            f"(SHA-256 {result.manifest_sha256})"
    if result.notes:
        env.out(f"{result.bundle}: intact, but the claim code is NOT the code that ran ({len(result.notes)} "
                f"note(s) above): {files}")
        return int(ExitStatus.FINDING)
    env.out(f"{result.bundle}: intact, {files}")
    return int(ExitStatus.OK)
