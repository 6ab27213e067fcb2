"""``harness demo`` end to end: the real virtual world (TLS servers), the virtual handset behind the
real adb server, the real mitmproxy, Frida attached to the real browser JVM, analysis.

Each run calls ``harness.cli.main.main`` with a capturing ``Env`` in a fresh ``spawn`` interpreter
(``harness.testing.isolated``): mitmproxy allows one proxy per process and other test modules of this
session may hold one. The child also reports processes and listening servers left behind, while
their parent is still alive. Nothing is mocked.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import signal
import stat
from pathlib import Path

import pytest
from markupsafe import escape

from harness.capture.store import RunStore
from harness.cli.context import Env
from harness.cli.main import main
from harness.packs.ground_truth import ALL_CLAIMS
from harness.report.contract import validation_errors
from harness.testing.isolated import IsolatedRun, run_isolated

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300), pytest.mark.xdist_group("demo")]

#: what the world's violating telemetry calls an identifier -> the device-facts name analysis reports
TELEMETRY_TO_FACTS = {"android_id": "android_id", "serial_no": "serial", "imei": "imei", "oaid": "advertising_id"}
#: every identifier fact the violating browser telemetry carries (device_model is no identifier fact)
ALL_IDENTIFIERS = {"advertising_id", "android_id", "imei", "serial"}
#: the claims of both packs, in the order the demo runs them
CLAIM_NAMES = [claim.__name__ for claim in ALL_CLAIMS]


def _truth(run_dir: Path, event: str) -> list[dict]:
    lines = (run_dir / "artifacts" / "world-truth.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == event]


def _demo(tmp_path_factory: pytest.TempPathFactory, world: str, *extra: str) -> tuple[IsolatedRun, Path, Path]:
    root = tmp_path_factory.mktemp("demo-" + Path(world).stem)
    home, run_dir = root / "home", root / "run"
    result = run_isolated(["demo", "--world", world, "--out", str(run_dir), *extra], home)
    return result, run_dir, home


def _assert_clean(result: IsolatedRun, home: Path) -> None:
    assert result.leftover_processes == [], result.leftover_processes
    assert result.probed_addresses == 10  # proxy, adb daemon, 8 world servers
    assert result.open_addresses == [], result.open_addresses
    assert list((home / "journals").glob("*.jsonl")) == [], "a restore journal was left: device not restored"
    assert result.frida_dirs == [], f"Frida left helper folders behind: {result.frida_dirs}"


@pytest.fixture(scope="module")
def ncsc(tmp_path_factory):
    result, run_dir, home = _demo(tmp_path_factory, "ncsc-2021")
    assert result.code == 0, result.stdout + result.stderr
    return result, run_dir, home, json.loads((run_dir / "findings.json").read_text())


@pytest.fixture(scope="module")
def compliant(tmp_path_factory):
    result, run_dir, home = _demo(tmp_path_factory, "compliant", "--json")
    assert result.code == 0, result.stdout + result.stderr
    return result, run_dir, home, json.loads((run_dir / "findings.json").read_text())


def test_ncsc_world_findings_match_the_ground_truth(ncsc):
    result, run_dir, home, doc = ncsc
    findings = doc["findings"]
    # the config list: as many terms as the world served to the browser
    served = [e for e in _truth(run_dir, "config_served") if e["app"] == "com.vendor.browser"]
    lists = [f for f in findings if f["kind"] == "config_list" and f["details"]["name"] == "MiAdBlacklistConfig"]
    assert served and lists
    assert lists[0]["details"]["terms"] == served[-1]["terms_count"] == 449
    assert "Free Tibet" in lists[0]["details"]["sensitive_terms"]
    # personal data abroad: every identifier of the violating telemetry the device facts know, to SG
    received = _truth(run_dir, "telemetry_received")
    carried = {TELEMETRY_TO_FACTS[i] for e in received for i in e["identifiers"] if i in TELEMETRY_TO_FACTS}
    assert carried == ALL_IDENTIFIERS
    assert {i for e in received for i in e["identifiers"]} == set(TELEMETRY_TO_FACTS) | {"device_model"}
    abroad = [f for f in findings if f["kind"] == "pii_abroad"]
    assert {f["details"]["value"] for f in abroad} == carried
    # the advertising ID the collector got as "oaid" is the one Play services keeps on the handset
    oaids = {ev["properties"]["oaid"] for e in received for ev in e["events"] if "oaid" in ev["properties"]}
    assert oaids == {doc["device"]["advertising_id"]} and doc["device"]["identifiers"]["advertising_id"]
    for f in abroad:
        assert f["details"]["countries"] == ["SG"] and f["details"]["destination"] == "tracking.intl.vendor.test"
        assert f["evidence"]["flow_ids"] and f["evidence"]["event_ids"]  # the flow and the Cipher plaintext
        assert any("AES" in chain for chain in f["details"]["chains"])
    # filtering: the sensitive search is filtered against the control
    verdicts = [f for f in findings if f["kind"] == "filtered"]
    assert [(f["verdict"], f["step_id"]) for f in verdicts] == [("filtered", "search-sensitive")]
    # the pinned collector was reached only because the unpin agent bypassed the pin
    assert doc["summary"]["pinning"]["unpin_bypassed"] >= 1
    assert all(c["agrees"] for c in doc["ground_truth"]["checks"]), doc["ground_truth"]["checks"]
    ids = next(c for c in doc["ground_truth"]["checks"] if c["check"].startswith("device identifiers"))
    assert ids["world"] == ids["harness"] == ids["harness_abroad"] == sorted(ALL_IDENTIFIERS)
    assert ids["missing_in_harness"] == ids["missing_in_world"] == [] and list(ids["excluded"]) == ["device_model"]
    # only the vendor config is a keyword list (the suggestions for the sensitive query are not)
    # (two versions of it: the security app's second download got the world's list update)
    assert {lst["name"] for lst in doc["summary"]["config_lists"]} == {"MiAdBlacklistConfig"}
    assert sorted(str(lst["version"]) for lst in doc["summary"]["config_lists"]) == ["2021092301", "2021100801"]
    # every cited flow is in the run store
    flow_ids = {f.id for f in RunStore.open(run_dir).iter_flows()}
    assert {fid for f in findings for fid in f["evidence"]["flow_ids"]} <= flow_ids


def test_ncsc_run_is_complete_private_and_the_device_restored(ncsc):
    result, run_dir, home, doc = ncsc
    assert RunStore.open(run_dir).status == "complete"
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((run_dir / "findings.json").stat().st_mode) == 0o600
    assert validation_errors(doc) == []  # the findings contract (harness/report/findings.schema.json)
    for name in ("report.html", "junit.xml"):
        assert stat.S_IMODE((run_dir / name).stat().st_mode) == 0o600, name
    assert f"Report: {run_dir}/report.html" in result.stdout
    html = (run_dir / "report.html").read_text()
    # the pack's sentences ("The browser's ...") as the report's template escapes them
    assert all(str(escape(c["text"])) in html for c in doc["claims"]) and "Enforced:</b> yes" in html
    assert doc["run_id"] and doc["harness_version"] and doc["status"] == "complete"
    for stamp in (doc["created_at"], doc["started_at"], doc["ended_at"], doc["device"]["collected_at"]):
        assert datetime.datetime.fromisoformat(stamp).utcoffset() == datetime.timedelta(0), stamp
    assert doc["tool_versions"]["mitmproxy"] and doc["tool_versions"]["frida"]
    assert doc["device"]["model"] == "M2007J3SG" and doc["device"]["android_id"]
    steps = {s["id"]: s for s in doc["steps"]}
    assert ["security-first-start", "browser-first-start", "video-first-start", "security-download-2",
            "browser-start", "search-sensitive", "search-control", "security-region-sg", "browser-telemetry",
            "browse-sensitive", "browse-control", "message-pair"] == list(steps)
    for sid in ("security-first-start", "browser-first-start", "search-sensitive", "search-control"):
        assert steps[sid]["flow_ids"], sid
        assert steps[sid]["started_at"].endswith("Z") and steps[sid]["ended_at"].endswith("Z")
    assert doc["restore"]["verified"] is True
    _assert_clean(result, home)
    out = result.stdout
    for needle in ("handset: virtual miui-android10 attached", "Config list: MiAdBlacklistConfig",
                   "Personal data sent abroad (third country):", "FILTERED",
                   "Device restored and verified against its pre-run snapshot: yes", str(run_dir)):
        assert needle in out, needle
    assert "[agrees] config terms served == terms the analysis extracted: world 449, harness 449" in out
    assert ("[agrees] device identifiers the collector received == identifiers the harness found sent to it:"
            " world [advertising_id, android_id, imei, serial], harness [advertising_id, android_id, imei, serial]"
            in out)
    assert "excluded device_model: not an identifier fact" in out
    assert re.search(r"^  enforced: version \d+ \(yes — filtering observed in ", out, re.M), out  # trial 6 finding 15
    # the claims pack's verdicts, each violated in this world, as the world's own log says
    # (web browsing holds: no world withholds a page)
    assert [(c["id"].rsplit(".", 1)[-1], c["verdict"]) for c in doc["claims"]] == [(name, "holds" if name == "web_browsing_not_restricted"
                                                                 else "violated") for name in CLAIM_NAMES]
    # the sentence the pack states, as `harness packs` and `harness run` show it (trial report item 11)
    assert ("System apps do not download a keyword blacklist.", "violated") == (doc["claims"][0]["text"],
                                                                                doc["claims"][0]["verdict"])
    assert "Listed terms are not filtered against control terms in search and ads." in out
    assert "Claims (packs ncsc_2021, vendor_claims) -> verdict:" in out and "[agrees] claim verdicts == what the world did" in out
    # evidence in the findings contract's shape: flow ids in the run store, and the Cipher plaintext
    flows = {f.id for f in RunStore.open(run_dir).iter_flows()}
    assert all(c["evidence"]["flow_ids"] and set(c["evidence"]["flow_ids"]) <= flows for c in doc["claims"])
    assert next(c for c in doc["claims"] if c["id"] == "ncsc_2021.personal_data_only_with_consent")["evidence"]["event_ids"]
    assert "[differs]" not in out and "other term lists" not in out


def test_report_regenerates_the_demos_findings_byte_identical(ncsc):
    """``harness report RUN_DIR`` rebuilds findings.json from the store, claims.jsonl and the kept
    extras: identical bytes to what the demo wrote, twice; the HTML likewise."""
    result, run_dir, home, doc = ncsc
    written = (run_dir / "findings.json").read_bytes()
    html = (run_dir / "report.html").read_bytes()
    claims = [json.loads(line) for line in (run_dir / "claims.jsonl").read_text().splitlines()]
    assert [c["id"] for c in claims] == [c["id"] for c in doc["claims"]]
    assert all(c["device"] == doc["device"]["adb_serial"] and c["id"].startswith(f"{c['pack']}.")
               and c["pack"] in ("ncsc_2021", "vendor_claims") and c["steps"]
               for c in claims)
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        assert main(["report", str(run_dir)], Env(stdout=out, stderr=err, home=home)) == 0, err.getvalue()
        assert (run_dir / "findings.json").read_bytes() == written
        assert (run_dir / "report.html").read_bytes() == html
    assert doc["created_at"] == doc["ended_at"]  # the run's closed_at, not the time of writing


def test_compliant_world_sends_nothing_abroad_and_filters_nothing(compliant):
    result, run_dir, home, doc = compliant
    assert validation_errors(doc) == []
    assert json.loads(result.stdout)["run_id"] == doc["run_id"]  # --json: stdout is the document
    findings = doc["findings"]
    assert not [f for f in findings if f["kind"] in ("pii_abroad", "pii_sent")]
    assert not [f for f in findings if f["kind"] == "config_list" and f["details"]["name"] == "MiAdBlacklistConfig"]
    assert [(f["verdict"], f["step_id"]) for f in findings if f["kind"] == "filtered"] == [
        ("not_filtered", "search-sensitive")]
    assert doc["restore"]["verified"] is True
    assert [c["verdict"] for c in doc["claims"]] == ["holds"] * len(CLAIM_NAMES)
    assert all(c["agrees"] for c in doc["ground_truth"]["checks"]), doc["ground_truth"]["checks"]
    _assert_clean(result, home)


LAB_WORLD = """\
name: lab-eu-collector
ad_config:
  serve: true
  add_terms: ["Harness canary phrase"]
  region_gate: {eu_disabled: true, remote_switch: true}
