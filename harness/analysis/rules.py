"""Findings from the scanned records and frames: personal data sent (and sent abroad), keyword
lists, TLS failures, coverage gaps and filtering verdicts. Each rule is described in
docs/analysis.md under its rule name (``pii.known_value``, ``lists.keyword_list``, ...)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from harness.analysis.batches import FlowFrames, frames, rows_where
from harness.analysis.cryptolink import CipherLink, plaintext_field
from harness.analysis.filtering import Comparison, Side, compare, listed_in
from harness.analysis.findings import Finding, Severity
from harness.analysis.hosts import normalise_host
from harness.analysis.lists import ListDiff, ListStore, TermList
from harness.analysis.policy import THIRD_COUNTRY
from harness.analysis.scan import HitAt
from harness.capture.records import AgentEvent
from harness.wording import counted

#: agent event types that report a connection the app made (for coverage)
CONNECT_EVENTS = ("net:connect", "socket:connect", "tls:connect", "http:request", "dns:resolve")
#: the agent event type of a name lookup (a ``dns`` flow of the same name records it)
DNS_EVENT = "dns:resolve"
#: agent event types that report what the app rendered (for filtering verdicts)
RENDER_EVENTS = ("ui:rendered", "ui:results", "app:rendered")


#: destination columns a personal-data finding repeats per server address (where it is, and how sure)
GEO_DETAILS = ("country", "jurisdiction", "geo_source", "geo_database", "registered_country", "asn", "as_org",
               "geo_caveat")


#: flow kinds whose request never reached the server (the loaders' and the recorder's kinds: a
#: failed connect, a refused TLS handshake, a connection that sent nothing)
UNDELIVERED_KINDS = ("error", "tls_failure", "idle")


def undelivered_ids(flows: FlowFrames, among: set[str] | None = None) -> set[str]:
    """Ids of the flows (the analysis frame without bodies, or its batches: columns ``id``,
    ``kind``, ``reason``, ``error``) whose request never reached the server: kinds
    :data:`UNDELIVERED_KINDS`, and DNS lookups (kind ``dns``) that ended in an error without a
    response (nothing shows the resolver got the name: mitmproxy could not reach it, or had none).
    ``among``: only those ids (the flows :func:`pii_findings` asks about); None: every flow."""
    if among is not None and not among:
        return set()

    def undelivered(b: pd.DataFrame) -> pd.Series:
        kind = b["kind"]
        failed_lookup = (kind == "dns") & b["reason"].isna() & b["error"].notna()
        mask = kind.isin(UNDELIVERED_KINDS) | failed_lookup
        return mask & b["id"].isin(among) if among is not None else mask

    return set(rows_where(flows, undelivered, ["id"])["id"])


def pii_findings(hits: list[HitAt], flow_hosts: dict[str, tuple[str | None, str | None]],
                 dest_of: dict[tuple[str, str], dict[str, Any]],
                 links: dict[str, CipherLink] | None = None,
                 undelivered: set[str] | frozenset[str] = frozenset(),
                 plaintexts: dict[str, bytes | None] | None = None) -> tuple[list[dict[str, Any]], list[Finding]]:
    """``pii.known_value``, ``pii.third_country`` and ``pii.not_delivered``: the ``pii_hits`` rows
    and one finding per (value, destination host). ``dest_of`` maps (host, server IP) to its
    :data:`GEO_DETAILS`. A flow in ``undelivered`` (its kind is one of :data:`UNDELIVERED_KINDS`)
    is no evidence the value reached the server: its hits are rows, and a value seen only in such
    flows is ``pii_attempted`` (verdict ``not_delivered``), never ``pii_sent``/``pii_abroad``.
    A value found in the plaintext of an encrypted payload (``links``, harness.analysis.cryptolink)
    is the linked flow's; the finding's ``details.cipher_links`` say how (event, flow, encoding,
    offset in the body, the plaintext's field: ``plaintexts`` maps event id to its data)."""
    # groups (a location needs lat and lon, an app list several apps) count per flow / event
    members: dict[tuple[Any, Any, str], set[str]] = defaultdict(set)
    for h in hits:
        if h.hit.value.group:
            members[(h.flow_id, h.event_id, h.hit.value.group)].add(h.hit.value.name)
    rows = []
    findings = []
    agg: dict[tuple[str, str | None], dict[str, Any]] = {}
    for h in hits:
        fid, eid, step, host, hit = h.flow_id, h.event_id, h.step_id, h.host, h.hit
        kv = hit.value
        if kv.group and len(members[(fid, eid, kv.group)]) < kv.need:
            continue
        link = (links or {}).get(eid) if eid and fid is None else None
        tie = None
        if link is not None:  # plaintext of an encrypted payload: the flow that carried it (cryptolink)
            fid, host = link.flow_id, host or flow_hosts.get(link.flow_id, (None, None))[0]
            raw = not hit.chain  # the offset is in the event's own data, not in a decoded layer of it
            tie = {"event_id": eid, "flow_id": fid, "value": kv.name, "encoding": link.form,
                   "algorithm": link.algorithm, "body_offset": link.offset,
                   "plaintext_field": plaintext_field((plaintexts or {}).get(eid or ""), hit.offset) if raw else None,
                   "plaintext_offset": hit.offset if raw else None, "plaintext_chain": hit.chain}
            hit = replace(hit, chain=link.chain + (">" + hit.chain if hit.chain else ""))
        rows.append({"flow_id": fid, "event_id": eid, "step_id": step, "host": host, "value_name": kv.name,
                     "value_kind": kv.kind, "form": hit.form, "normalisation": hit.normalisation,
                     "location": hit.location, "chain": hit.chain})
        label = kv.group or kv.name
        a = agg.setdefault((label, host), {"flows": set(), "failed": set(), "failed_events": set(), "events": set(),
                                           "forms": set(), "locations": set(), "chains": set(), "steps": set(),
                                           "values": set(), "ties": {}})
        if fid and fid in undelivered:
            a["failed"].add(fid)
            a["values"].add(kv.name)
            if eid:  # the plaintext of a request that never left: the event is no evidence of a transfer either
                a["failed_events"].add(eid)
            continue
        if fid:
            a["flows"].add(fid)
        if eid:
            a["events"].add(eid)
        if tie is not None:
            a["ties"].setdefault((eid, kv.name), tie)
        a["forms"].add(hit.form)
        a["locations"].add(hit.location)
        a["chains"].add(hit.chain or "raw")
        a["values"].add(kv.name)
        if step:
            a["steps"].add(step)
    for (label, host), a in sorted(agg.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        if not a["flows"] and not a["events"]:
            findings.append(Finding(
                "pii_attempted", "not_delivered", Severity.LOW, "pii.not_delivered",
                f"{label} in requests to {host or 'unknown host'} that never reached it "
                f"({len(a['failed'])} failed flow{'s' if len(a['failed']) != 1 else ''})",
                flow_ids=sorted(a["failed"]), event_ids=sorted(a["failed_events"]),
                details={"value": label, "values": sorted(a["values"]), "destination": host}))
            continue
        ips = sorted({flow_hosts[f][1] or "" for f in a["flows"] if f in flow_hosts})
        geo = [dest_of.get((host or "", ip), {}) for ip in ips] or [{}]
        juris = sorted({g.get("jurisdiction") or "unknown" for g in geo})
        ccs = sorted({g["country"] for g in geo if g.get("country")})
        details = {"value": label, "values": sorted(a["values"]), "destination": host, "countries": ccs,
                   "jurisdictions": juris, "forms": sorted(a["forms"]), "locations": sorted(a["locations"]),
                   "chains": sorted(a["chains"]), "steps": sorted(a["steps"]),
                   "geo": [{"server_ip": ip or None, **g} for ip, g in zip(ips, geo, strict=False) if g]}
        if a["failed"]:
            details["not_delivered_flow_ids"] = sorted(a["failed"])
        if a["ties"]:
            details["cipher_links"] = [a["ties"][k] for k in sorted(a["ties"])]
        steps = sorted(a["steps"])
        common: dict[str, Any] = dict(flow_ids=sorted(a["flows"]), event_ids=sorted(a["events"]),
                                      step_id=steps[0] if len(steps) == 1 else None, details=details)
        findings.append(Finding(
            "pii_sent", "sent", Severity.MEDIUM, "pii.known_value",
            f"{label} sent to {host or 'unknown host'} ({how_written(a['forms'], a['chains'], bool(a['ties']))})",
            **common))
        if THIRD_COUNTRY in juris:
            findings.append(Finding(
                "pii_abroad", "third_country", Severity.HIGH, "pii.third_country",
                f"{label} sent to {host or 'unknown host'} in a third country ({', '.join(ccs) or '?'})",
                **common))
    return rows, findings


#: how a finding's text names a value's form (details.forms keeps the machine value, pii.Form.form)
FORM_WORDS = {"plain": "as-is"}


def how_written(forms: set[str], chains: set[str], encrypted: bool) -> str:
    """The words of a ``pii.known_value`` summary for how the value travelled: its forms (``plain``
    is "as-is", trial 6 J: it read as "sent in plain text"), where (``in the decrypted body`` for
    a plaintext linked to its flow) and the decoding chains (``raw`` is "unencoded";
    ``carried CHAIN`` otherwise), e.g. ``as-is in the decrypted body; carried
    base64>AES/CBC/PKCS5Padding``."""
    words = ", ".join(FORM_WORDS.get(f, f) for f in sorted(forms))
    if encrypted:
        words += " in the decrypted body"
    carried = [("unencoded" if c == "raw" else f"carried {c}") for c in sorted(chains)]
    return f"{words}; {', '.join(carried)}"


def list_findings(lists: list[TermList], lists_dir: Path | None, run: str) -> tuple[list[dict[str, Any]],
                                                                                       list[Finding]]:
    """``lists.keyword_list``: the ``lists`` rows and one finding per list seen, diffed against the
    version last stored in ``lists_dir`` (or seen earlier in the run)."""
    store = ListStore(lists_dir) if lists_dir else None
    rows = []
    findings = []
    seen_in_run: dict[str, TermList] = {}
    for tl in lists:
        diff: ListDiff | None = store.record(tl, run=run) if store else None
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
        findings.append(Finding(
            "config_list", "changed" if diff and diff.changed else "downloaded", severity, "lists.keyword_list",
            f"keyword list {tl.name} ({counted(len(tl.terms), 'term')}, version {tl.version or '?'}) from {tl.host}",
            flow_ids=[tl.flow_id] if tl.flow_id else [], step_id=tl.step_id, details=details))
    return rows, findings


def coverage_findings(flows: FlowFrames, events: Iterable[AgentEvent]) -> tuple[dict[str, Any], list[Finding]]:
    """``coverage.agent_vs_proxy``: connections agents reported that the proxy never recorded
    (``flows``: a frame or its batches, :mod:`harness.analysis.batches`)."""
    # a DNS lookup (kind dns) records a name looked up, not a connection to it: its name answers
    # only the agents' own lookups (dns:resolve), never a connect
    seen_hosts: set[str] = set()
    seen_ips: set[str] = set()
    looked_up: set[str] = set()
    for batch in frames(flows):
        if batch.empty:
            continue
        lookups = batch[batch["kind"] == "dns"]
        conns = batch[batch["kind"] != "dns"]
        seen_hosts |= set(conns["server_host"].dropna().unique()) | set(conns["host"].dropna().unique())
        seen_ips |= set(conns["server_ip"].dropna().unique())
        looked_up |= set(lookups["host"].dropna().unique())
    agent: dict[str, list[str]] = defaultdict(list)
    missing: dict[str, list[str]] = defaultdict(list)
    for ev in events:
        if ev.type in CONNECT_EVENTS:
            p = ev.payload or {}
            target = p.get("host") or p.get("ip") or p.get("address")
            if target:
                name = normalise_host(str(target)) or str(target)
                agent[name].append(ev.id)
                if name not in seen_hosts and name not in seen_ips and not (ev.type == DNS_EVENT and name in looked_up):
                    missing[name].append(ev.id)
    findings = [Finding("coverage_gap", "unproxied", Severity.MEDIUM, "coverage.agent_vs_proxy",
                        f"agents saw {counted(len(ids), 'connection')} to {target} that the proxy never recorded",
                        event_ids=ids, details={"target": target})
                for target, ids in sorted(missing.items())]
    return {"agent_targets": len(agent), "proxied": len(agent) - len(missing), "missing": sorted(missing)}, findings


def filtering_findings(flows: FlowFrames, steps: list[dict[str, Any]], events: list[AgentEvent],
                       lists: Iterable[TermList] = ()) -> tuple[list[Comparison], list[Finding]]:
    """``filtering.ooni_web_connectivity``: pair steps by ``info.probe`` and compare each pair
    (``lists``: the keyword lists found in the run; a control term on one gives no baseline).
    ``flows``: a frame or its batches (:mod:`harness.analysis.batches`), read once for the rows
    of the paired steps and of the lists' flows; the rules run on those rows."""
    found_lists = list(lists)
    probes: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for s in steps:
        info = json.loads(s["info"] or "{}")
        probe = info.get("probe") if isinstance(info.get("probe"), dict) else info
        if probe.get("role") in ("experiment", "control") and probe.get("pair"):
            probes[str(probe["pair"])][probe["role"]] = {"step": s["id"], **probe, "started_at": s.get("started_at")}
    paired = {side["step"] for sides in probes.values() if set(sides) == {"experiment", "control"}
              for side in sides.values()}
    list_flows = {tl.flow_id for tl in found_lists if tl.flow_id}
    flows = rows_where(flows, lambda b: b["step_id"].isin(paired) | b["id"].isin(list_flows)) \
        if paired else pd.DataFrame()
    out = []
    findings = []
    for pair, sides in sorted(probes.items()):
        if set(sides) != {"experiment", "control"}:
            continue
        exp = _side(flows, events, sides["experiment"])
        ctl = _side(flows, events, sides["control"])
        cmp = compare(exp, ctl, found_lists)
        cmp.list_in_force = _in_force(exp, found_lists, flows, sides["experiment"])
        out.append(cmp)
        severity = {"filtered": Severity.HIGH, "not_filtered": Severity.INFO}.get(cmp.verdict, Severity.LOW)
        findings.append(Finding(
            "filtered", cmp.verdict, severity, "filtering.ooni_web_connectivity",
            f"pair {pair}: '{exp.term}' vs control '{ctl.term}': {cmp.verdict} ({'; '.join(cmp.reasons)})",
            flow_ids=cmp.flow_ids, event_ids=cmp.event_ids, step_id=exp.step_id,
            details={"pair": pair, **cmp.numbers()}))
    return out, findings


def _in_force(exp: Side, lists: list[TermList], flows: pd.DataFrame, probe: dict[str, Any]) -> str | None:
    """The flow id of the list version in force when the experiment ran: of the lists whose entries
    match its term (:func:`~harness.analysis.filtering.listed_in`), the last downloaded before the
    experiment step began (flow start times). None when no such list was downloaded before it."""
    if flows.empty or not lists:
        return None
    began = probe.get("started_at")
    start = dict(zip(flows["id"], flows["started_at"], strict=True))
    before = [(float(start[tl.flow_id]), i, tl.flow_id) for i, (tl, _) in enumerate(listed_in(exp.term, lists))
              if tl.flow_id in start and pd.notna(start[tl.flow_id])
              and (began is None or float(start[tl.flow_id]) <= float(began))]
    return max(before)[2] if before else None


def _side(flows: pd.DataFrame, events: list[AgentEvent], probe: dict[str, Any]) -> Side:
    """One side of a pair: its step's main response (largest decoded body) and what the app rendered."""
    side = Side(step_id=probe["step"], term=str(probe.get("term") or ""))
    if not flows.empty:
        # a DNS lookup is no response of the app's server (it has no status): not a side's flow
        mine = flows[(flows["step_id"] == side.step_id) & (flows["kind"] != "dns")]
        if probe.get("host"):
            mine = mine[(mine["server_host"] == probe["host"]) | (mine["host"] == probe["host"])]
        if not mine.empty:
            ok = mine[mine["status_code"].notna()]
            if ok.empty:
                row = mine.iloc[0]
                side.flow_id, side.failed = str(row["id"]), str(row["error"] or row["kind"])
            else:
                length = ok["response_length"].fillna(ok["response_body_size"]).fillna(0).astype("int64")
                row = ok.loc[length.idxmax()]
                side.flow_id = str(row["id"])
                side.status_code = int(row["status_code"])
                known = pd.notna(row["response_length"])
                side.body_length = int(row["response_length"]) if known else None
                side.truncated = not known and bool(row["response_body_size"])
                side.title = row["response_title"] if pd.notna(row["response_title"]) else None
                side.headers = [tuple(h) for h in json.loads(row["response_headers"])]
    counts = []
    for ev in events:
        if ev.step_id == side.step_id and ev.type in RENDER_EVENTS:
            p = ev.payload or {}
            n = p.get("count", p.get("results"))
            if isinstance(n, list):
                n = len(n)
            if isinstance(n, int | float):
                per = p.get("surfaces")
                per = {str(k): int(v) for k, v in per.items() if isinstance(v, int)} if isinstance(per, dict) else {}
                counts.append((float(n), per))
                side.event_ids.append(ev.id)
    if counts:
        side.rendered, side.rendered_surfaces = counts[-1]
    return side
