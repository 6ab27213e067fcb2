"""The analysis pipeline: stream a source once, then build the frames and the findings.

Per flow the work is: one PII scan of each request layer (one automaton), list detection on
response payloads, a title for HTML responses, and the row (bodies trimmed to ``frame_body_cap``).
Geo, jurisdiction and destinations are computed per distinct address, not per flow.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from harness.analysis import frames as F
from harness.analysis.coverage import coverage_gaps
from harness.analysis.cryptolink import CipherLink, link_ciphertexts
from harness.analysis.decode import DEFAULT_LIMITS, Limits, decompress
from harness.analysis.facts import KnownValues, known_values_from_facts
from harness.analysis.filtering import Comparison, Side, compare, title_of
from harness.analysis.findings import Finding, Severity
from harness.analysis.geo import GeoResolver
from harness.analysis.lists import ListDiff, ListStore, TermList, find_lists
from harness.analysis.loaders import Source, open_source
from harness.analysis.pii import Hit, PiiMatcher
from harness.analysis.policy import THIRD_COUNTRY, Policy
from harness.capture.records import AgentEvent, FlowRecord

#: flow rows are turned into an Arrow batch every this many flows
BATCH_ROWS = 2000
#: agent event types whose bytes are plaintext before/after app or TLS encryption
PLAINTEXT_EVENTS = ("crypto:plaintext", "tls:write", "tls:read")
#: agent event types that report a connection the app made (for coverage)
CONNECT_EVENTS = ("net:connect", "socket:connect", "tls:connect", "http:request", "dns:resolve")
#: agent event types that report what the app rendered (for filtering verdicts)
RENDER_EVENTS = ("ui:rendered", "ui:results", "app:rendered")


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


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    lname = name.lower()
    return next((v for k, v in headers if k.lower() == lname), None)


def _event_bytes(ev: AgentEvent) -> bytes | None:
    if ev.data:
        return bytes(ev.data)
    p = ev.payload or {}
    for key in ("data_b64", "base64", "bytes"):
        if isinstance(p.get(key), str):
            try:
                return base64.b64decode(p[key])
            except (binascii.Error, ValueError):
                return None
    if isinstance(p.get("data"), str):
        if p.get("encoding") == "base64":
            try:
                return base64.b64decode(p["data"])
            except (binascii.Error, ValueError):
                return None
        return p["data"].encode("utf-8", "surrogateescape")
    if isinstance(p.get("text"), str):
        return p["text"].encode("utf-8", "surrogateescape")
    return None


class _Run:
    def __init__(self, src: Source, opts: Options) -> None:
        self.src, self.opts = src, opts
        facts = opts.facts if opts.facts is not None else src.facts
        self.known = known_values_from_facts(facts) if facts else KnownValues()
        self.matcher = PiiMatcher(self.known, limits=opts.limits)
        self.geo = opts.geo or GeoResolver()
        self.flow_cols: dict[str, list[Any]] = {n: [] for n in F.FLOWS.names}
        self.batches: list[pa.RecordBatch] = []
        self.flow_hosts: dict[str, tuple[str | None, str | None]] = {}
        self.flow_steps: dict[str, str | None] = {}
        self.hits: list[tuple[str | None, str | None, str | None, str | None, Hit]] = []
        self.lists: list[TermList] = []
        self.events: list[dict[str, Any]] = []
        self.event_objs: list[AgentEvent] = []
        self.findings: list[Finding] = []

    def flush_batch(self) -> None:
        """Move accumulated rows into an Arrow batch (compact, no per-object overhead)."""
        if self.flow_cols["id"]:
            self.batches.append(pa.RecordBatch.from_pydict(self.flow_cols, schema=F.FLOWS))
            self.flow_cols = {n: [] for n in F.FLOWS.names}

    def flows_frame(self) -> pd.DataFrame:
        self.flush_batch()
        table = pa.Table.from_batches(self.batches, schema=F.FLOWS)
        self.batches = []
        return table.to_pandas(types_mapper=pd.ArrowDtype)

    # ------------------------------------------------------------ streaming
    def add_flow(self, rec: FlowRecord, seq: int) -> None:
        cap = self.opts.frame_body_cap
        hits: list[Hit] = []
        bounded = False
        if self.matcher:
            if rec.url:
                h, ex = self.matcher.scan_payload(rec.url.encode("utf-8", "surrogateescape"), "url")
                hits += h
                bounded |= bool(ex and ex.bounded)
            hits += self.matcher.scan_headers(rec.request_headers)
            if rec.request_body:
                h, ex = self.matcher.scan_payload(
                    rec.request_body, "request_body", _header(rec.request_headers, "content-encoding"),
                    _header(rec.request_headers, "content-type"))
                hits += h
                bounded |= bool(ex and ex.bounded)
        host = rec.server_host or rec.host
        for hit in hits:
            self.hits.append((rec.id, None, rec.step_id, host, hit))
        ctype = _header(rec.response_headers, "content-type") or ""
        body = rec.response_body
        encoding = None if rec.extra.get("response_body_decoded") else _header(rec.response_headers, "content-encoding")
        title = None
        if body and rec.status_code and 200 <= rec.status_code < 300:
            for tl in find_lists(body, url=rec.url, content_encoding=encoding, request_body=rec.request_body):
                tl.flow_id, tl.step_id, tl.host = rec.id, rec.step_id, host
                self.lists.append(tl)
        if body and "html" in ctype.lower() and not encoding:
            title = title_of(body)
        elif body and encoding and "html" in ctype.lower():
            try:
                title = title_of(decompress(body, encoding.strip().lower(), 1 << 20)[0])
            except ValueError:
                title = None
        c = self.flow_cols
        values = {
            "seq": rec.seq if rec.seq is not None else seq, "id": rec.id, "kind": rec.kind, "step_id": rec.step_id,
            "started_at": rec.started_at, "ended_at": rec.ended_at, "client_ip": rec.client_ip,
            "client_port": rec.client_port, "server_host": rec.server_host, "server_ip": rec.server_ip,
            "server_port": rec.server_port, "sni": rec.sni, "tls_version": rec.tls_version, "alpn": rec.alpn,
            "http_version": rec.http_version, "method": rec.method, "scheme": rec.scheme, "host": rec.host,
            "port": rec.port, "path": rec.path, "url": rec.url, "status_code": rec.status_code,
            "reason": rec.reason, "request_headers": json.dumps(rec.request_headers),
            "response_headers": json.dumps(rec.response_headers),
            "request_body": rec.request_body[:cap] if rec.request_body is not None else None,
            "response_body": body[:cap] if body is not None else None,
            "request_body_size": rec.request_body_size, "response_body_size": rec.response_body_size,
            "request_body_truncated": rec.request_body_truncated or len(rec.request_body or b"") > cap,
            "response_body_truncated": rec.response_body_truncated or len(body or b"") > cap,
            "body_cap": min(rec.body_cap, cap) if rec.body_cap else cap, "error": rec.error,
            "extra": json.dumps(rec.extra, default=str), "content_type": ctype or None, "response_title": title,
            "pii_hits": len(hits), "decode_bounded": bounded, "country": None, "jurisdiction": None,
        }
        for k, v in values.items():
            c[k].append(v)
        if len(c["id"]) >= BATCH_ROWS:
            self.flush_batch()
        self.flow_hosts[rec.id] = (host, rec.server_ip)
        self.flow_steps[rec.id] = rec.step_id

    def add_ws(self, msg: Any) -> None:
        if not msg.from_client or not self.matcher:
            return
        host, _ = self.flow_hosts.get(msg.flow_id, (None, None))
        h, _ = self.matcher.scan_payload(msg.content, "ws_message")
        for hit in h:
            self.hits.append((msg.flow_id, None, msg.step_id or self.flow_steps.get(msg.flow_id), host, hit))

    def add_event(self, ev: AgentEvent, seq: int) -> None:
        n = 0
        if ev.type in PLAINTEXT_EVENTS and self.matcher:
            data = _event_bytes(ev)
            if data:
                h, _ = self.matcher.scan_payload(data, f"event:{ev.type}")
                n = len(h)
                host = (ev.payload or {}).get("host")
                for hit in h:
                    self.hits.append((None, ev.id, ev.step_id, host, hit))
        self.event_objs.append(ev)
        self.events.append({
            "seq": ev.seq if ev.seq is not None else seq, "id": ev.id, "type": ev.type, "source": ev.source,
            "step_id": ev.step_id, "timestamp": ev.timestamp, "pid": ev.pid, "thread": ev.thread,
            "payload": json.dumps(ev.payload, default=str),
            "data": ev.data[: self.opts.frame_body_cap] if ev.data else None, "pii_hits": n,
        })

    # ------------------------------------------------------------ frames and findings
    def destinations(self, flows: pd.DataFrame) -> pd.DataFrame:
        if flows.empty:
            return F.frame([], F.DESTINATIONS)
        base = pd.DataFrame({
            "host": flows["server_host"].fillna(flows["host"]).astype(object),
            "server_ip": flows["server_ip"].astype(object),
            "sent": flows["request_body_size"].fillna(0).astype("int64"),
            "received": flows["response_body_size"].fillna(0).astype("int64"),
            "started_at": flows["started_at"].astype("float64"),
            "step_id": flows["step_id"].astype(object),
            "pii": (flows["pii_hits"] > 0).astype("int64"),
        })
        base["host"] = base["host"].fillna("")
        base["server_ip"] = base["server_ip"].fillna("")
        g = base.groupby(["host", "server_ip"], sort=True, dropna=False)
        agg = g.agg(flows=("sent", "size"), bytes_sent=("sent", "sum"), bytes_received=("received", "sum"),
                    first_seen=("started_at", "min"), last_seen=("started_at", "max"), pii_flows=("pii", "sum"),
                    steps=("step_id", lambda s: sorted({x for x in s if isinstance(x, str)})))
        agg = agg.reset_index()
        rows = []
        for r in agg.itertuples(index=False):
            ans = self.geo.resolve(r.server_ip or None)
            rows.append({
                "host": r.host or None, "server_ip": r.server_ip or None, "country": ans.country, "asn": ans.asn,
                "geo_source": ans.source, "geo_label": ans.label,
                "jurisdiction": self.opts.policy.classify(ans.country, r.host or None),
                "flows": int(r.flows), "bytes_sent": int(r.bytes_sent), "bytes_received": int(r.bytes_received),
                "first_seen": float(r.first_seen), "last_seen": float(r.last_seen), "steps": list(r.steps),
                "pii_flows": int(r.pii_flows),
            })
        return F.frame(rows, F.DESTINATIONS)

    def pii_findings(self, dest_of: dict[tuple[str, str], tuple[str | None, str]],
                     links: dict[str, CipherLink] | None = None) -> list[dict[str, Any]]:
        # groups (a location needs lat and lon, an app list several apps) count per flow / event
        members: dict[tuple[Any, Any, str], set[str]] = defaultdict(set)
        for fid, eid, _step, _host, hit in self.hits:
            if hit.value.group:
                members[(fid, eid, hit.value.group)].add(hit.value.name)
        rows = []
        agg: dict[tuple[str, str | None], dict[str, Any]] = {}
        for fid, eid, step, host, hit in self.hits:
            kv = hit.value
            if kv.group and len(members[(fid, eid, kv.group)]) < kv.need:
                continue
            link = (links or {}).get(eid) if eid and fid is None else None
            if link is not None:  # plaintext of an encrypted payload: the flow that carried it (cryptolink)
                fid, host = link.flow_id, host or self.flow_hosts.get(link.flow_id, (None, None))[0]
                hit = replace(hit, chain=link.chain + (">" + hit.chain if hit.chain else ""))
            rows.append({"flow_id": fid, "event_id": eid, "step_id": step, "host": host, "value_name": kv.name,
                         "value_kind": kv.kind, "form": hit.form, "normalisation": hit.normalisation,
                         "location": hit.location, "chain": hit.chain})
            label = kv.group or kv.name
            a = agg.setdefault((label, host), {"flows": set(), "events": set(), "forms": set(), "locations": set(),
                                               "chains": set(), "steps": set(), "values": set()})
            if fid:
                a["flows"].add(fid)
            if eid:
                a["events"].add(eid)
            a["forms"].add(hit.form)
            a["locations"].add(hit.location)
            a["chains"].add(hit.chain or "raw")
            a["values"].add(kv.name)
            if step:
                a["steps"].add(step)
        for (label, host), a in sorted(agg.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            ips = {self.flow_hosts[f][1] or "" for f in a["flows"] if f in self.flow_hosts}
            countries = {dest_of.get((host or "", ip), (None, "unknown")) for ip in ips} or {(None, "unknown")}
            juris = sorted({j for _, j in countries})
            ccs = sorted({c for c, _ in countries if c})
            details = {"value": label, "values": sorted(a["values"]), "destination": host, "countries": ccs,
                       "jurisdictions": juris, "forms": sorted(a["forms"]), "locations": sorted(a["locations"]),
                       "chains": sorted(a["chains"]), "steps": sorted(a["steps"])}
            steps = sorted(a["steps"])
            common: dict[str, Any] = dict(flow_ids=sorted(a["flows"]), event_ids=sorted(a["events"]),
                          step_id=steps[0] if len(steps) == 1 else None, details=details)
            self.findings.append(Finding(
                "pii_sent", "sent", Severity.MEDIUM, "pii.known_value",
                f"{label} sent to {host or 'unknown host'} ({', '.join(sorted(a['forms']))}; "
                f"{', '.join(sorted(a['chains']))})", **common))
            if THIRD_COUNTRY in juris:
                self.findings.append(Finding(
                    "pii_abroad", "third_country", Severity.HIGH, "pii.third_country",
                    f"{label} sent to {host or 'unknown host'} in a third country ({', '.join(ccs) or '?'})",
                    **common))
        return rows

    def list_findings(self) -> list[dict[str, Any]]:
        store = ListStore(self.opts.lists_dir) if self.opts.lists_dir else None
        rows = []
        seen_in_run: dict[str, TermList] = {}
        for tl in self.lists:
            diff: ListDiff | None = store.record(tl, run=str(self.src.path)) if store else None
            if diff is None or diff.previous_digest is None:
                prev = seen_in_run.get(tl.name)
                if prev is not None and prev.digest != tl.digest:
                    added = sorted(set(tl.terms) - set(prev.terms))
                    removed = sorted(set(prev.terms) - set(tl.terms))
                    diff = ListDiff(tl.name, prev.digest, tl.digest, added, removed, prev.version)
            seen_in_run[tl.name] = tl
            rows.append({"name": tl.name, "version": tl.version, "update_time": tl.update_time,
                         "n_terms": len(tl.terms), "terms": tl.terms, "digest": tl.digest, "chain": tl.chain,
                         "key_path": tl.key_path, "reasons": tl.reasons, "sensitive": tl.sensitive,
                         "flow_id": tl.flow_id, "step_id": tl.step_id, "host": tl.host, "url": tl.url,
                         "previous_digest": diff.previous_digest if diff else None,
                         "added": diff.added if diff else [], "removed": diff.removed if diff else []})
            severity = Severity.MEDIUM if (tl.sensitive or len(tl.reasons) > 1) else Severity.LOW
            details = {"name": tl.name, "version": tl.version, "update_time": tl.update_time,
                       "terms": len(tl.terms), "sensitive_terms": tl.sensitive, "reasons": tl.reasons,
                       "chain": tl.chain, "key_path": tl.key_path, "host": tl.host, "digest": tl.digest}
            if diff and diff.previous_digest:
                details.update(previous_digest=diff.previous_digest, previous_version=diff.previous_version,
                               added=diff.added, removed=diff.removed)
            self.findings.append(Finding(
                "config_list", "changed" if diff and diff.changed else "downloaded", severity, "lists.keyword_list",
                f"keyword list {tl.name} ({len(tl.terms)} terms, version {tl.version or '?'}) from {tl.host}",
                flow_ids=[tl.flow_id] if tl.flow_id else [], step_id=tl.step_id, details=details))
        return rows

    def tls_findings(self, flows: pd.DataFrame) -> None:
        if flows.empty:
            return
        failed = flows[flows["kind"] == "tls_failure"]
        for host, grp in failed.groupby(failed["server_host"].fillna(failed["server_ip"]).fillna("?")):
            errors = sorted({str(e) for e in grp["error"].dropna()})
            self.findings.append(Finding(
                "pinning_failure", "tls_rejected", Severity.LOW, "tls.handshake_failed",
                f"{len(grp)} TLS handshake(s) with {host} failed under interception (pinning or untrusted CA)",
                flow_ids=list(grp["id"]), details={"host": host, "errors": errors, "count": len(grp)}))

    def coverage_findings(self, flows: pd.DataFrame) -> dict[str, Any]:
        seen_hosts = set(flows["server_host"].dropna()) | set(flows["host"].dropna()) if not flows.empty else set()
        seen_ips = set(flows["server_ip"].dropna()) if not flows.empty else set()
        agent: dict[str, list[str]] = defaultdict(list)
        for ev in self.event_objs:
            if ev.type in CONNECT_EVENTS:
                p = ev.payload or {}
                target = p.get("host") or p.get("ip") or p.get("address")
                if target:
                    agent[str(target)].append(ev.id)
        missing = {t: ids for t, ids in agent.items() if t not in seen_hosts and t not in seen_ips}
        for target, ids in sorted(missing.items()):
            self.findings.append(Finding(
                "coverage_gap", "unproxied", Severity.MEDIUM, "coverage.agent_vs_proxy",
                f"agents saw {len(ids)} connection(s) to {target} that the proxy never recorded",
                event_ids=ids, details={"target": target}))
        return {"agent_targets": len(agent), "proxied": len(agent) - len(missing), "missing": sorted(missing)}

    def filtering_findings(self, flows: pd.DataFrame, steps: list[dict[str, Any]]) -> list[Comparison]:
        probes: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for s in steps:
            info = json.loads(s["info"] or "{}")
            probe = info.get("probe") if isinstance(info.get("probe"), dict) else info
            if probe.get("role") in ("experiment", "control") and probe.get("pair"):
                probes[str(probe["pair"])][probe["role"]] = {"step": s["id"], **probe}
        out = []
        for pair, sides in sorted(probes.items()):
            if set(sides) != {"experiment", "control"}:
                continue
            exp = self._side(flows, sides["experiment"])
            ctl = self._side(flows, sides["control"])
            cmp = compare(exp, ctl)
            out.append(cmp)
            severity = {"filtered": Severity.HIGH, "not_filtered": Severity.INFO}.get(cmp.verdict, Severity.LOW)
            self.findings.append(Finding(
                "filtered", cmp.verdict, severity, "filtering.ooni_web_connectivity",
                f"pair {pair}: '{exp.term}' vs control '{ctl.term}': {cmp.verdict} ({'; '.join(cmp.reasons)})",
                flow_ids=cmp.flow_ids, event_ids=cmp.event_ids, step_id=exp.step_id,
                details={"pair": pair, **cmp.numbers()}))
        return out

    def _side(self, flows: pd.DataFrame, probe: dict[str, Any]) -> Side:
        side = Side(step_id=probe["step"], term=str(probe.get("term") or ""))
        if not flows.empty:
            mine = flows[flows["step_id"] == side.step_id]
            if probe.get("host"):
                mine = mine[(mine["server_host"] == probe["host"]) | (mine["host"] == probe["host"])]
            if not mine.empty:
                ok = mine[mine["status_code"].notna()]
                if ok.empty:
                    row = mine.iloc[0]
                    side.flow_id, side.failed = str(row["id"]), str(row["error"] or row["kind"])
                else:
                    row = ok.loc[ok["response_body_size"].fillna(0).astype("int64").idxmax()]
                    side.flow_id = str(row["id"])
                    side.status_code = int(row["status_code"])
                    side.body_length = int(row["response_body_size"]) if pd.notna(row["response_body_size"]) else 0
                    side.title = row["response_title"] if pd.notna(row["response_title"]) else None
                    side.headers = [tuple(h) for h in json.loads(row["response_headers"])]
        counts = []
        for ev in self.event_objs:
            if ev.step_id == side.step_id and ev.type in RENDER_EVENTS:
                p = ev.payload or {}
                n = p.get("count", p.get("results"))
                if isinstance(n, list):
                    n = len(n)
                if isinstance(n, int | float):
                    counts.append(float(n))
                    side.event_ids.append(ev.id)
        if counts:
            side.rendered = counts[-1]
        return side


def analyze(path: str | Path | Source, options: Options | None = None) -> Analysis:
    """Analyse a run directory, a ``.mitm`` flow file or a HAR file (or an opened :class:`Source`)."""
    opts = options or Options()
    src = path if isinstance(path, Source) else open_source(path)
    run = _Run(src, opts)
    for i, rec in enumerate(src.flows):
        run.add_flow(rec, i)
    for msg in src.ws_messages:
        run.add_ws(msg)
    for i, ev in enumerate(src.events):
        run.add_event(ev, i)

    flows = run.flows_frame()
    dest = run.destinations(flows.drop(columns=["request_body", "response_body"]))
    dest_of = {(_py(h) or "", _py(ip) or ""): (_py(c), _py(j)) for h, ip, c, j in
               zip(dest["host"], dest["server_ip"], dest["country"], dest["jurisdiction"], strict=True)}
    if not flows.empty:
        keys = list(zip(flows["server_host"].fillna(flows["host"]).fillna(""), flows["server_ip"].fillna(""),
                        strict=True))
        flows["country"] = pd.array([dest_of.get(k, (None, None))[0] for k in keys], dtype=flows["country"].dtype)
        flows["jurisdiction"] = pd.array([dest_of.get(k, (None, None))[1] for k in keys],
                                         dtype=flows["jurisdiction"].dtype)
    # row filters on the frame would copy the (large) body columns: work on the others
    light = flows.drop(columns=["request_body", "response_body"])
    links = link_ciphertexts(run.event_objs, zip(flows["id"], flows["request_body"], strict=True)) if not flows.empty else {}
    pii_rows = run.pii_findings(dest_of, links)
    list_rows = run.list_findings()
    run.tls_findings(light)
    coverage = run.coverage_findings(light)
    netwatch, gaps = coverage_gaps(light, run.event_objs)  # harness.analysis.coverage
    run.findings.extend(gaps)
    coverage.update({"netwatch": netwatch} if netwatch["events"] else {})

    step_rows = _steps(src, light, run.events)
    comparisons = run.filtering_findings(light, step_rows)
    findings_rows = [{
        "kind": f.kind, "verdict": f.verdict, "severity": str(f.severity), "severity_level": int(f.severity),
        "rule": f.rule, "summary": f.summary, "step_id": f.step_id, "flow_ids": f.flow_ids,
        "event_ids": f.event_ids, "details": json.dumps(f.to_dict()["details"], ensure_ascii=False),
    } for f in run.findings]
    return Analysis(
        source=src.kind, path=str(src.path), incomplete=src.incomplete, problems=list(src.problems),
        flows=flows, destinations=dest, steps=F.frame(step_rows, F.STEPS),
        agent_events=F.frame(run.events, F.AGENT_EVENTS), findings=F.frame(findings_rows, F.FINDINGS),
        pii_hits=F.frame(pii_rows, F.PII_HITS), lists=F.frame(list_rows, F.LISTS), finding_list=run.findings,
        comparisons=comparisons, known_values=len(run.known),
        meta={"coverage": coverage, "source_meta": src.meta, "policy": opts.policy.to_dict(),
              "pii_patterns": run.matcher.patterns, "known_values_skipped": run.known.skipped,
              "decode_bounded_flows": int(flows["decode_bounded"].sum()) if not flows.empty else 0},
    )


def _py(value: Any) -> Any:
    """A frame cell as a plain Python value (``pd.NA`` -> None)."""
    return None if value is pd.NA or value is None else value


def _steps(src: Source, flows: pd.DataFrame, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flow_counts = flows["step_id"].value_counts().to_dict() if not flows.empty else {}
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
                     "flows": int(flow_counts.get(s.id, 0)), "events": event_counts.get(s.id, 0)})
    # flow files carry only step ids: derive the steps from them
    if not flows.empty:
        for sid, grp in flows[flows["step_id"].notna()].groupby("step_id", sort=False):
            if sid in known:
                continue
            rows.append({"id": sid, "name": sid, "action": None, "started_at": float(grp["started_at"].min()),
                         "ended_at": float(grp["ended_at"].max()), "info": "{}", "flows": len(grp),
                         "events": event_counts.get(sid, 0)})
    return rows
