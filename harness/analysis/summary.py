"""The summary of an :class:`~harness.analysis.pipeline.Analysis`: the ONE place its figures are
computed (:func:`summary_dict`), and the text ``harness analyze`` prints from them
(:func:`summary_text`). ``findings.json`` carries the same dict as ``summary``
(:mod:`harness.report.document`); ``harness demo`` and ``report.html`` only format it.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from harness.analysis.destinations import not_connected
from harness.analysis.pipeline import Analysis
from harness.analysis.policy import home_label, jurisdiction_label
from harness.wording import counted

#: finding kinds about personal data (rules ``pii.known_value`` and ``pii.third_country``)
PII_KINDS = ("pii_sent", "pii_abroad")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records")) if not frame.empty else []


def summary_dict(a: Analysis) -> dict[str, Any]:
    """The summary as plain JSON data: ``source``, ``path``, ``incomplete``, ``problems``,
    ``counts`` (flows, agent_events, crypto_plaintext_events, steps, destinations, pii_hits, lists,
    findings, known_values, skipped_records), ``destinations`` (the destinations frame's rows),
    ``destinations_by_country`` (``{country, jurisdiction, hosts: [names], flows}``, ``??`` for an
    unknown country), ``not_connected`` (flows that never reached a server, per host:
    harness.analysis.destinations.not_connected; not destinations), ``config_lists`` (one row per distinct list version: ``downloads`` counts
    repeated fetches), ``personal_data``, ``filtering`` (the ``filtered`` findings), ``comparisons``
    (the experiment/control numbers), ``pinning``, ``dns`` (:func:`_dns`), ``coverage``, ``geo``, ``findings``,
    ``max_severity``, ``jurisdiction_home`` (the display word of class ``domestic``, e.g. ``EEA``;
    harness.analysis.policy.home_label)."""
    destinations = _records(a.destinations)
    by_country: dict[tuple[str, str], dict[str, Any]] = {}
    for d in destinations:
        key = (d.get("country") or "??", d.get("jurisdiction") or "unknown")
        row = by_country.setdefault(key, {"hosts": set(), "flows": 0})
        row["hosts"].add(d.get("host") or d.get("server_ip") or "?")
        row["flows"] += int(d.get("flows") or 0)
    events = a.agent_events
    crypto = int(events["type"].str.startswith("crypto:").sum()) if not events.empty else 0
    policy = a.meta.get("policy") or {}
    return {
        "jurisdiction_home": home_label(policy["home_countries"]) if policy.get("home_countries") else None,
        "source": a.source,
        "path": a.path,
        "incomplete": a.incomplete,
        "problems": a.problems,
        "counts": {"flows": len(a.flows), "agent_events": len(events), "crypto_plaintext_events": crypto,
                   "steps": len(a.steps), "destinations": len(destinations), "pii_hits": len(a.pii_hits),
                   "lists": len(a.lists), "findings": len(a.finding_list), "known_values": a.known_values,
                   "skipped_records": a.meta.get("skipped_records", 0)},
        "destinations": destinations,
        "not_connected": [{k: r[k] for k in ("host", "flows", "flow_ids")} for r in not_connected(a.flows)],
        "destinations_by_country": [{"country": c, "jurisdiction": j, "hosts": sorted(r["hosts"]), "flows": r["flows"]}
                                    for (c, j), r in sorted(by_country.items())],
        "config_lists": _config_lists(a),
        "personal_data": [{"kind": f.kind, **{k: f.details.get(k) for k in (
            "value", "destination", "countries", "jurisdictions", "chains", "forms", "locations")}}
            for f in a.finding_list if f.kind in PII_KINDS],
        "filtering": [{"verdict": f.verdict, "summary": f.summary, "step_id": f.step_id,
                       "details": f.to_dict()["details"]} for f in a.finding_list if f.kind == "filtered"],
        "comparisons": [c.numbers() | {"flow_ids": c.flow_ids, "event_ids": c.event_ids} for c in a.comparisons],
        "pinning": _pinning(a),
        "dns": _dns(a),
        "coverage": a.meta.get("coverage"),
        "geo": a.meta.get("geo"),
        "findings": [f.to_dict() for f in a.finding_list],
        "max_severity": str(a.max_severity()) if a.finding_list else None,
    }


def _config_lists(a: Analysis) -> list[dict[str, Any]]:
    """Keyword lists, one row per (name, digest): the same list fetched again (by another app, or
    at another start) adds to ``downloads`` and ``flow_ids``."""
    out: list[dict[str, Any]] = []
    seen: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in _records(a.lists):
        key = (r["name"], r.get("digest"))
        if key in seen:
            seen[key]["downloads"] += 1
            seen[key]["flow_ids"].append(r.get("flow_id"))
            continue
        terms = r.get("terms") or []
        sensitive = [t for t in terms if t in set(r.get("sensitive") or [])] or list(r.get("sensitive") or [])
        seen[key] = {"name": r["name"], "version": r.get("version"), "update_time": r.get("update_time"),
                     "terms": r["n_terms"], "digest": r.get("digest"), "host": r.get("host"), "chain": r.get("chain"),
                     "flow_id": r.get("flow_id"), "flow_ids": [r.get("flow_id")], "downloads": 1,
                     "previous_digest": r.get("previous_digest"), "added": r.get("added") or [],
                     "removed": r.get("removed") or [],
                     "sample_terms": (sensitive + [t for t in terms if t not in sensitive])[:5]}
        out.append(seen[key])
    return out


def _pinning(a: Analysis) -> dict[str, Any]:
    """Certificate checks the unpin agent bypassed (``unpin:*`` events) and TLS failures the proxy
    recorded (``tls_failure`` flows)."""
    events, flows = a.agent_events, a.flows
    bypassed = events[events["type"].str.startswith("unpin:")] if not events.empty else events
    where = set()
    for raw in bypassed["payload"] if not bypassed.empty else []:
        try:
            p = json.loads(raw) if isinstance(raw, str) else (raw or {})
        except ValueError:
            p = {}
        p = p if isinstance(p, dict) else {}
        where.add(f"{p.get('target', '?')} @ {p.get('host') or '?'}")
    failures = flows[flows["kind"] == "tls_failure"] if not flows.empty else flows
    hosts = {next((str(v) for v in (r.get("server_host"), r.get("sni"), r.get("server_ip")) if pd.notna(v) and v), "?")
             for r in failures.to_dict("records")} if not failures.empty else set()
    return {"unpin_bypassed": len(bypassed), "bypassed": sorted(where),
            "tls_failures": len(failures), "tls_failure_hosts": sorted(hosts)}


def _dns(a: Analysis) -> dict[str, Any]:
    """DNS lookups (``dns`` flows, harness.analysis.dnsflow): ``lookups`` (count) and ``resolvers``,
    one row per resolver ``{resolver, server_ip, country, jurisdiction, lookups, names}`` (the
    names looked up through it, sorted): a resolver abroad receives the names the phone visits."""
    flows = a.flows
    lookups = flows[flows["kind"] == "dns"] if not flows.empty else flows
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in lookups[["server_host", "server_ip", "host", "country", "jurisdiction"]].to_dict("records") \
            if not lookups.empty else []:
        resolver, ip = (str(r[k]) if pd.notna(r[k]) else "" for k in ("server_host", "server_ip"))
        row = rows.setdefault((resolver, ip), {
            "resolver": resolver or None, "server_ip": ip or None,
            "country": r["country"] if pd.notna(r["country"]) else None,
            "jurisdiction": r["jurisdiction"] if pd.notna(r["jurisdiction"]) else None, "lookups": 0, "names": set()})
        row["lookups"] += 1
        if pd.notna(r["host"]):
            row["names"].add(str(r["host"]))
    return {"lookups": len(lookups),
            "resolvers": [{**r, "names": sorted(r["names"])} for _, r in sorted(rows.items())]}


def summary_text(a: Analysis) -> str:
    """What ``harness analyze`` prints: :func:`summary_dict` formatted, plus the geo notes."""
    d = summary_dict(a)
    c = d["counts"]
    lines = [f"analysis of {d['path']} ({d['source']}): {c['flows']} flows, {c['agent_events']} agent events, "
             f"{c['steps']} steps, {c['destinations']} destinations, {c['known_values']} known values"]
    if d["incomplete"]:
        skipped = c["skipped_records"]
        lines.append("INCOMPLETE input, partial results" + (f" ({skipped} records skipped):" if skipped else ":"))
        lines += [f"  - {p}" for p in d["problems"]]
    if d["destinations_by_country"]:
        lines.append("")
        lines.append("Destinations by country / jurisdiction:")
        table = pd.DataFrame([{**r, "jurisdiction": jurisdiction_label(r["jurisdiction"], d["jurisdiction_home"]),
                               "hosts": len(r["hosts"])} for r in d["destinations_by_country"]])
        lines.append(table.to_string(index=False))
    lines += not_connected_lines(d)
    lines += _geo_notes(d)
    findings = d["findings"]
    pii = [f for f in findings if f["kind"] in PII_KINDS]
    lines.append("")
    lines.append(f"Personal data: {sum(f['kind'] == 'pii_sent' for f in pii)} value/destination pairs"
                 + (f", {sum(f['kind'] == 'pii_abroad' for f in pii)} to third countries" if pii else ""))
    for f in pii:
        lines.append(f"  [{f['severity']}] {f['summary']}")
        lines += [f"      {ids}"] if (ids := _evidence(f)) else []
    if d["dns"]["lookups"]:
        lines.append("")
        lines.append(f"DNS lookups: {d['dns']['lookups']} through {len(d['dns']['resolvers'])} resolver(s)")
        lines += [f"  {r['resolver'] or '?'} ({r['country'] or '??'}, "
                  f"{jurisdiction_label(r['jurisdiction'] or 'unknown', d['jurisdiction_home'])}): {r['lookups']} "
                  f"lookup(s): {', '.join(r['names'][:10])}{' ...' if len(r['names']) > 10 else ''}"
                  for r in d["dns"]["resolvers"]]
    lines.append("")
    lines.append(f"Keyword lists: {c['lists']}")
    if d["config_lists"]:
        cols = ["name", "version", "terms", "host", "chain", "downloads"]
        lines.append(pd.DataFrame(d["config_lists"])[cols].to_string(index=False))
        lines += [f"  {r['name']} {r['version']}: {ids}" for r in d["config_lists"]
                  if (ids := _evidence({"evidence": {"flow_ids": [i for i in r["flow_ids"] if i]}}))]
    if d["comparisons"]:
        lines.append("")
        lines.append("Filtering verdicts:")
        cols = ["experiment", "control", "verdict", "status_match", "body_length_ratio", "title_match",
                "headers_match", "rendered_ratio"]
        table = pd.DataFrame(d["comparisons"])
        lines.append(table[[k for k in cols if k in table]].to_string(index=False))
        lines += [f"  {c['experiment']} vs {c['control']}: {ids}" for c in d["comparisons"]
                  if (ids := _evidence({"evidence": c}))]
    other = [f for f in findings if f["kind"] not in (*PII_KINDS, "config_list", "filtered")]
    if other:
        lines.append("")
        lines.append("Other findings:")
        for f in other:
            lines.append(f"  [{f['severity']}] {f['kind']}: {f['summary']}")
            lines += [f"      {ids}"] if (ids := _evidence(f)) else []
    lines.append("")
    top = d["max_severity"]
    lines.append(f"{len(findings)} findings" + (f", highest severity {top}" if top is not None else ""))
    return "\n".join(lines)


#: evidence ids listed per finding on the console; the rest are counted (all are in --json / --out)
MAX_LISTED_IDS = 3


def _evidence(f: dict[str, Any]) -> str:
    """A finding's evidence in words: ``flows: ID, ID, ID (+4 more); events: ID`` (the ids
    ``harness report`` and findings.json cite); ``""`` when it cites nothing."""
    ev = f.get("evidence") or {}
    parts = []
    for key, word in (("flow_ids", "flows"), ("event_ids", "events")):
        ids = [str(i) for i in ev.get(key) or []]
        if ids:
            more = len(ids) - MAX_LISTED_IDS
            parts.append(f"{word}: {', '.join(ids[:MAX_LISTED_IDS])}" + (f" (+{more} more)" if more > 0 else ""))
    return "; ".join(parts)


def not_connected_text(rows: list[dict[str, Any]]) -> str:
    """``tracking.example (1 flow), ? (2 flows)``: the ``not_connected`` rows of the summary in words."""
    return ", ".join(f"{r.get('host') or '?'} ({counted(int(r.get('flows') or 0), 'flow')})" for r in rows)


def not_connected_lines(d: dict[str, Any]) -> list[str]:
    """The console's note on flows that never reached a server (no address, so not located and
    not a destination: trial 6b N1); ``[]`` when there are none."""
    rows = d.get("not_connected") or []
    if not rows:
        return []
    return [f"Not connected (the connection ended before a server was reached; not destinations): "
            f"{not_connected_text(rows)}"]


def _geo_notes(d: dict[str, Any]) -> list[str]:
    """Second opinions and caveats on where servers are, and the location data's attribution."""
    out = []
    for r in d["destinations"]:
        where = f"{r.get('host') or '?'} ({r.get('server_ip')})"
        if r.get("registered_country"):
            out.append(f"  {where}: located in {r.get('country')}, address block registered in "
                       f"{r['registered_country']} (second opinion)")
        if r.get("geo_caveat"):
            out.append(f"  {where}: {r['geo_caveat']}")
    dbs = (d.get("geo") or {}).get("location_db")
    if isinstance(dbs, list):
        out += [f"  {db['package']}@{db['version']}: {db['license']}, {db['attribution']}" for db in dbs]
    return (["", "Where servers are:"] + out) if out else []

