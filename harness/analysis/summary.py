"""Human and JSON summaries of an :class:`~harness.analysis.pipeline.Analysis`."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from harness.analysis.pipeline import Analysis


def summary_dict(a: Analysis) -> dict[str, Any]:
    dest = a.destinations
    by_country = (dest.groupby([dest["country"].fillna("??"), dest["jurisdiction"]])
                  .agg(hosts=("host", "nunique"), flows=("flows", "sum")).reset_index()
                  if not dest.empty else pd.DataFrame(columns=["country", "jurisdiction", "hosts", "flows"]))
    return {
        "source": a.source,
        "path": a.path,
        "incomplete": a.incomplete,
        "problems": a.problems,
        "counts": {"flows": len(a.flows), "agent_events": len(a.agent_events), "steps": len(a.steps),
                   "destinations": len(dest), "pii_hits": len(a.pii_hits), "lists": len(a.lists),
                   "findings": len(a.finding_list), "known_values": a.known_values,
                   "skipped_records": a.meta.get("skipped_records", 0)},
        "destinations_by_country": json.loads(by_country.to_json(orient="records")),
        "destinations": json.loads(dest.to_json(orient="records")),
        "findings": [f.to_dict() for f in a.finding_list],
        "lists": [{k: v for k, v in r.items() if k != "terms"}
                  for r in json.loads(a.lists.to_json(orient="records"))],
        "comparisons": [c.numbers() | {"flow_ids": c.flow_ids, "event_ids": c.event_ids} for c in a.comparisons],
        "coverage": a.meta.get("coverage"),
        "geo": a.meta.get("geo"),
        "max_severity": str(a.max_severity()) if a.finding_list else None,
    }


def summary_text(a: Analysis) -> str:
    lines = [f"analysis of {a.path} ({a.source}): {len(a.flows)} flows, {len(a.agent_events)} agent events, "
             f"{len(a.steps)} steps, {len(a.destinations)} destinations, {a.known_values} known values"]
    if a.incomplete:
        skipped = a.meta.get("skipped_records", 0)
        lines.append("INCOMPLETE input, partial results" + (f" ({skipped} records skipped):" if skipped else ":"))
        lines += [f"  - {p}" for p in a.problems]
    d = summary_dict(a)
    if d["destinations_by_country"]:
        lines.append("")
        lines.append("Destinations by country / jurisdiction:")
        lines.append(pd.DataFrame(d["destinations_by_country"]).to_string(index=False))
    lines += _geo_notes(a)
    pii = [f for f in a.finding_list if f.kind in ("pii_sent", "pii_abroad")]
    lines.append("")
    lines.append(f"Personal data: {sum(f.kind == 'pii_sent' for f in pii)} value/destination pairs"
                 + (f", {sum(f.kind == 'pii_abroad' for f in pii)} to third countries" if pii else ""))
    lines += [f"  [{f.severity}] {f.summary}" for f in pii]
    lines.append("")
    lines.append(f"Keyword lists: {len(a.lists)}")
    if not a.lists.empty:
        cols = ["name", "version", "n_terms", "host", "chain"]
        lines.append(a.lists[cols].to_string(index=False))
    if a.comparisons:
        lines.append("")
        lines.append("Filtering verdicts:")
        table = pd.DataFrame([{"experiment": c.experiment, "control": c.control, "verdict": c.verdict,
                               "status": c.status_match, "body_ratio": c.body_length_ratio,
                               "title": c.title_match, "headers": c.headers_match, "rendered": c.rendered_ratio}
                              for c in a.comparisons])
        lines.append(table.to_string(index=False))
    other = [f for f in a.finding_list if f.kind not in ("pii_sent", "pii_abroad", "config_list", "filtered")]
    if other:
        lines.append("")
        lines.append("Other findings:")
        lines += [f"  [{f.severity}] {f.kind}: {f.summary}" for f in other]
    lines.append("")
    top = a.max_severity()
    lines.append(f"{len(a.finding_list)} findings" + (f", highest severity {top}" if top is not None else ""))
    return "\n".join(lines)


def _geo_notes(a: Analysis) -> list[str]:
    """Second opinions and caveats on where servers are, and the location data's attribution."""
    out = []
    dest = a.destinations
    if not dest.empty:
        for r in dest.to_dict("records"):
            where = f"{r['host'] or '?'} ({r['server_ip']})"
            if pd.notna(r.get("registered_country")):
                out.append(f"  {where}: located in {r['country']}, address block registered in "
                           f"{r['registered_country']} (second opinion)")
            if pd.notna(r.get("geo_caveat")):
                out.append(f"  {where}: {r['geo_caveat']}")
    dbs = (a.meta.get("geo") or {}).get("location_db")
    if isinstance(dbs, list):
        out += [f"  {d['package']}@{d['version']}: {d['license']}, {d['attribution']}" for d in dbs]
    return (["", "Where servers are:"] + out) if out else []
