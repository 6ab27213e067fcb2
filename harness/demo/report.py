"""The demo's ``findings.json``: the findings document of the run
(:func:`harness.report.document.build_findings`, the one builder) plus the demo's own keys:
``setup`` and ``restore`` (how the device was prepared and restored) and ``ground_truth`` (what
the virtual world's own log says it did, compared with what the harness found).

The extras are kept in the run (``findings-extra.json``), so ``harness report RUN_DIR`` rebuilds
the same document from the run alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.demo.runner import DeviceRun

#: the packs the demo runs (their claim functions: harness.packs.ground_truth.ALL_CLAIMS)
PACKS = ("harness.packs.ncsc_2021", "harness.packs.vendor_claims")


def expected_verdicts(world: Any, security: str, browser: str, video: str = "com.vendor.video") -> dict[str, bool]:
    """Which claims of the packs (harness.packs) hold, by what the world did (its truth log and its
    filtering switches): claim function name -> holds (:func:`harness.packs.ground_truth.expected_verdicts`)."""
    from harness.packs.ground_truth import expected_verdicts as expected

    return expected(world, {"security": security, "browser": browser, "video": video})


def ground_truth(world: Any, doc: dict[str, Any], outcomes: list[Any], package: str,
                 security: str | None = None) -> dict[str, Any]:
    """What the world knows it did, next to what the harness found (findings document ``doc``)."""
    truth = world.truth
    served = truth.entries("config_served", app=package)
    config = served[-1] if served else None
    extracted = [int(r["terms"]) for r in doc["summary"]["config_lists"]]
    checks: list[dict[str, Any]] = []
    if config is not None:
        n_served = int(config.get("terms_count") or 0) if config.get("served") else 0
        n_found = max(extracted, default=0)
        checks.append({"check": "config terms served == terms the analysis extracted",
                       "world": n_served, "harness": n_found, "agrees": n_served == n_found})
    received = truth.entries("telemetry_received")
    checks.append(identifier_check(received, doc["findings"]))
    claims = doc.get("claims") or []
    if claims and security:
        expected = expected_verdicts(world, security, package)
        found = {str(c.get("id", "")).rsplit(".", 1)[-1]: c["verdict"] for c in claims}
        show = {name: "holds" if v else "violated" for name, v in expected.items()}
        checks.append({"check": "claim verdicts == what the world did",
                       "world": show, "harness": found, "agrees": show == found})
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


def identifier_check(received: list[dict[str, Any]], findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The identifiers the collectors received (world names mapped to facts keys) against the
    identifiers the harness found sent to those collectors (``findings`` of the findings document):
    equal sets, or what each side misses."""
    world_keys = {i for e in received for i in e.get("identifiers") or []}
    world = sorted({TELEMETRY_TO_FACTS[k] for k in world_keys if k in TELEMETRY_TO_FACTS})
    unmapped = sorted(world_keys - TELEMETRY_TO_FACTS.keys() - EXCLUDED_TELEMETRY_KEYS.keys())
    collectors = {e.get("host") for e in received}
    facts_keys = set(TELEMETRY_TO_FACTS.values())

    def values(kind: str) -> list[str]:
        return sorted({str(f["details"].get("value")) for f in findings if f["kind"] == kind
                       and f["details"].get("value") in facts_keys and f["details"].get("destination") in collectors})

    harness = values("pii_sent")
    return {"check": "device identifiers the collector received == identifiers the harness found sent to it",
            "world": world, "harness": harness, "harness_abroad": values("pii_abroad"),
            "missing_in_harness": sorted(set(world) - set(harness)),
            "missing_in_world": sorted(set(harness) - set(world)),
            "excluded": {k: EXCLUDED_TELEMETRY_KEYS[k] for k in sorted(world_keys & EXCLUDED_TELEMETRY_KEYS.keys())},
            "unmapped": unmapped,
            "agrees": world == harness and not unmapped}


def build_document(run_dir: Path, world: Any, inputs: DeviceRun, home: Path) -> dict[str, Any]:
    """Analyse the run (its claims were saved to ``claims.jsonl`` as they were decided) and build
    the demo's findings document: :func:`~harness.report.document.build_findings` with the
    ``setup``/``restore`` extras, then the ground-truth comparison added (:func:`add_extra`)."""
    from harness.report.document import add_extra, build_findings
    from harness.scenario.profile import load_profile

    profile = load_profile("virtual-vendor")
    browser, security = profile.app("browser").package, profile.app("security").package
    doc = build_findings(run_dir, home=home, scenarios=PACKS, extra={
        "setup": {"proxy": inputs.proxy, "ca_method": inputs.ca_method},
        "restore": inputs.restore})
    return add_extra(run_dir, doc, {"ground_truth": ground_truth(world, doc, inputs.outcomes, browser, security)})
