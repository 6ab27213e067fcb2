"""The analysis pipeline: stream a source once (:mod:`harness.analysis.scan`), then build the
frames (:mod:`harness.analysis.destinations`) and the findings (:mod:`harness.analysis.rules`).

Geo, jurisdiction and destinations are computed per distinct address, not per flow. After the
stream, every rule that reads all flows reads them one batch at a time from the memory-mapped flows
table (:mod:`harness.analysis.batches`), so peak RSS does not grow with the number of flows.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from harness.analysis import frames as F
from harness.analysis import rules
from harness.analysis.batches import FlowFrames, frames
from harness.analysis.coverage import coverage_gaps
from harness.analysis.cryptolink import link_ciphertexts
from harness.analysis.decode import DEFAULT_LIMITS, Limits
from harness.analysis.destinations import destination_key, destination_rows, destinations
from harness.analysis.facts import KnownValues, known_values_from_facts
from harness.analysis.filtering import Comparison
from harness.analysis.findings import Finding, Severity
from harness.analysis.geo import GeoResolver
from harness.analysis.loaders import Source, open_source
from harness.analysis.pinning import pinning_findings
from harness.analysis.policy import Policy
from harness.analysis.scan import FlowScanner


@dataclass
class Options:
    facts: dict[str, Any] | None = None
    policy: Policy = field(default_factory=Policy)
    geo: GeoResolver | None = None
    #: where list versions are kept across runs (None: no store, no cross-run diff)
    lists_dir: Path | None = None
    frame_body_cap: int = 64 * 1024
    limits: Limits = DEFAULT_LIMITS


@dataclass
class Analysis:
    source: str
    path: str
    incomplete: bool
    problems: list[str]
    flows: pd.DataFrame
    destinations: pd.DataFrame
    steps: pd.DataFrame
    agent_events: pd.DataFrame
    findings: pd.DataFrame
    pii_hits: pd.DataFrame
    lists: pd.DataFrame
    finding_list: list[Finding]
    comparisons: list[Comparison]
    known_values: int
    meta: dict[str, Any] = field(default_factory=dict)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in F.SCHEMAS}

    def to_parquet(self, out_dir: str | Path) -> dict[str, Path]:
        return F.write_parquet(self.frames(), out_dir)

    def max_severity(self) -> Severity | None:
        return max((f.severity for f in self.finding_list), default=None)


def analyze(path: str | Path | Source, options: Options | None = None) -> Analysis:
    """Analyse a run directory, a ``.mitm`` flow file or a HAR file (or an opened :class:`Source`).

    Raises :class:`harness.errors.AnalysisError` for input that is not a recording at all.
    """
    opts = options or Options()
    src = path if isinstance(path, Source) else open_source(path)
    facts = opts.facts if opts.facts is not None else src.facts
    origin = "device facts" if opts.facts is not None else f"device facts of {src.path}"
    known = known_values_from_facts(facts, origin) if facts else KnownValues()
    geo = opts.geo or GeoResolver()
    scan = FlowScanner(known, opts.limits, opts.frame_body_cap)
    for i, rec in enumerate(src.flows):
        scan.add_flow(rec, i)
    for msg in src.ws_messages:
        scan.add_ws(msg)
    for i, ev in enumerate(src.events):
        scan.add_event(ev, i)

    flows = scan.flows_frame()
    # the rules read the flows batch by batch, each batch's mapped pages released before the next
    # (harness.analysis.batches): what a stage holds is one batch, however many flows there are
    light = scan.batches()
    dest = destinations(light, geo, opts.policy, scan.message_bytes_by_destination())
    dest_of = {(_py(r["host"]) or "", _py(r["server_ip"]) or ""): {k: _py(r[k]) for k in rules.GEO_DETAILS}
               for r in dest.to_dict("records")}
    if not flows.empty:  # each flow's destination row, looked up on Arrow columns (no per-flow Python values)
        row_of = destination_rows(scan.batches(["server_host", "host", "server_ip"]),
                                  pa.array([destination_key(*k) for k in dest_of], pa.string()))
        for col in ("country", "jurisdiction"):
            per_dest = pa.array([d.get(col) for d in dest_of.values()], pa.string())
            flows[col] = pd.array(pc.take(per_dest, row_of), dtype=flows[col].dtype)
    links = link_ciphertexts(scan.event_objs, (pair for b in scan.batches(["id", "request_body"])
                                               for pair in zip(b["id"], b["request_body"], strict=True)))
    findings: list[Finding] = []
    hit_flows = {h.flow_id for h in scan.hits if h.flow_id} | {k.flow_id for k in links.values()}
    info = scan.flow_info(hit_flows)
    flow_hosts = {fid: (host, ip) for fid, (host, ip, _) in info.items()}
    undelivered = rules.undelivered_ids(scan.batches(["id", "kind", "reason", "error"]), hit_flows)
    plaintexts = {ev.id: ev.data for ev in scan.event_objs if ev.id in links}
    pii_rows, found = rules.pii_findings(scan.hits, flow_hosts, dest_of, links, undelivered, plaintexts)
    findings += found
    list_rows, found = rules.list_findings(scan.lists, opts.lists_dir, str(src.path))
    findings += found
    findings += pinning_findings(light)
    coverage, found = rules.coverage_findings(light, scan.event_objs)
    findings += found
    netwatch, gaps = coverage_gaps(light, scan.event_objs)  # harness.analysis.coverage
    findings += gaps
    if netwatch["events"]:
        coverage["netwatch"] = netwatch
    step_rows = _steps(src, light, scan.events)
    comparisons, found = rules.filtering_findings(light, step_rows, scan.event_objs, scan.lists)
    findings += found
    bounded = sum(int(b["decode_bounded"].sum()) for b in scan.batches(["decode_bounded"]))
    findings_rows = [{
        "kind": f.kind, "verdict": f.verdict, "severity": str(f.severity), "severity_level": int(f.severity),
        "rule": f.rule, "summary": f.summary, "step_id": f.step_id, "flow_ids": f.flow_ids,
        "event_ids": f.event_ids, "details": json.dumps(f.to_dict()["details"], ensure_ascii=False),
    } for f in findings]
    return Analysis(
        source=src.kind, path=str(src.path), incomplete=src.incomplete, problems=list(src.problems),
        flows=flows, destinations=dest, steps=F.frame(step_rows, F.STEPS),
        agent_events=F.frame(scan.events, F.AGENT_EVENTS), findings=F.frame(findings_rows, F.FINDINGS),
        pii_hits=F.frame(pii_rows, F.PII_HITS), lists=F.frame(list_rows, F.LISTS), finding_list=findings,
        comparisons=comparisons, known_values=len(known),
        meta={"coverage": coverage, "source_meta": src.meta, "policy": opts.policy.to_dict(),
              "skipped_records": src.skipped,
              "geo": geo.describe(), "pii_patterns": scan.matcher.patterns, "known_values_skipped": known.skipped,
              "decode_bounded_flows": bounded},
    )


def _py(value: Any) -> Any:
    """A frame cell as a plain Python value (``pd.NA`` -> None)."""
    return None if value is pd.NA or value is None else value


def _steps(src: Source, flows: FlowFrames, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``steps`` rows: the source's steps, then the steps only flows name (in order of their
    first flow); ``flows`` is read batch by batch (flows, first start and last end per step)."""
    per_step: dict[str, list[Any]] = {}  # step id: [flows, first started_at, last ended_at], first seen first
    for batch in frames(flows):
        named = batch[batch["step_id"].notna()] if not batch.empty else batch
        if named.empty:
            continue
        grouped = named.groupby("step_id", sort=False).agg(n=("step_id", "size"), first=("started_at", "min"),
                                                            last=("ended_at", "max"))
        for sid, n, first, last in zip(grouped.index, grouped["n"], grouped["first"], grouped["last"], strict=True):
            acc = per_step.setdefault(sid, [0, None, None])
            acc[0] += int(n)
            acc[1] = _extreme(min, acc[1], first)
            acc[2] = _extreme(max, acc[2], last)
    event_counts: dict[str, int] = defaultdict(int)
    for e in events:
        if e["step_id"]:
            event_counts[e["step_id"]] += 1
    rows = []
    known = set()
    for s in src.steps:
        known.add(s.id)
        rows.append({"id": s.id, "name": s.name, "action": s.action, "started_at": s.started_at,
                     "ended_at": s.ended_at, "info": json.dumps(s.info or {}, default=str),
                     "flows": per_step.get(s.id, [0])[0], "events": event_counts.get(s.id, 0)})
    # flow files carry only step ids: derive the steps from them
    for sid, (n, first, last) in per_step.items():
        if sid in known:
            continue
        rows.append({"id": sid, "name": sid, "action": None, "started_at": float(first),
                     "ended_at": float(last), "info": "{}", "flows": n, "events": event_counts.get(sid, 0)})
    return rows


def _extreme(pick: Any, a: float | None, b: Any) -> float | None:
    """``pick`` (min or max) of a running value and a batch's (None / NA: no value yet)."""
    b = _py(b)
    return b if a is None else a if b is None else pick(a, b)
