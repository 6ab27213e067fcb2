"""``harness analyze PATH``: frames, geo, jurisdiction, PII, keyword lists and filtering verdicts.

Exit status: 1 if a finding of severity >= ``--fail-on`` exists; otherwise 2 if the input was
incomplete (absence of findings in partial data proves nothing), held no flows at all (a run or HAR
that recorded nothing) or on error; 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.cli.context import Env
from harness.cli.status import ExitStatus

if TYPE_CHECKING:
    from harness.analysis.pipeline import Analysis


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="analyse a run directory, a .mitm flow file or a HAR file",
        description="Build the analysis frames and findings for a recording and print a summary.",
    )
    p.add_argument("path", metavar="PATH", help="run directory, .mitm flow file or HAR file (.har, .zhar, gzipped)")
    p.add_argument("--facts", metavar="FACTS.json", help="device facts / known values (default: RUN_DIR/artifacts/facts.json)")
    p.add_argument("--policy", metavar="FILE", help="jurisdiction policy YAML (default: EU/EEA home, EU adequacy list)")
    p.add_argument("--geo-overrides", metavar="FILE", help="CIDR -> country table (YAML, JSON or CSV)")
    p.add_argument("--no-recorded-geo", action="store_true",
                   help="ignore geo override tables the run recorded (e.g. the virtual world's)")
    p.add_argument("--mmdb", metavar="FILE", help="MaxMind GeoIP2/GeoLite2 .mmdb database")
    p.add_argument("--no-iptocc", action="store_true",
                   help="do not look up registration countries (the embedded RIR data, a second opinion)")
    p.add_argument("--no-location-db", action="store_true",
                   help="do not use the embedded DB-IP Lite location data: registration countries only")
    p.add_argument("--out", metavar="DIR",
                   help="write frames as Parquet and findings.json (the findings contract) here (0700/0600)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--fail-on", default="medium", metavar="SEVERITY",
                   help="exit 1 if a finding has at least this severity (info, low, medium, high, critical)")
    p.add_argument("--lists-dir", metavar="DIR",
                   help="where keyword-list versions are kept across runs (default: HARNESS_HOME/lists)")
    p.add_argument("--no-list-store", action="store_true", help="do not store list versions")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    # imported here: every `harness` command builds this parser, and the analysis imports pandas
    from harness.analysis.facts import load_facts
    from harness.analysis.findings import Severity
    from harness.analysis.geo import GeoResolver, load_overrides, recorded_overrides
    from harness.analysis.pipeline import Options, analyze
    from harness.analysis.policy import load_policy
    from harness.analysis.summary import summary_dict, summary_text
    from harness.fsutil import private_dir
    from harness.report.document import write_findings

    threshold = Severity.parse(args.fail_on)
    overrides = load_overrides(args.geo_overrides) if args.geo_overrides else []
    if not args.no_recorded_geo:
        overrides += recorded_overrides(args.path)  # after the user's: the user's table wins
    geo = GeoResolver(overrides, args.mmdb, use_iptocc=not args.no_iptocc, location_db=not args.no_location_db)
    lists_dir = None if args.no_list_store else Path(args.lists_dir) if args.lists_dir else env.home / "lists"
    options = Options(
        facts=load_facts(args.facts) if args.facts else None,
        policy=load_policy(args.policy),
        geo=geo,
        lists_dir=lists_dir,
    )
    try:
        result = analyze(args.path, options)
    finally:
        geo.close()
    if args.out:
        out = private_dir(args.out)
        result.to_parquet(out)
        write_findings(out, _document(result, args))
    if args.json:
        env.out(json.dumps(summary_dict(result), indent=2, ensure_ascii=False))
    else:
        env.out(summary_text(result))
    if result.incomplete:
        env.err("harness: warning: input was incomplete; results are partial: " + "; ".join(result.problems)
                + " (fix: the readable records were analysed; re-export or repair the input to include the rest)")
    elif result.flows.empty:
        env.err(f"harness: warning: {args.path} holds no flows: nothing was recorded, and no findings in "
                "it prove nothing (fix: check the device's traffic went through the proxy, then record again)")
    if any(f.severity >= threshold for f in result.finding_list):
        return int(ExitStatus.FINDING)
    if result.incomplete or result.flows.empty:  # a capture that recorded nothing proves nothing
        return int(ExitStatus.ERROR)
    return int(ExitStatus.OK)


def _document(result: Analysis, args: argparse.Namespace) -> dict[str, Any]:
    """The findings document (harness.report.document): of the run, with its claims, for a run
    directory; of the file, with the ``--facts`` given, for a flow or HAR file."""
    from harness.analysis.facts import load_facts
    from harness.capture.store import DB_NAME, RunStore
    from harness.report.document import findings_document

    path = Path(args.path)
    if (path / DB_NAME).is_file():
        return findings_document(result, store=RunStore.open(path), run_dir=path)
    return findings_document(result, facts=load_facts(args.facts) if args.facts else None)
