"""``harness report FOLDER``: regenerate ``findings.json`` and render it as ``report.html`` (and
``junit.xml`` with ``--junit``).

FOLDER is one of (harness.report.folders):

- a session folder ``OUT/<session id>/`` of ``harness run`` or the pytest plugin: each lab folder
  ``<worker>/<module>/`` is analysed again, the session's ``findings.json`` merged again from them
  (its run id the session id), and the session rendered;
- a lab or run folder (one holding ``store.sqlite``): analysed again with its claims
  (``claims.jsonl``) and kept extras (:func:`harness.report.document.build_findings`): the same run
  gives byte-identical ``findings.json``;
- any other folder holding only a ``findings.json``: rendered as it is.

Anything else (a worker folder ``<session>/gw0``, a folder of sessions) is one line naming what was
expected, exit 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report", help="regenerate findings.json from a run's store and write report.html (and junit.xml)",
        description="Analyse FOLDER again (its store, claims.jsonl and kept extras) into findings.json, then "
                    "render it with the run's flows as one offline HTML page (inline SVG charts, print "
                    "stylesheet). FOLDER is a session folder (OUT/<session id>, what `harness run` prints: every "
                    "lab is analysed again and the session's findings.json merged again), a lab folder "
                    "(OUT/<session id>/<worker>/<module>) or a run of `harness demo` / `harness record`; a folder "
                    "with only a findings.json is rendered as it is.")
    p.add_argument("run_dir", metavar="FOLDER",
                   help="a session folder (OUT/<session id>), a lab or run folder (holding store.sqlite), or a "
                        "folder holding findings.json")
    p.add_argument("-o", "--output", metavar="FILE", help="HTML path (default: FOLDER/report.html)")
    p.add_argument("--junit", metavar="FILE", nargs="?", const="",
                   help="also write JUnit XML with a test case per claim (default FILE: FOLDER/junit.xml)")
    p.add_argument("--redact", action="store_true",
                   help="mask device identifiers and canaries (stable pseudonyms) in the HTML and JUnit, for sharing")
    p.add_argument("--no-regenerate", action="store_true",
                   help="render the existing findings.json without analysing the run again")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.fsutil import check_output_file
    from harness.report.document import build_findings, write_findings
    from harness.report.folders import folder_kind, lab_folders
    from harness.report.html import load_findings, write_report
    from harness.report.junit import write_junit
    from harness.report.redact import redactor_for
    from harness.scenario.plugin_findings import merge_session

    run_dir = Path(args.run_dir)
    for option, value in (("-o", args.output), ("--junit", args.junit)):
        if value:  # before the run is analysed again: a bad output path costs nothing
            check_output_file(value, option)
    kind = folder_kind(run_dir, findings_only=True)
    if not args.no_regenerate and kind == "run":
        _check_claims_kept(run_dir)
        env.out(f"wrote {write_findings(run_dir, build_findings(run_dir, home=env.home))}")
    elif not args.no_regenerate and kind == "session" and lab_folders(run_dir):
        labs = lab_folders(run_dir)
        for lab in labs:
            _check_claims_kept(lab)
        for lab in labs:
            write_findings(lab, build_findings(lab, home=env.home))
        env.out(f"wrote {merge_session(run_dir)} (from {len(labs)} lab(s))")
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
                         fix="render it as it is with `harness report FOLDER --no-regenerate`")
