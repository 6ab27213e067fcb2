"""The packs (harness.packs.ncsc_2021, harness.packs.vendor_claims) on the three bundled worlds:
every claim holds on `compliant`, is violated with the right findings on `ncsc-2021` (web browsing
excepted: no world withholds a page), and on `list-not-enforced` the list claims are violated (the
list is present) while the filtering claims hold (not enforced). The verdicts are compared with
what the world did (its ground-truth log, harness.packs.ground_truth), and every evidence id is a
flow or agent event in the run store (checked after the lab stopped, on disk). Nothing is mocked:
the virtual handset's apps are JVMs behind the real mitmproxy, Frida attaches to them, adb drives.

One lab per world (mitmproxy allows one proxy per process), each running every claim function of
both packs once; each test needs one or more of them. The pack's own entry (pytest on
harness/packs/<pack> with the harness plugin's lab and verdict fixtures) runs in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.capture.store import RunStore
from harness.packs.ground_truth import ALL_CLAIMS, expected_verdicts
from harness.packs.ncsc_2021.claims import searches_never_restricted
from harness.packs.vendor_claims.claims import ad_management_limited_to_ads
from harness.report.document import build_findings
from harness.report.html import render_report
from harness.scenario import ClaimResult, Inconclusive, LabSpec, open_lab
from harness.scenario.claims import verdict_of
from harness.scenario.profile import load_profile
from harness.scenario.virtual import VirtualTarget

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # the first test opens all three labs (~1-2 min each under load)

ROOT = Path(__file__).resolve().parents[1]
PROFILE = load_profile("virtual-vendor")
PACKAGES = {role: PROFILE.app(role).package for role in ("security", "browser", "video")}
(AD_CONFIG_HOST,) = PROFILE.host_role("ad_config").patterns
(SEARCH_HOST,) = PROFILE.host_role("search").patterns
(ADS_HOST,) = PROFILE.host_role("ads").patterns
#: the virtual messenger's server (no host role of the profile)
CHAT_HOST = "chat.chatapp.test"
COLLECTOR_SG = "tracking.intl.vendor.test"
#: the subprocess run of a pack may take this long (it starts its own lab)
PACK_TIMEOUT = 300
#: a control term the ncsc-2021 world's list matches ("Dalai Lama" is on it), as a user might type it
LISTED_CONTROL = "dalai LAMA biography"
#: the pages the web-browsing claim opens are on this host
PAGES_HOST = "cdn.pages.test"
LIST_CLAIMS = ("no_keyword_blacklist", "no_app_downloads_a_list_at_first_start",
               "keyword_list_unchanged_between_downloads", "eu_region_gets_no_list")


@dataclass
class PackRun:
    world: str
    run_dir: Path
    results: dict[str, ClaimResult]
    #: claims that raised Inconclusive (name -> reason): none expected on a virtual world
    inconclusive: dict[str, str]
    truth: dict[str, list[dict[str, Any]]]
    expected: dict[str, bool]
    #: assert_config_not_enforced on the search pair: (holds, details)
    enforcement: tuple[bool, str]
    #: the search claims with a control term that is on the world's list (name -> verdict or
    #: "inconclusive: REASON"); ncsc-2021 only, where the list is enforced (both sides cut alike)
    listed_control: dict[str, str]


def _run_claims(world: str, root: Path) -> PackRun:
    spec = LabSpec(VirtualTarget(world), run_dir=root / "run", home=root / "home", root=root / "target",
                   handle_signals=False)
    results: dict[str, ClaimResult] = {}
    inconclusive: dict[str, str] = {}
    with open_lab(spec) as lab:
        for claim in ALL_CLAIMS:
            try:
                results[claim.__name__] = claim(lab)
            except Inconclusive as exc:
                inconclusive[claim.__name__] = str(exc)
        assert lab.world.truth is not None
        truth = {event: lab.world.truth.entries(event)
                 for event in ("config_served", "telemetry_received", "chat_accepted", "terms_in_force")}
        expected = expected_verdicts(lab.world, PACKAGES)
        enforcement = verdict_of(lambda: lab.assert_config_not_enforced("search-sensitive", "search-control"))
        listed_control: dict[str, str] = {}
        if world == "ncsc-2021":  # a control on the list: the listed form differs (case, a longer query)
            for claim in (searches_never_restricted, ad_management_limited_to_ads):
                try:
                    outcome = claim(lab, control=LISTED_CONTROL)  # type: ignore[call-arg]
                    listed_control[claim.__name__] = "holds" if outcome.holds else "violated"
                except Inconclusive as exc:
                    listed_control[claim.__name__] = f"inconclusive: {exc.reason}"
    assert lab.restore is not None and lab.restore.ok, lab.restore
    assert RunStore.open(lab.run_dir).status == "complete"
    return PackRun(world, lab.run_dir, results, inconclusive, truth, expected,
                   (enforcement.holds, enforcement.details), listed_control)


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


def _store_ids(run_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    store = RunStore.open(run_dir)
    try:
        return {f.id: f for f in store.iter_flows()}, {e.id: e for e in store.iter_events()}
    finally:
        store.close()


def _evidence_in_store(run: PackRun) -> tuple[dict[str, Any], dict[str, Any]]:
    flows, events = _store_ids(run.run_dir)
    for result in run.results.values():
        assert result.evidence and set(result.evidence) <= flows.keys() | events.keys(), result
        assert any(i in flows for i in result.evidence), f"{result.claim}: no flow among its evidence"
    return flows, events


def _cites_what_it_compared(result: ClaimResult, flows: dict[str, Any], events: dict[str, Any],
                            steps: tuple[str, ...]) -> None:
    """The ad-scope claim cites what its comparison used, and only that: every answered request of
    its two searches to the search and ads servers (each carrying its term), what the browser
    rendered, and no other flow of the same steps (the pinned tracker's failed handshakes: trial 1
    finding 10, trial 6 finding 15)."""
    surfaces = {SEARCH_HOST, ADS_HOST}
    mine = {i: f for i, f in flows.items() if f.step_id in steps}
    used = {i for i, f in mine.items() if f.server_host in surfaces and f.status_code == 200}
    assert {f.server_host for i, f in mine.items() if i in used} == surfaces  # both surfaces' servers answered
    assert {mine[i].step_id for i in used} == set(steps)
    cited = {i for i in result.evidence if i in flows}
    assert cited == used, {i: (flows[i].kind, flows[i].server_host) for i in cited ^ used}
    assert {events[i].type for i in result.evidence if i in events} == {"ui:rendered"}
    assert {events[i].step_id for i in result.evidence if i in events} == set(steps)


def _chat_cites_its_messages(result: ClaimResult, flows: dict[str, Any]) -> None:
    """The messenger claim cites the flows that carried its messages and their echoes (the chat
    server's), not another app's config download nor the long poll the stop cut (kind ``error``)."""
    cited = [flows[i] for i in result.evidence if i in flows]
    assert {f.server_host for f in cited} == {CHAT_HOST} and {f.kind for f in cited} == {"http"}, \
        [(f.kind, f.server_host) for f in cited]
    sent = [f for f in cited if f.method == "POST"]
    echoes = [f for f in cited if f.method == "GET"]
    assert len(sent) == 2 and echoes, [(f.method, f.url) for f in cited]


def test_verdicts_equal_the_ground_truth_of_all_three_worlds(compliant, ncsc, list_not_enforced):
    names = [c.__name__ for c in ALL_CLAIMS]
    for run in (compliant, ncsc, list_not_enforced):
        assert run.inconclusive == {}, (run.world, run.inconclusive)
        assert list(run.results) == names
        assert _verdicts(run) == run.expected, (run.world, {n: r.details for n, r in run.results.items()})
    # and the worlds differ where they should
    assert set(_verdicts(compliant).values()) == {True}
    assert [n for n, holds in _verdicts(ncsc).items() if holds] == ["web_browsing_not_restricted"]
    holding = {n for n, holds in _verdicts(list_not_enforced).items() if holds}
    assert holding == {"searches_never_restricted", "searches_not_restricted", "web_browsing_not_restricted",
                       "communication_not_restricted", "ad_management_limited_to_ads"}


def test_every_claim_holds_in_the_compliant_world_on_what_was_observed(compliant):
    run = compliant
    flows, events = _evidence_in_store(run)
    # the config requests were answered, without a list, by the ad-config service
    config = [flows[i] for i in run.results["no_app_downloads_a_list_at_first_start"].evidence]
    assert {f.server_host for f in config} == {AD_CONFIG_HOST} and {f.status_code for f in config} == {200}
    assert {f.step_id for f in config} == {"security-first-start", "browser-first-start", "video-first-start"}
    assert not [e for e in run.truth["config_served"] if e["served"]]
    assert run.truth["telemetry_received"] == []  # no consent: nothing was sent
    assert "no analytics consent" in run.results["personal_data_only_after_consent"].details
    # "not pinned" rests on what was seen: decrypted flows, with the unpin agent's pin checks hooked
    pinning = run.results["telemetry_not_pinned"]
    assert "flows of the browser were decrypted through the lab's proxy" in pinning.details
    assert "no pin met (unpin hooked " in pinning.details and pinning.evidence, pinning
    assert "both echoes" in run.results["communication_not_restricted"].details
    # a claim that holds cites the flows it examined: none that failed before carrying anything
    for name in ("personal_data_only_with_consent", "personal_data_only_after_consent", "telemetry_not_pinned"):
        assert {flows[i].kind for i in run.results[name].evidence if i in flows} <= {"http", "websocket", "tcp"}, name
    # web browsing rests on the two page loads, not on what else the browser sent meanwhile
    assert {flows[i].server_host for i in run.results["web_browsing_not_restricted"].evidence if i in flows} \
        == {PAGES_HOST}
    _cites_what_it_compared(run.results["ad_management_limited_to_ads"], flows, events,
                            ("search-sensitive", "search-control"))
    _chat_cites_its_messages(run.results["communication_not_restricted"], flows)


def test_the_ncsc_findings_are_reproduced_with_evidence_in_the_run_store(ncsc):
    run = ncsc
    flows, events = _evidence_in_store(run)
    r = run.results
    # which apps download the list at first start, from which host and country; its size and version
    first = r["no_app_downloads_a_list_at_first_start"]
    assert {flows[i].step_id for i in first.evidence} == {"security-first-start", "browser-first-start",
                                                        "video-first-start"}
    assert {flows[i].server_host for i in first.evidence} == {AD_CONFIG_HOST}
    assert first.details.count("v2021092301 (449 terms) from globalapi.ad.vendor.test (SG)") == 3
    # the diff between two downloads, as the world published it
    served = [e for e in run.truth["config_served"] if e["app"] == PACKAGES["security"]]
    assert [e["version"] for e in served[:2]] == [2021092301, 2021100801]
    diff = r["keyword_list_unchanged_between_downloads"]
    assert "v2021092301 (449 terms) -> v2021100801 (449 terms)" in diff.details
    assert "+1 ['Taiwanese Representative Office']" in diff.details and "-1 ['Asus ROG']" in diff.details
    # the region gate: on for SG, and on for LT (EU) too, by the remote switch
    gate = r["eu_region_gets_no_list"]
    assert gate.numbers["eu_terms"] == gate.numbers["other_terms"] == 449 and gate.numbers["remote_switch"]
    regions = {(e["region"], e["remote_switch"]) for e in run.truth["config_served"] if e["app"] == PACKAGES["security"]}
    assert {("LT", True), ("SG", True)} <= regions
    # ... and the claim cites both downloads it compares (the LT one and the SG one)
    assert {flows[i].step_id for i in gate.evidence} == {"security-first-start", "security-region-sg"}
    web = r["web_browsing_not_restricted"]  # the page loads, not the failed telemetry of the same steps
    assert {flows[i].server_host for i in web.evidence if i in flows} == {PAGES_HOST}
    # a control term on the list: both sides are cut alike, so no search claim may hold on that pair
    for name, said in run.listed_control.items():
        assert said.startswith(f"inconclusive: control term '{LISTED_CONTROL}' is on the list MiAdBlacklistConfig "
                               "found in flow "), (name, said)
    assert set(run.listed_control) == {"searches_never_restricted", "ad_management_limited_to_ads"}
    # a list version is "enforced" only when it was the one in force for a filtered comparison
    doc = build_findings(run.run_dir)
    assert len(doc["summary"]["config_lists"]) == 2  # two versions were downloaded
    html = render_report(doc)
    said = re.findall(r"Enforced:</b> ([^<]*)", html)
    assert [t.split(" — ")[0] for t in said].count("yes") == 1, said
    assert [t.split(" — ")[0] for t in said].count("not shown for this version") == 1, said
    (cut,) = [f for f in doc["findings"] if f["kind"] == "filtered" and f["step_id"] == "search-sensitive"]
    assert flows[cut["details"]["list_in_force"]].step_id == "browser-start"
    # listed terms filtered against control terms: server answers equal, rendered results not
    search = r["searches_never_restricted"]
    assert "filtered" in search.details
    assert {flows[i].server_host for i in search.evidence if i in flows} == {SEARCH_HOST}
    assert {events[i].type for i in search.evidence if i in events} == {"ui:rendered"}
    scope = r["ad_management_limited_to_ads"]
    assert scope.numbers["suggestions_listed"] < scope.numbers["suggestions_control"]
    # the search steps also saw the pinned tracker's failed handshakes (the browser's usage event
    # after each search): not evidence of what the searches showed, so not cited
    pinned = [i for i, f in flows.items() if f.step_id in ("search-sensitive", "search-control")
              and f.kind == "tls_failure" and f.server_host == COLLECTOR_SG]
    assert pinned and not set(pinned) & set(scope.evidence), (pinned, scope.evidence)
    _cites_what_it_compared(scope, flows, events, ("search-sensitive", "search-control"))
    # identifiers to Singapore, cited by the telemetry flow and the Cipher plaintext Frida saw
    for name in ("personal_data_only_with_consent", "transfers_only_to_adequate_jurisdictions"):
        pii = r[name]
        assert "(SG)" in pii.details and "android_id" in pii.details, pii.details
        assert {flows[i].server_host for i in pii.evidence if i in flows} == {COLLECTOR_SG}
        assert {events[i].type for i in pii.evidence if i in events} == {"crypto:plaintext"}
    assert any(e["identifiers"] for e in run.truth["telemetry_received"])
    # pinning met and bypassed: the unpin events and the flow captured after the bypass
    pin = r["telemetry_not_pinned"]
    assert {events[i].type for i in pin.evidence if i in events} == {"unpin:bypassed"}
    assert {flows[i].server_host for i in pin.evidence if i in flows} == {COLLECTOR_SG}
    # its reasoning counts in the noun's number (trial 6: "1 checks), 1 flows captured")
    assert not re.search(r"\b1 (checks|flows|hosts)\b", pin.details), pin.details
    assert re.search(r"\d+ checks?\), \d+ flows? captured", pin.details), pin.details
    # the messenger's sensitive echo was delivered by its server, but not shown
    chat = r["communication_not_restricted"]
    assert "suppressed" in chat.details and [e for e in run.truth["chat_accepted"] if e["terms"] and e["enforced"]]
    _chat_cites_its_messages(chat, flows)


def test_list_present_is_told_from_list_enforced(ncsc, list_not_enforced):
    """The 2021 dispute: a list being downloaded is not the list being enforced."""
    _evidence_in_store(list_not_enforced)
    for name in LIST_CLAIMS:
        assert not list_not_enforced.results[name].holds, name
    assert "449 terms" in list_not_enforced.results["no_keyword_blacklist"].details
    assert "not_filtered" in list_not_enforced.results["searches_never_restricted"].details
    holds, details = list_not_enforced.enforcement
    assert holds and re.match(r"list present: MiAdBlacklistConfig \(449 terms\); not enforced: ", details), details
    holds, details = ncsc.enforcement
    assert not holds and re.match(r"list present: MiAdBlacklistConfig \(449 terms\); enforced: ", details), details


def test_a_pack_runs_through_the_pytest_plugin(tmp_path):
    """What a lab runs: pytest on the pack with the harness plugin's lab and verdict fixtures; a
    violated claim fails its test (exit 1) and every claim is kept in the run's claims.jsonl."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not an xdist worker
    out = tmp_path / "out"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "harness/packs/vendor_claims", "--harness-world", "ncsc-2021",
             "--harness-out", str(out), "-k", "communication or transfers", "-q", "-p", "no:cacheprovider",
             "--basetemp", str(tmp_path / "tmp")],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=PACK_TIMEOUT)
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed it
        pytest.fail(f"the pack did not finish within {PACK_TIMEOUT}s: {exc.stdout!r}")
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-2000:]
    assert "2 failed" in done.stdout, done.stdout[-4000:]
    (claims_file,) = out.glob("*/*/*/claims.jsonl")
    records = [json.loads(line) for line in claims_file.read_text().splitlines()]
    assert sorted((r["id"].rsplit(".", 1)[-1], r["verdict"]) for r in records) == [
        ("test_communication_not_restricted", "violated"), ("test_transfers_only_to_adequate_jurisdictions", "violated")]
    assert all(r["text"].startswith("Xiaomi") and r["evidence"]["flow_ids"] for r in records)


