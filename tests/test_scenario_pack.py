"""The example scenario pack (scenarios/ncsc_2021) on both bundled worlds: every claim holds in the
`compliant` world and is violated in `ncsc-2021`, with evidence that is real flows and agent events
in the run store (checked after the lab stopped, against the store on disk and the world's ground
truth). Nothing is mocked: the virtual handset's apps are JVMs behind the real mitmproxy, Frida
attaches to them, adb drives them.

One lab per world, one after the other (mitmproxy allows one proxy per process); each test needs
one of them only, so under xdist no worker starts a lab it does not use. The pack's own entry
(``python -m pytest scenarios/ncsc_2021 --harness-world compliant``) runs in a subprocess, as a
lab would run it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.capture.store import RunStore
from harness.demo.report import expected_verdicts
from harness.scenario import ClaimResult, LabSpec, open_lab
from harness.scenario.profile import load_profile
from harness.scenario.virtual import VirtualTarget
from harness.packs.ncsc_2021.claims import CLAIMS, verdict_of

pytestmark = pytest.mark.timeout(240)

ROOT = Path(__file__).resolve().parents[1]
PROFILE = load_profile("virtual-vendor")
SECURITY = PROFILE.app("security").package
(AD_CONFIG_HOST,) = PROFILE.host_role("ad_config").patterns
(SEARCH_HOST,) = PROFILE.host_role("search").patterns
COLLECTOR_SG = "tracking.intl.vendor.test"
#: the subprocess run of the pack may take this long (it starts its own lab)
PACK_TIMEOUT = 180


@dataclass
class PackRun:
    world: str
    run_dir: Path
    results: dict[str, ClaimResult]
    truth: dict[str, list[dict[str, Any]]]
    #: claim -> holds, by what the world did (its truth log and filtering switches)
    expected: dict[str, bool]
    #: assert_config_not_enforced on the search pair: (holds, details)
    enforcement: tuple[bool, str]


def _run_claims(world: str, root: Path) -> PackRun:
    spec = LabSpec(VirtualTarget(world), run_dir=root / "run", home=root / "home", root=root / "target",
                   handle_signals=False)
    with open_lab(spec) as lab:
        results = {claim.__name__: claim(lab) for claim in CLAIMS}
        assert lab.world.truth is not None
        truth = {event: lab.world.truth.entries(event) for event in ("config_served", "telemetry_received")}
        expected = expected_verdicts(lab.world, SECURITY, PROFILE.app("browser").package)
        enforcement = verdict_of(lambda: lab.assert_config_not_enforced("search-sensitive", "search-control"))
    assert lab.restore is not None and lab.restore.ok, lab.restore
    assert RunStore.open(lab.run_dir).status == "complete"
    return PackRun(world, lab.run_dir, results, truth, expected, (enforcement.holds, enforcement.details))


@pytest.fixture(scope="module")
def compliant(tmp_path_factory: pytest.TempPathFactory) -> PackRun:
    return _run_claims("compliant", tmp_path_factory.mktemp("compliant"))


@pytest.fixture(scope="module")
def ncsc(tmp_path_factory: pytest.TempPathFactory) -> PackRun:
    return _run_claims("ncsc-2021", tmp_path_factory.mktemp("ncsc"))


@pytest.fixture(scope="module")
def list_not_enforced(tmp_path_factory: pytest.TempPathFactory) -> PackRun:
    return _run_claims("list-not-enforced", tmp_path_factory.mktemp("not-enforced"))


def _verdicts(run: PackRun) -> dict[str, bool]:
    return {name: result.holds for name, result in run.results.items()}


def test_verdicts_equal_the_ground_truth_of_all_three_worlds(compliant, ncsc, list_not_enforced):
    for run in (compliant, ncsc, list_not_enforced):
        assert _verdicts(run) == run.expected, (run.world, {n: r.details for n, r in run.results.items()})
    # and the three worlds differ where they should: every claim holds / none does / list present, not enforced
    assert set(_verdicts(compliant).values()) == {True} and set(_verdicts(ncsc).values()) == {False}
    assert _verdicts(list_not_enforced) == {"no_keyword_blacklist": False, "personal_data_only_with_consent": False,
                                            "searches_never_restricted": True}


def test_list_present_is_told_from_list_enforced(ncsc, list_not_enforced):
    """The 2021 dispute: a list being downloaded is not the list being enforced."""
    holds, details = list_not_enforced.enforcement
    assert holds and details.startswith("list present: MiAdBlacklistConfig (449 terms); not enforced: "), details
    assert "449 terms" in list_not_enforced.results["no_keyword_blacklist"].details
    assert "not_filtered" in list_not_enforced.results["searches_never_restricted"].details
    holds, details = ncsc.enforcement
    assert not holds and details.startswith("list present: MiAdBlacklistConfig (449 terms); enforced: "), details


def _store_ids(run_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    store = RunStore.open(run_dir)
    try:
        return {f.id: f for f in store.iter_flows()}, {e.id: e for e in store.iter_events()}
    finally:
        store.close()


def test_every_claim_holds_in_the_compliant_world(compliant):
    run = compliant
    assert list(run.results) == [c.__name__ for c in CLAIMS]
    for result in run.results.values():
        assert result.holds, f"{result.claim}: {result.details}"
    # what the holding verdicts examined is in the run store: the security app's config request,
    # the browser's first-start traffic, the search pair's flows and rendered results
    flows, events = _store_ids(run.run_dir)
    for result in run.results.values():
        assert result.evidence and set(result.evidence) <= flows.keys() | events.keys(), result
    config = [flows[i] for i in run.results["no_keyword_blacklist"].evidence]
    assert {f.server_host for f in config} == {AD_CONFIG_HOST} and {f.status_code for f in config} == {200}
    # and the world agrees: it served no list, and its collectors received nothing (no consent)
    security = [e for e in run.truth["config_served"] if e["app"] == SECURITY]
    assert security and not any(e["served"] for e in security)
    assert run.truth["telemetry_received"] == []
    assert "no analytics consent" in run.results["personal_data_only_with_consent"].details


def test_every_claim_is_violated_in_the_ncsc_world_with_evidence_in_the_run_store(ncsc):
    run = ncsc
    for result in run.results.values():
        assert not result.holds, f"{result.claim} holds: {result.details}"
    flows, events = _store_ids(run.run_dir)
    for result in run.results.values():
        assert result.evidence and set(result.evidence) <= flows.keys() | events.keys(), result
        assert any(i in flows for i in result.evidence), f"{result.claim}: no flow among its evidence"

    # (a) the list came from the ad-config service to the security app, as many terms as were served
    blacklist = run.results["no_keyword_blacklist"]
    (flow,) = [flows[i] for i in blacklist.evidence]
    assert flow.server_host == AD_CONFIG_HOST and flow.step_id == "security-first-start"
    served = [e for e in run.truth["config_served"] if e["app"] == SECURITY]
    assert f"with {served[-1]['terms_count']} terms" in blacklist.details and served[-1]["terms_count"] == 449

    # (b) identifiers to Singapore, cited by the telemetry flow and the Cipher plaintext Frida saw
    pii = run.results["personal_data_only_with_consent"]
    assert "(SG)" in pii.details and "android_id" in pii.details
    assert {flows[i].server_host for i in pii.evidence if i in flows} == {COLLECTOR_SG}
    assert {events[i].type for i in pii.evidence if i in events} == {"crypto:plaintext"}
    assert run.truth["telemetry_received"], "the collector received nothing: the flow cannot be evidence"

    # (c) the sensitive search against its control: server answers equal, rendered results not
    search = run.results["searches_never_restricted"]
    assert "filtered" in search.details
    assert {flows[i].server_host for i in search.evidence if i in flows} == {SEARCH_HOST}
    rendered = [events[i] for i in search.evidence if i in events]
    assert {e.type for e in rendered} == {"ui:rendered"}
    assert {e.step_id for e in rendered} == {"search-sensitive", "search-control"}
    store = RunStore.open(run.run_dir)
    try:
        probes: dict[str, dict[str, Any]] = {s.id: s.info.get("probe") or {} for s in store.steps()}
    finally:
        store.close()
    assert probes["search-sensitive"]["role"] == "experiment" and probes["search-control"]["role"] == "control"


def test_the_pack_entry_passes_on_the_compliant_world(tmp_path):
    """What a lab runs: pytest on the pack, exit status 0 when every claim holds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not an xdist worker
    junit = tmp_path / "junit.xml"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "scenarios/ncsc_2021", "--harness-world", "compliant", "-q",
             "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "tmp"), "--junitxml", str(junit),
             "--harness-out", str(tmp_path / "out")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=PACK_TIMEOUT)
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed it
        pytest.fail(f"the pack did not finish within {PACK_TIMEOUT}s: {exc.stdout!r}")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout, done.stdout[-4000:]
    # the evidence of each claim is in the JUnit report, as the pack promises
    assert junit.read_text().count('name="evidence"') == 3


def test_the_guide_quotes_the_pack_verbatim():
    """Every ``# from PATH`` block in docs/scenarios.md is still, line for line, in PATH."""
    guide = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n# from (\S+)\n(.*?)```", guide, flags=re.S)
    assert len(blocks) >= 8, "the guide lost its excerpts of the pack"
    for path, body in blocks:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert body.rstrip("\n") in source, f"docs/scenarios.md quotes {path}, which no longer has:\n{body}"