filtering: {browser_ads: true, browser_suggestions: true}
telemetry: {destination: eu, identifiers: true, consent_respected: false, encrypted: false, pinning: false}
"""


def test_world_file_identifiers_to_an_eu_collector_are_sent_but_not_abroad(tmp_path_factory):
    world_file = tmp_path_factory.mktemp("world") / "lab.yaml"
    world_file.write_text(LAB_WORLD)
    result, run_dir, home = _demo(tmp_path_factory, str(world_file))
    assert result.code == 0, result.stdout + result.stderr
    doc = json.loads((run_dir / "findings.json").read_text())
    assert doc["world"]["name"] == "lab-eu-collector"
    served = [e for e in _truth(run_dir, "config_served") if e["app"] == "com.vendor.browser"][-1]
    lists = [f for f in doc["findings"] if f["kind"] == "config_list" and f["details"]["name"] == "MiAdBlacklistConfig"]
    assert lists[0]["details"]["terms"] == served["terms_count"] == 450  # the bundled 449 + the canary
    sent = [f for f in doc["findings"] if f["kind"] == "pii_sent"]
    assert {f["details"]["value"] for f in sent} == ALL_IDENTIFIERS
    for f in sent:
        assert f["details"]["destination"] == "tracking.eu.vendor.test"
        assert f["details"]["countries"] == ["DE"] and f["details"]["jurisdictions"] == ["domestic"]
        assert not any("AES" in c for c in f["details"]["chains"])  # plain JSON on the wire
    assert not [f for f in doc["findings"] if f["kind"] == "pii_abroad"]
    assert doc["summary"]["pinning"]["unpin_bypassed"] == 0
    _assert_clean(result, home)


def test_app_killed_half_way_keeps_the_recording_and_cleans_up(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo-crash")
    home, run_dir = root / "home", root / "run"
    result = run_isolated(["demo", "--out", str(run_dir), "--timeout", "20"], home, kill_at_step="search-sensitive")
    assert result.killed, result.stdout + result.stderr
    assert result.code == 2, result.stdout + result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("harness: error:"), result.stderr
    assert errors[0].endswith(f"(recorded so far: {run_dir}, run incomplete)"), errors[0]
    assert "process" in errors[0] and "exited" in errors[0]  # says what went wrong: the app died
    store = RunStore.open(run_dir)
    assert store.status == "incomplete"
    kept = [f for f in store.iter_flows() if f.step_id == "security-first-start"]
    assert any(f.server_host == "globalapi.ad.vendor.test" for f in kept)  # the config download is kept
    assert (run_dir / "artifacts" / "facts.json").is_file()
    _assert_partial_findings(run_dir)
    _assert_clean(result, home)


def _assert_partial_findings(run_dir: Path) -> None:
    """A demo stopped half-way writes findings.json like `harness run`: status incomplete, the
    claims judged before the stop, the rest (the one running at the stop too) ``not run``."""
    from harness.packs.ground_truth import ALL_CLAIMS

    doc = json.loads((run_dir / "findings.json").read_text())
    assert doc["status"] == "incomplete"
    verdicts = {c["id"]: c["verdict"] for c in doc["claims"]}
    assert len(verdicts) == len(ALL_CLAIMS), verdicts
    assert verdicts["ncsc_2021.no_keyword_blacklist"] in ("holds", "violated"), verdicts  # before search-sensitive
    assert verdicts["ncsc_2021.searches_never_restricted"] == "not run", verdicts  # stopped at its step
    assert verdicts["vendor_claims.transfers_only_to_adequate_jurisdictions"] == "not run", verdicts
    assert all(c["text"] for c in doc["claims"])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_keeps_the_partial_run_restores_and_leaves_nothing(tmp_path_factory, signum):
    """Issue 10.1/10.18: SIGINT arrives although the process inherited it as ignored (a background
    script); SIGTERM as a container's PID 1 gets it. Both stop the demo like Ctrl-C: exit 130, one
    line naming the partial run and its status, the device restored, no Frida helper left."""
    root = tmp_path_factory.mktemp("demo-signal")
    home, run_dir = root / "home", root / "run"
    result = run_isolated(["demo", "--out", str(run_dir)], home, signal_at_step=("search-sensitive", signum))
    assert result.signalled == signum, result.stdout + result.stderr
    assert result.code == 130, result.stdout + result.stderr
    errors = result.stderr.strip().splitlines()
    name = signal.Signals(signum).name
    assert errors == [f"harness: interrupted by {name}; the partial run is in {run_dir} (marked incomplete); "
                      "device restored"], result.stderr
    store = RunStore.open(run_dir)
    assert store.status == "incomplete" and store.meta().get("status_reason") == f"interrupted by {name}"
    assert any(f.step_id == "security-first-start" for f in store.iter_flows())  # what was recorded is kept
    assert (run_dir / "artifacts" / "logcat.txt").is_file()
    _assert_partial_findings(run_dir)
    _assert_clean(result, home)


def test_unknown_world_is_a_usage_error(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    code = main(["demo", "--world", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "run")],
                Env(stdout=out, stderr=err, home=tmp_path / "home"))
    assert code == 2
    assert err.getvalue().count("\n") == 1 and "no world file or bundled world" in err.getvalue()
    assert not (tmp_path / "run").exists()


def test_leftover_checks_see_live_processes_and_servers():
    """The clean-up assertions above are only as good as these detectors."""
    import os
    import socket
    import subprocess

    from harness.testing.isolated import descendants, still_open

    child = subprocess.Popen(["sleep", "30"])
    try:
        assert child.pid in {pid for pid, _ in descendants(os.getpid())}
    finally:
        child.kill()
        child.wait(10)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert still_open([("127.0.0.1", port)]) == (1, [f"127.0.0.1:{port}"])
    assert still_open([("127.0.0.1", port)]) == (1, [])


def test_existing_out_dir_is_refused_before_anything_starts(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "store.sqlite").write_bytes(b"earlier evidence")
    out, err = io.StringIO(), io.StringIO()
    code = main(["demo", "--out", str(tmp_path / "run")], Env(stdout=out, stderr=err, home=tmp_path / "home"))
    assert code == 2 and "already exists" in err.getvalue() and out.getvalue() == ""
    assert (tmp_path / "run" / "store.sqlite").read_bytes() == b"earlier evidence"



def _pii(value: str, destination: str, kind: str = "pii_sent"):
    from harness.analysis.findings import Finding, Severity

    return Finding(kind, "sent", Severity.MEDIUM, "pii.known_value", f"{value} sent",
                   details={"value": value, "destination": destination}).to_dict()


def test_identifier_comparison_is_exact_and_says_what_each_side_misses():
    """The ground-truth check over identifiers: a subset is not agreement."""
    from harness.demo.report import identifier_check
    from harness.demo.summary import _check_notes

    collector = "tracking.intl.vendor.test"
    received = [{"event": "telemetry_received", "host": collector,
                 "identifiers": ["android_id", "device_model", "imei", "oaid", "serial_no"]}]
    found = [_pii("android_id", collector), _pii("imei", collector), _pii("serial", collector),
             _pii("wifi_mac", collector),  # not an identifier the world counts: outside the comparison
             _pii("advertising_id", "ads.elsewhere.test")]  # sent, but not to the collector
    check = identifier_check(received, found)
    assert check["agrees"] is False
    assert check["world"] == ["advertising_id", "android_id", "imei", "serial"]
    assert check["harness"] == ["android_id", "imei", "serial"]
    assert check["missing_in_harness"] == ["advertising_id"] and check["missing_in_world"] == []
    assert list(check["excluded"]) == ["device_model"]
    notes = _check_notes(check)
    assert any("harness did not find: [advertising_id]" in n for n in notes)
    assert any("excluded device_model" in n for n in notes)
    # the other way round: the harness reports an identifier the collector never got
    check = identifier_check([{**received[0], "identifiers": ["android_id"]}],
                             [_pii("android_id", collector), _pii("imei", collector)])
    assert not check["agrees"] and check["missing_in_world"] == ["imei"]
    assert any("world did not receive: [imei]" in n for n in _check_notes(check))
    # equal sets agree
    check = identifier_check([{**received[0], "identifiers": ["oaid", "device_model"]}],
                             [_pii("advertising_id", collector)])
    assert check["agrees"] and check["world"] == check["harness"] == ["advertising_id"]
    # a world key the comparison cannot map is a difference, not silently dropped
    check = identifier_check([{**received[0], "identifiers": ["android_id", "mac_hash"]}],
                             [_pii("android_id", collector)])
    assert not check["agrees"] and check["unmapped"] == ["mac_hash"]


def test_summary_prints_differs_with_the_missing_side():
    from harness.demo.summary import summary_lines

    doc = {"world": {"name": "w"}, "device": {"model": "m", "adb_serial": "s"}, "run_id": "r", "run_dir": "/x",
           "findings": [], "restore": {"verified": True},
           "summary": {"destinations_by_country": [], "config_lists": [], "personal_data": [], "filtering": [],
                       "pinning": {"unpin_bypassed": 0, "bypassed": [], "tls_failures": 0, "tls_failure_hosts": []}},
           "ground_truth": {"checks": [{"check": "ids", "world": ["advertising_id", "imei"], "harness": ["imei"],
                                        "missing_in_harness": ["advertising_id"], "missing_in_world": [],
                                        "agrees": False}]}}
    lines = summary_lines(doc)
    i = next(n for n, line in enumerate(lines) if line.startswith("  [differs] ids:"))
    assert lines[i] == "  [differs] ids: world [advertising_id, imei], harness [imei]"
    assert lines[i + 1].strip() == "harness did not find: [advertising_id]"


def test_summary_names_the_list_version_in_force_for_the_filtering():
    """Trial 6 finding 15: the console headline is the largest list version; the line under it says
    which version was in force when filtering was observed (the report's rule), not left to guess."""
    from harness.demo.summary import summary_lines

    def version(v: str, terms: int, flow: str) -> dict:
        return {"name": "MiAdBlacklistConfig", "version": v, "terms": terms, "host": "h", "chain": "json",
                "sample_terms": ["x"], "downloads": 1, "flow_ids": [flow]}

    filtered = {"kind": "filtered", "verdict": "filtered", "id": "F3", "step_id": "search-sensitive",
                "details": {"list_in_force": "flow-new"}}
    doc = {"world": {"name": "w"}, "device": {"model": "m", "adb_serial": "s"}, "run_id": "r", "run_dir": "/x",
           "findings": [filtered], "restore": {"verified": True},
           "summary": {"destinations_by_country": [], "personal_data": [], "filtering": [],
                       "config_lists": [version("2021092301", 449, "flow-old"), version("2021100801", 448, "flow-new")],
                       "pinning": {"unpin_bypassed": 0, "bypassed": [], "tls_failures": 0, "tls_failure_hosts": []}},
           "ground_truth": {"checks": []}}
    lines = summary_lines(doc)
    i = next(n for n, line in enumerate(lines) if line.startswith("Config list: MiAdBlacklistConfig version 2021092301"))
    assert lines[i + 1] == "  other versions of MiAdBlacklistConfig: version 2021100801 (448 terms)"
    assert lines[i + 2] == ("  enforced: version 2021100801 (yes — filtering observed in search-sensitive (F3) "
                            "with this version in force)")
    doc["findings"] = []
    assert "  enforced: not tested in this run (no experiment/control comparison)" in summary_lines(doc)
