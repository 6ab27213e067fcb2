"""``harness report RUN_DIR``: regenerate the run's ``findings.json`` from its store and render it as
``report.html`` (and ``junit.xml`` with ``--junit``).

A run directory (one holding ``store.sqlite``) is analysed again with its claims
(``claims.jsonl``) and kept extras (:func:`harness.report.document.build_findings`): the same run
gives byte-identical ``findings.json``. A folder holding only a ``findings.json`` (a merged session
document of the pytest plugin or ``harness run``) is rendered as it is.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report", help="regenerate findings.json from a run's store and write report.html (and junit.xml)",
        description="Analyse RUN_DIR again (its store, claims.jsonl and kept extras) into findings.json, then "
                    "render it with the run's flows as one offline HTML page (inline SVG charts, print "
                    "stylesheet). A folder with only a findings.json (a merged session) is rendered as it is.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run directory, or a folder holding findings.json")
    p.add_argument("-o", "--output", metavar="FILE", help="HTML path (default: RUN_DIR/report.html)")
    p.add_argument("--junit", metavar="FILE", nargs="?", const="",
                   help="also write JUnit XML with a test case per claim (default FILE: RUN_DIR/junit.xml)")
    p.add_argument("--redact", action="store_true",
                   help="mask device identifiers and canaries (stable pseudonyms) in the HTML and JUnit, for sharing")
    p.add_argument("--no-regenerate", action="store_true",
                   help="render the existing findings.json without analysing the run again")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.capture.store import DB_NAME
    from harness.report.document import build_findings, write_findings
    from harness.report.html import load_findings, write_report
    from harness.report.junit import write_junit
    from harness.report.redact import redactor_for

    run_dir = Path(args.run_dir)
    if not args.no_regenerate and (run_dir / DB_NAME).is_file():
        _check_claims_kept(run_dir)
        env.out(f"wrote {write_findings(run_dir, build_findings(run_dir, home=env.home))}")
    doc = load_findings(run_dir)
    redactor = redactor_for(doc, env.home) if args.redact else None
    env.out(f"wrote {write_report(run_dir, args.output, redactor)}")
    if args.junit is not None:
        env.out(f"wrote {write_junit(doc, args.junit or run_dir / 'junit.xml', redactor)}")
    return int(ExitStatus.OK)


def _check_claims_kept(run_dir: Path) -> None:
    """Refuse to rebuild a findings.json whose claims the run did not keep in claims.jsonl (one
    written before claims were saved): rebuilding would drop them."""
    import json

    from harness.errors import UsageError
    from harness.report.document import CLAIMS_FILE, FINDINGS_FILE

    try:
        old = json.loads((run_dir / FINDINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(old, dict) and old.get("claims") and not (run_dir / CLAIMS_FILE).is_file():
        raise UsageError(f"{run_dir / FINDINGS_FILE} has {len(old['claims'])} claim(s) the run did not keep in "
                         f"{CLAIMS_FILE} (written by an older harness); rebuilding would drop them",
                         fix="render it as it is with `harness report RUN_DIR --no-regenerate`")
