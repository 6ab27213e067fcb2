"""The short human summary printed at the end of ``harness demo``: the findings document's
``summary`` (computed by :func:`harness.analysis.summary.summary_dict`) and ``ground_truth``,
formatted; nothing is computed here."""

from __future__ import annotations

from typing import Any

from harness.analysis.policy import jurisdiction_label


def summary_lines(doc: dict[str, Any]) -> list[str]:
    """The summary's lines (no newlines) for findings document ``doc``."""
    s = doc["summary"]
    out = [f"== demo summary: world {doc['world']['name']}, device {doc['device'].get('model')} "
           f"({doc['device'].get('adb_serial')}), run {doc['run_id']} =="]
    claims = doc.get("claims") or []
    if claims:
        width = max(len(c["text"]) for c in claims)
        packs = [str(p).rsplit(".", 1)[-1] for p in doc.get("scenarios") or []]
        out.append(f"Claims (packs {', '.join(packs) or '?'}) -> verdict:")
        for c in claims:
            out.append(f"  {c['text']:<{width}}  {'holds' if c['verdict'] == 'holds' else c['verdict'].upper()}")
    home = s.get("jurisdiction_home")
    out.append("Destinations by country / jurisdiction:")
    for row in s["destinations_by_country"]:
        out.append(f"  {row['country']:<3} {jurisdiction_label(row['jurisdiction'], home):<14} {', '.join(row['hosts'])}")
    lists = sorted(s["config_lists"], key=lambda lst: -lst["terms"])
    if lists:
        top = lists[0]
        times = top.get("downloads", 1)
        out.append(f"Config list: {top['name']} version {top['version'] or '?'}, {top['terms']} terms, "
                   f"from {top['host']} (encoding {top['chain'] or 'plain'}"
                   + (f"; downloaded {times} times" if times > 1 else "") + "); e.g. "
                   + "; ".join(f"\"{t}\"" for t in top["sample_terms"][:3]))
        versions = [lst for lst in lists[1:] if lst["name"] == top["name"]]
        if versions:
            out.append(f"  other versions of {top['name']}: "
                       + "; ".join(f"version {lst['version'] or '?'} ({lst['terms']} terms)" for lst in versions))
        out.append(_enforced_line(doc, [top, *versions]))
        others = [lst for lst in lists[1:] if lst["name"] != top["name"]]
        if others:
            out.append("  other term lists analysis flagged: "
                       + "; ".join(f"{lst['name']} ({lst['terms']} terms, {lst['host']})" for lst in others))
    else:
        out.append("Config list: none downloaded")
    abroad = [p for p in s["personal_data"] if p["kind"] == "pii_abroad"]
    sent = [p for p in s["personal_data"] if p["kind"] == "pii_sent"]
    if abroad:
        out.append("Personal data sent abroad (third country):")
        for p in abroad:
            out.append(f"  {p['value']} -> {p['destination']} ({', '.join(p['countries'] or ['?'])}) "
                       f"via {', '.join(p['chains'] or ['raw'])}")
    else:
        out.append("Personal data sent abroad: none found")
    other = [p for p in sent if (p["value"], p["destination"]) not in {(a["value"], a["destination"]) for a in abroad}]
    if other:
        out.append(f"Personal data sent elsewhere ({jurisdiction_label('domestic', home)}, adequate or unknown "
                   "destination):")
    for p in other:
        out.append(f"  {p['value']} -> {p['destination'] or 'no recorded flow'} "
                   f"({', '.join(p['countries'] or ['?'])}, "
                   f"{', '.join(jurisdiction_label(j, home) for j in p['jurisdictions'] or ['?'])}) "
                   f"via {', '.join(c or 'raw' for c in p['chains'] or ['raw'])}")
    for f in s["filtering"]:
        d = f["details"]
        out.append(f"Filtering, sensitive vs control search: {f['verdict'].upper()} "
                   f"('{d.get('term')}' vs '{d.get('control_term')}': rendered ratio {_num(d.get('rendered_ratio'))}, "
                   f"response body ratio {_num(d.get('body_length_ratio'))}; {'; '.join(d.get('reasons') or [])})")
    if not s["filtering"]:
        out.append("Filtering: no verdict (the search pair did not complete)")
    p = s["pinning"]
    out.append(f"Pinning: {p['unpin_bypassed']} check(s) bypassed by the unpin agent"
               + (f" ({'; '.join(p['bypassed'])})" if p["bypassed"] else "")
               + f", {p['tls_failures']} TLS failure(s) at the proxy"
               + (f" ({', '.join(p['tls_failure_hosts'])})" if p["tls_failure_hosts"] else ""))
    out.append("Ground truth (the virtual world's own log):")
    for c in doc["ground_truth"]["checks"]:
        out.append(f"  [{'agrees' if c['agrees'] else 'differs'}] {c['check']}: world {_short(c['world'])}, "
                   f"harness {_short(c['harness'])}")
        out.extend(_check_notes(c))
    out.append(f"Device restored and verified against its pre-run snapshot: {'yes' if doc['restore']['verified'] else 'NO'}")
    out.append(f"Run saved in {doc['run_dir']}; findings in {doc['run_dir']}/findings.json "
               f"({len(doc['findings'])} findings)")
    out.append(f"Report: {doc['run_dir']}/report.html (claims as tests: junit.xml beside it)")
    return out


def _enforced_line(doc: dict[str, Any], versions: list[dict[str, Any]]) -> str:
    """Which version of the list was in force when filtering was observed, by the report's own rule
    (harness.report.html's enforcement: a version is enforced only as the ``list_in_force`` of a
    ``filtered`` comparison), so the console and report.html name the same version."""
    from harness.report.html import _enforcement

    findings = list(doc.get("findings") or [])
    for lst in versions:
        ids = [str(i) for i in lst.get("flow_ids") or [] if i] or [str(lst.get("flow_id"))]
        verdict = _enforcement(findings, ids)
        if verdict["state"] == "enforced":
            return f"  enforced: version {lst['version'] or '?'} ({verdict['text']})"
    return f"  enforced: {_enforcement(findings)['text']}"


def _check_notes(check: dict[str, Any]) -> list[str]:
    """What each side misses, what was left out of the comparison and why."""
    notes = []
    if check.get("missing_in_harness"):
        notes.append(f"harness did not find: {_short(check['missing_in_harness'])}")
    if check.get("missing_in_world"):
        notes.append(f"world did not receive: {_short(check['missing_in_world'])}")
    if check.get("unmapped"):
        notes.append(f"world keys with no device-facts counterpart: {_short(check['unmapped'])}")
    notes += [f"excluded {key}: {why}" for key, why in (check.get("excluded") or {}).items()]
    return [f"      {n}" for n in notes]


def _num(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "?"


def _short(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_short(v)}" for k, v in value.items())
    return str(value)
