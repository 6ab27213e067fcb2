"""The pytest plugin with a real lab: one pytest session (a subprocess) on a virtual handset in the
``ncsc-2021`` world, one test module, five tests — a keyword-list claim (violated there), a
claim that holds (a bare ``claim`` marker: its docstring's first line is the claim), a claim that
raises ``Inconclusive``, a ``needs_root`` test (the handset is rooted: it runs), a claim recorded
violated with no evidence (recorded inconclusive). Checked: outcomes and skip reason, the failure message, ``claims.jsonl``, the
failed test's artifacts (and none for the others), JUnit properties, the progress stream and the
findings documents (lab and session)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.capture.export import validate_har
from harness.capture.store import RunStore
from harness.report.contract import validation_errors

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(400)

MODULE = """
import pytest

from harness.scenario import ClaimResult, Inconclusive, ScenarioAssertion


def no_keyword_list(lab):
    with lab.step("security-first-start", action="launch") as step:
        lab.launch("security")
        step.expect_flow("ad_config", answered=True)
    lab.stop("security")
    try:
        verdict = lab.assert_no_config_list([step.id], host_role="ad_config")
    except ScenarioAssertion as failed:
        verdict = failed.verdict
    return ClaimResult.of(verdict, "system apps do not download a keyword list")


@pytest.mark.claim("System apps do not download a keyword blacklist.")
@pytest.mark.app("security")
def test_violated(lab, verdict):
    verdict.record(no_keyword_list(lab))


@pytest.mark.claim
def test_holds(lab, verdict):
    '''The handset tells its model.

    (A bare claim marker: the claim is this docstring's first line.)'''
    with lab.step("read-facts"):
        pass
    answered = [f.id for f in lab.flows() if f.status_code == 200]  # the handset reached the lab's network
    verdict.record(ClaimResult("the handset tells its model", bool(lab.facts.model), f"model {lab.facts.model}",
                               answered[:1]))


@pytest.mark.needs_root
def test_needs_root_runs_on_a_rooted_handset(lab):
    assert lab.facts.root_method == "magisk"


@pytest.mark.claim("The vendor says why a term is listed.")
def test_inconclusive(lab, verdict):
    with lab.step("ask-the-vendor"):
        pass
    raise Inconclusive("no app of the profile says why", fix="ask the vendor")


@pytest.mark.claim("A claim violated with no evidence at all.")
def test_no_evidence(lab, verdict):
    verdict.record(ClaimResult("x", False, "I just say so", []))
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """One inner pytest session (a subprocess) for every test of this module: a lab costs ~20 s.
    (``pytester`` is function-scoped; the options and markers tests use it.)"""
    root = tmp_path_factory.mktemp("plugin-lab")
    (root / "test_scenario.py").write_text(MODULE)
    out, progress, junit = root / "out", root / "progress.jsonl", root / "junit.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not an xdist worker
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", "--rootdir", str(root),
             "--harness-out", str(out), "--harness-progress", str(progress), "--junitxml", str(junit),
             "test_scenario.py"], cwd=root, env=env, capture_output=True, text=True, timeout=360)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the session did not finish within 360 s: {exc.stdout!r}")
    return {"result": done, "text": done.stdout + done.stderr, "out": out, "progress": progress, "junit": junit}


def run_dir(out: Path) -> Path:
    (sid,) = [p for p in out.iterdir() if p.is_dir()]
    return sid / "main" / "test_scenario"


def test_outcomes_and_the_failure_message(session):
    text = session["text"]
    assert session["result"].returncode == 1, text[-4000:]
    assert "1 failed, 2 passed, 2 skipped" in text, text[-4000:]
    assert "SKIPPED [1] " in text and "inconclusive: no app of the profile says why" in text
    assert "inconclusive: no evidence cited: the claim said violated (I just say so)" in text
    assert "claim violated: System apps do not download a keyword blacklist." in text
    rd = run_dir(session["out"])
    assert f"run: {rd}" in text
    assert f"harness: findings of session {rd.parent.parent.name} in {rd.parent.parent / 'findings.json'}" in text


def test_claims_jsonl_has_one_record_per_claim_with_its_evidence(session):
    rd = run_dir(session["out"])
    path = rd / "claims.jsonl"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    records = {r["id"]: r for r in map(json.loads, path.read_text().splitlines())}
    assert set(records) == {"test_scenario.test_holds", "test_scenario.test_violated",
                            "test_scenario.test_inconclusive", "test_scenario.test_no_evidence"}
    unsupported = records["test_scenario.test_no_evidence"]  # a verdict needs evidence
    assert unsupported["verdict"] == "inconclusive", unsupported
    assert unsupported["details"] == "no evidence cited: the claim said violated (I just say so)"
    holds, violated, unknown = (records[f"test_scenario.test_{n}"] for n in ("holds", "violated", "inconclusive"))
    assert holds["verdict"] == "holds" and holds["steps"] == ["read-facts", "security-first-start"]
    assert holds["text"] == "The handset tells its model." and holds["nodeid"] == "test_scenario.py::test_holds"
    assert violated["verdict"] == "violated" and violated["steps"] == ["security-first-start"]
    assert violated["rule"] == "findings.config_list" or violated["rule"], violated
    store = RunStore.open(rd)
    try:
        flows = {f.id: f for f in store.iter_flows()}
    finally:
        store.close()
    assert violated["evidence"]["flow_ids"] and set(violated["evidence"]["flow_ids"]) <= set(flows)
    assert {flows[i].step_id for i in violated["evidence"]["flow_ids"]} == {"security-first-start"}
    assert unknown["verdict"] == "inconclusive" and unknown["steps"] == ["ask-the-vendor"]
    assert unknown["details"] == "no app of the profile says why (fix: ask the vendor)"
    assert len({r["device"] for r in records.values()}) == 1 and holds["device"].startswith("127.0.0.1:")