#: a world whose list carries the packs' control term, filtering on (trial report 2026-12-01, item 1)
CONTROL_LISTED_WORLD = """\
name: control-listed
ad_config:
  add_terms: ["fresh bread recipes"]
  region_gate:
    remote_switch: true
filtering:
  browser_ads: true
  browser_suggestions: true
"""


def test_a_control_term_on_the_list_makes_the_search_claims_inconclusive(tmp_path):
    """Both searches are cut alike when the control is listed: no claim may hold on that pair.
    ``harness run`` (its pytest child starts the labs) exits 3 and says why, citing the list's flow
    in the text and in the claim record's evidence (trial report 5, finding 17)."""
    import io

    from harness.cli.context import Env
    from harness.cli.main import main

    world = tmp_path / "control-listed.yaml"
    world.write_text(CONTROL_LISTED_WORLD)
    out, err = io.StringIO(), io.StringIO()
    code = main(["run", "ncsc_2021", "vendor_claims", "--world", str(world), "-k", "searches or searching",
                 "--out", str(tmp_path / "runs")], Env(stdout=out, stderr=err, home=tmp_path / "home"))
    assert code == 3, out.getvalue()[-3000:] + err.getvalue()[-2000:]
    (session,) = (tmp_path / "runs").glob("*/findings.json")
    claims = json.loads(session.read_text())["claims"]
    assert [c["verdict"] for c in claims] == ["inconclusive", "inconclusive"], claims
    for c in claims:
        m = re.match(r"control term 'fresh bread recipes' is on the list MiAdBlacklistConfig found in flow (\S+): ",
                     c["details"])
        assert m, c["details"]
        # the claim record cites the list's flow (scenarios.md: "that flow cited") and the pair's flows
        assert m.group(1) in c["evidence"]["flow_ids"] and len(c["evidence"]["flow_ids"]) > 1, c["evidence"]
        (lab_doc,) = [json.loads(p.read_text()) for p in session.parent.glob("main/*/findings.json")
                      if c["id"].split(".")[0] in p.parent.name]
        cited = {f["kind"] for f in lab_doc["findings"] if m.group(1) in f["evidence"]["flow_ids"]}
        assert cited == {"config_list", "filtered"}, cited  # the list's download, cited by the comparison


def test_the_guide_quotes_the_packs_verbatim():
    """Every ``# from PATH`` block in docs/scenarios.md is still, line for line, in PATH."""
    guide = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n# from (\S+)\n(.*?)```", guide, flags=re.S)
    assert len(blocks) >= 8, "the guide lost its excerpts of the packs"
    for path, body in blocks:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert body.rstrip("\n") in source, f"docs/scenarios.md quotes {path}, which no longer has:\n{body}"
