"""The demo's ``findings.json`` (findings contract, /work/shared/DESIGN.md) and its comparison with the
virtual world's ground truth.

The document: ``run_id``, ``harness_version``, ``created_at`` (UTC ISO 8601), ``status``, ``world``,
``device`` (the facts), ``tool_versions``, ``scenarios``, ``steps`` (id, name, action, start/end,
flow ids, event ids), ``findings`` (kind, verdict, severity, rule, summary, evidence, details),
``summary`` (what the human summary prints) and ``ground_truth``.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from harness import __version__
from harness.demo.runner import DeviceRun
from harness.fsutil import write_private
from harness.report.versions import tool_versions

SCHEMA = "harness.findings/1"


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).isoformat().replace("+00:00", "Z")


def _steps(store: Any) -> list[dict[str, Any]]:
    flows: dict[str | None, list[str]] = defaultdict(list)
    events: dict[str | None, list[str]] = defaultdict(list)
    for f in store.iter_flows():
        flows[f.step_id].append(f.id)
    for e in store.iter_events():
        events[e.step_id].append(e.id)
    return [{"id": s.id, "name": s.name, "action": s.action, "info": s.info,
             "started_at": iso(s.started_at), "ended_at": iso(s.ended_at),
             "flow_ids": flows.get(s.id, []), "event_ids": events.get(s.id, [])} for s in store.steps()]


def _records(frame: Any) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records")) if not frame.empty else []


def summarise(analysis: Any, store: Any) -> dict[str, Any]:
    """The facts the human summary prints, as plain data."""
    dest = analysis.destinations
    destinations = [{k: r.get(k) for k in ("host", "server_ip", "country", "jurisdiction", "geo_source", "flows")}
                    for r in _records(dest)]
    by_country: dict[tuple[str, str], list[str]] = defaultdict(list)
    for d in destinations:
        by_country[(d["country"] or "??", d["jurisdiction"] or "unknown")].append(d["host"] or d["server_ip"] or "?")
    lists: list[dict[str, Any]] = []
    seen: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in _records(analysis.lists):
        key = (r["name"], r.get("digest"))
        if key in seen:  # the same list fetched again (by another app, or at another start)
            seen[key]["downloads"] += 1
            seen[key]["flow_ids"].append(r.get("flow_id"))
            continue
        terms = r.get("terms") or []
        sensitive = [t for t in terms if t in set(r.get("sensitive") or [])] or list(r.get("sensitive") or [])
        lists.append({"name": r["name"], "version": r.get("version"), "update_time": r.get("update_time"),
                      "terms": r["n_terms"], "host": r.get("host"), "chain": r.get("chain"),
                      "flow_id": r.get("flow_id"), "flow_ids": [r.get("flow_id")], "downloads": 1,
                      "sample_terms": (sensitive + [t for t in terms if t not in sensitive])[:5]})
        seen[key] = lists[-1]
    pii = []
    for f in analysis.finding_list:
        if f.kind in ("pii_abroad", "pii_sent"):
            d = f.details
            pii.append({"kind": f.kind, "value": d.get("value"), "destination": d.get("destination"),
                        "countries": d.get("countries"), "jurisdictions": d.get("jurisdictions"),
                        "chains": d.get("chains"), "forms": d.get("forms"), "locations": d.get("locations")})
    filtering = [{"verdict": f.verdict, "summary": f.summary, "step_id": f.step_id,
                  "details": f.to_dict()["details"]} for f in analysis.finding_list if f.kind == "filtered"]
    bypassed = [e for e in store.iter_events(type_prefix="unpin:")]
    tls_failures = [f for f in store.iter_flows(kind="tls_failure")]
    pinning = {
        "unpin_bypassed": len(bypassed),
        "bypassed": sorted({f"{(e.payload or {}).get('target', '?')} @ {(e.payload or {}).get('host') or '?'}"
                            for e in bypassed}),
        "tls_failures": len(tls_failures),
        "tls_failure_hosts": sorted({f.server_host or f.sni or f.server_ip or "?" for f in tls_failures}),
    }
    crypto = sum(1 for _ in store.iter_events(type_prefix="crypto:"))
    return {
        "counts": {"flows": len(analysis.flows), "agent_events": len(analysis.agent_events),
                   "crypto_plaintext_events": crypto, "findings": len(analysis.finding_list)},
        "destinations": destinations,
        "destinations_by_country": [{"country": c, "jurisdiction": j, "hosts": sorted(set(h))}
                                    for (c, j), h in sorted(by_country.items())],
        "config_lists": lists,
        "personal_data": pii,
        "filtering": filtering,
        "pinning": pinning,
        "incomplete_analysis": analysis.incomplete,
    }


def expected_verdicts(world: Any, security: str, browser: str, video: str = "com.vendor.video") -> dict[str, bool]:
    """Which claims of the packs (harness.packs) hold, by what the world did (its truth log and its
    filtering switches): claim function name -> holds (:func:`harness.packs.ground_truth.expected_verdicts`)."""
    from harness.packs.ground_truth import expected_verdicts as expected

    return expected(world, {"security": security, "browser": browser, "video": video})


def ground_truth(world: Any, analysis: Any, outcomes: list[Any], package: str,
                 claims: list[Any] | None = None, security: str | None = None) -> dict[str, Any]:
    """What the world knows it did, next to what the harness found."""
    truth = world.truth
    served = truth.entries("config_served", app=package)
    config = served[-1] if served else None
    extracted = [int(r["n_terms"]) for r in _records(analysis.lists)]
    checks: list[dict[str, Any]] = []
    if config is not None:
        n_served = int(config.get("terms_count") or 0) if config.get("served") else 0
        n_found = max(extracted, default=0)
        checks.append({"check": "config terms served == terms the analysis extracted",
                       "world": n_served, "harness": n_found, "agrees": n_served == n_found})
    received = truth.entries("telemetry_received")
    checks.append(identifier_check(received, analysis.finding_list))
    if claims and security:
        from harness.packs.ground_truth import ALL_CLAIMS

        expected = expected_verdicts(world, security, package)
        found = {check.__name__: c.holds for check, c in zip(ALL_CLAIMS, claims, strict=False)}
        show = {name: "holds" if v else "violated" for name, v in expected.items()}
        checks.append({"check": "claim verdicts == what the world did",
                       "world": show, "harness": {n: "holds" if v else "violated" for n, v in found.items()},
                       "agrees": expected == found})
    for step in outcomes:
        subject = step.term
        if not subject or "ads" not in step.rendered:
            continue
        ads = truth.entries("ads_served", app=package, subject=subject)
        if not ads:
            continue
        expected_ads = [a["id"] for a in ads[-1]["ads"] if not a["terms"] or not world.config.filtering.browser_ads]
        shown = [a.get("id") for a in step.rendered.get("ads", [])]
        checks.append({"check": f"{step.id}: ads the world expects shown for {subject!r} == ads the app rendered",
                       "world": {"served": len(ads[-1]["ads"]), "expected_shown": expected_ads},
                       "harness": {"rendered": shown}, "agrees": expected_ads == shown})
    return {"config_served": config and {k: config.get(k) for k in (
                "served", "enable", "version", "terms_count", "terms_digest", "gated", "region")},
            "telemetry_received": len(received), "checks": checks}


#: the world's telemetry keys for device identifiers -> the device-facts keys analysis reports
TELEMETRY_TO_FACTS = {"android_id": "android_id", "serial_no": "serial", "imei": "imei",
                      "oaid": "advertising_id"}
#: telemetry keys the world counts as identifiers that are not device-identifier facts, and why
EXCLUDED_TELEMETRY_KEYS = {
    "device_model": "not an identifier fact: every unit of a model shares it (facts keep it as "
                    "'model'; analysis does not search for it)",
}


def identifier_check(received: list[dict[str, Any]], findings: list[Any]) -> dict[str, Any]:
    """The identifiers the collectors received (world names mapped to facts keys) against the
    identifiers the harness found sent to those collectors: equal sets, or what each side misses."""
    world_keys = {i for e in received for i in e.get("identifiers") or []}
    world = sorted({TELEMETRY_TO_FACTS[k] for k in world_keys if k in TELEMETRY_TO_FACTS})
    unmapped = sorted(world_keys - TELEMETRY_TO_FACTS.keys() - EXCLUDED_TELEMETRY_KEYS.keys())
    collectors = {e.get("host") for e in received}
    facts_keys = set(TELEMETRY_TO_FACTS.values())

    def values(kind: str) -> list[str]:
        return sorted({str(f.details.get("value")) for f in findings if f.kind == kind
                       and f.details.get("value") in facts_keys and f.details.get("destination") in collectors})

    harness = values("pii_sent")
    return {"check": "device identifiers the collector received == identifiers the harness found sent to it",
            "world": world, "harness": harness, "harness_abroad": values("pii_abroad"),
            "missing_in_harness": sorted(set(world) - set(harness)),
            "missing_in_world": sorted(set(harness) - set(world)),
            "excluded": {k: EXCLUDED_TELEMETRY_KEYS[k] for k in sorted(world_keys & EXCLUDED_TELEMETRY_KEYS.keys())},
            "unmapped": unmapped,
            "agrees": world == harness and not unmapped}


def build_document(run_dir: Path, world: Any, inputs: DeviceRun, home: Path) -> dict[str, Any]:
    """Analyse the run and build the findings.json document."""
    from harness.analysis import Options, analyze
    from harness.analysis.geo import GeoResolver, load_overrides
    from harness.capture.store import RunStore
    from harness.scenario.profile import load_profile

    profile = load_profile("virtual-vendor")
    browser, security = profile.app("browser").package, profile.app("security").package
    geo = GeoResolver(load_overrides(world.geo_file))
    analysis = analyze(run_dir, Options(geo=geo, lists_dir=home / "lists"))
    ro = RunStore.open(run_dir)
    meta = ro.meta()
    findings = []
    for i, f in enumerate(analysis.finding_list, 1):
        findings.append({"id": f"F{i}", **f.to_dict()})
    return {
        "schema": SCHEMA,
        "run_id": meta.get("run_id") or run_dir.name,
        "harness_version": __version__,
        "created_at": iso(datetime.datetime.now(datetime.UTC).timestamp()),
        "run_dir": str(run_dir),
        "status": ro.status,
        "started_at": iso(meta.get("created_at")),
        "ended_at": iso(meta.get("closed_at")),
        "world": {"name": world.config.name, "geo_overrides": world.geo_overrides},
        "geo": analysis.meta.get("geo"),
        "device": {**inputs.facts, "collected_at": iso(inputs.facts.get("collected_at"))},
        "tool_versions": tool_versions(),
        "scenarios": ["harness.packs.ncsc_2021", "harness.packs.vendor_claims"],
        "claims": claims_of(inputs.claims, {f.id for f in ro.iter_flows()}),
        "steps": _steps(ro),
        "findings": findings,
        "setup": {"proxy": inputs.proxy, "ca_method": inputs.ca_method},
        "restore": {"verified": inputs.restore_ok, "report": inputs.restore_lines},
        "summary": summarise(analysis, ro),
        "ground_truth": ground_truth(world, analysis, inputs.outcomes, browser, inputs.claims, security),
    }


def claims_of(results: list[Any], flow_ids: set[str]) -> list[dict[str, Any]]:
    """The claims in the findings contract's shape (docs/dev/contracts.md): ``id`` (the check),
    ``text``, ``verdict`` (``holds`` / ``violated``), ``evidence`` split into flow and event ids;
    plus ``details``, ``rule`` and ``numbers``."""
    from harness.packs.ground_truth import ALL_CLAIMS

    out = []
    for check, c in zip(ALL_CLAIMS, results, strict=False):
        out.append({"id": check.__name__, "text": c.claim, "verdict": "holds" if c.holds else "violated",
                    "evidence": {"flow_ids": [i for i in c.evidence if i in flow_ids],
                                 "event_ids": [i for i in c.evidence if i not in flow_ids]},
                    "details": c.details, "rule": c.rule, "numbers": c.numbers})
    return out


def write_document(run_dir: Path, doc: dict[str, Any]) -> Path:
    path = Path(run_dir) / "findings.json"
    write_private(path, json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