def test_only_the_failed_test_keeps_artifacts_and_the_report_names_them(session):
    rd = run_dir(session["out"])
    kept = sorted(p.name for p in (rd / "artifacts").iterdir() if p.name.startswith("test_"))
    assert kept == ["test_violated.events.jsonl", "test_violated.flows.har", "test_violated.logcat.txt",
                    "test_violated.screen.png"]
    har = json.loads((rd / "artifacts" / "test_violated.flows.har").read_text())
    assert validate_har(har) == []
    assert har["log"]["entries"] and {e["_stepId"] for e in har["log"]["entries"]} == {"security-first-start"}
    assert [p["id"] for p in har["log"]["pages"]] == ["security-first-start"]
    assert (rd / "artifacts" / "test_violated.screen.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "security" in (rd / "artifacts" / "test_violated.logcat.txt").read_text().lower()
    for name in kept:
        assert oct((rd / "artifacts" / name).stat().st_mode & 0o777) == "0o600"
    text = session["text"]
    assert "harness artifacts" in text and f"kept: {rd / 'artifacts' / 'test_violated.flows.har'}" in text


def test_junit_properties_name_claim_verdict_evidence_run_dir_and_artifacts(session):
    rd = run_dir(session["out"])
    cases = {c.get("name"): {p.get("name"): p.get("value") for p in c.iter("property")}
             for c in ET.parse(session["junit"]).getroot().iter("testcase")}
    assert cases["test_holds"]["claim"] == "The handset tells its model."
    assert cases["test_holds"]["verdict"] == "holds" and cases["test_holds"]["run_dir"] == str(rd)
    assert "artifacts" not in cases["test_holds"]
    violated = cases["test_violated"]
    assert violated["verdict"] == "violated" and violated["evidence"].split()
    assert sorted(Path(p).name for p in violated["artifacts"].split()) == [
        "test_violated.events.jsonl", "test_violated.flows.har", "test_violated.logcat.txt",
        "test_violated.screen.png"]
    assert cases["test_inconclusive"]["verdict"] == "inconclusive"
    assert cases["test_no_evidence"]["verdict"] == "inconclusive" and cases["test_no_evidence"]["evidence"] == ""


def test_the_progress_stream_follows_the_session(session):
    lines = [json.loads(line) for line in session["progress"].read_text().splitlines()]
    events = [e["event"] for e in lines]
    assert events[0] == "session-start" and events[-1] == "session-end"
    assert events.count("lab-open") == events.count("lab-close") == 1
    assert events.index("lab-open") < events.index("step-start") < events.index("lab-close")
    ends = {e["nodeid"].split("::")[1]: e for e in lines if e["event"] == "test-end"}
    assert {k: v["verdict"] for k, v in ends.items()} == {
        "test_holds": "holds", "test_violated": "violated", "test_inconclusive": "inconclusive",
        "test_needs_root_runs_on_a_rooted_handset": "passed", "test_no_evidence": "inconclusive"}
    assert ends["test_violated"]["evidence"] and ends["test_violated"]["claim"].startswith("System apps")
    starts = [e for e in lines if e["event"] == "step-start"]
    assert [s["step_id"] for s in starts] == ["security-first-start", "read-facts", "ask-the-vendor"]
    assert starts[0]["nodeid"] == "test_scenario.py::test_violated"
    counts = [e["count"] for e in lines if e["event"] == "flow"]
    assert counts and counts == sorted(counts)
    step_end = next(e for e in lines if e["event"] == "step-end" and e["step_id"] == "security-first-start")
    assert step_end["flows"] >= 1 and step_end["settled_by"] == "expected"
    assert lines[-1]["exitstatus"] == 1 and lines[-1]["findings"].endswith("findings.json")
    assert next(e for e in lines if e["event"] == "lab-close")["status"] == "complete"


def test_the_lab_and_the_session_have_a_findings_document(session):
    rd = run_dir(session["out"])
    lab_doc = json.loads((rd / "findings.json").read_text())
    merged = json.loads((rd.parent.parent / "findings.json").read_text())
    for doc in (lab_doc, merged):
        assert validation_errors(doc) == []
    assert {c["verdict"] for c in merged["claims"]} == {"holds", "violated", "inconclusive"}
    (serial,) = {c["device"] for c in lab_doc["claims"]}
    assert merged["runs"] == [f"{rd.parent.parent.name}.main.test_scenario"] == [lab_doc["run_id"]]
    assert [row["verdicts"] for row in merged["claim_matrix"]] == [
        {serial: v} for v in ("violated", "holds", "inconclusive", "inconclusive")]
    assert merged["claims"][0]["evidence"]["flow_ids"][0] in {f for x in merged["findings"]
                                                              for f in x["evidence"].get("flow_ids", [])}
    # the lab's phone was restored and verified: said in the lab's and the session's document (trial 6 finding 8)
    assert lab_doc["restore"]["verified"] and lab_doc["restore"]["serial"] == serial, lab_doc["restore"]
    assert lab_doc["restore"]["undone"] >= 3  # at least the proxy setting, adb reverse and the CA
    assert lab_doc["restore"]["text"].endswith("change(s) undone, verified against its snapshot")
    assert merged["restore"]["verified"] and merged["restore"]["runs"][0]["run_id"] == lab_doc["run_id"]
