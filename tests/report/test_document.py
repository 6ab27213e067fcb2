"""harness.report.document: claims persistence, the one findings builder (deterministic, valid
against the contract), extras kept for regeneration, and the merge of several runs.

Run directories are written through the real run store (``harness.testing.flows.make_run``) with
the device facts and the world's geo table as the lab keeps them; the analysis is the real one."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest

from harness.cli.context import Env
from harness.cli.main import main
from harness.errors import UsageError
from harness.report.contract import validation_errors
from harness.report.document import (
    CLAIMS_FILE,
    add_extra,
    build_findings,
    claim_record,
    load_claims,
    merge_findings,
    save_claim,
    write_findings,
)
from harness.report.html import render_report
from harness.scenario import ClaimResult
from harness.testing.flows import agent_event, http_flow

FACTS = {"adb_serial": "emulator-5554", "serial": "hw-1", "model": "M2007J3SG", "android_id": "9774d56d682e549c",
         "collected_at": 1764583200.5}
CLAIM = "Personal data leaves the device only with consent"


def _run(where: Path, name: str, serial: str, *, leak: bool = True, meta: dict | None = None) -> Path:
    """A closed run as a lab leaves it: steps, flows, an agent event, the device facts and the
    world's geo table as artifacts (``harness.testing.flows.make_run``, plus the artifacts)."""
    from harness.capture.store import RunStore

    url = "https://tracking.intl.vendor.test/e?aid=" + (FACTS["android_id"] if leak else "none")
    store = RunStore.create(where / name, meta={"world": "ncsc-2021", "profile": "virtual-vendor", **(meta or {})})
    for step_id, flow in (("telemetry", http_flow(url, server_ip="127.41.7.3", started_at=1764583201.0)),
                          ("search", http_flow("https://search.vendor.test/?q=x", server_ip="127.41.7.4",
                                               started_at=1764583202.0))):
        store.begin_step(step_id, step_id)
        flow.step_id = step_id
        store.add_flow(flow)
        if step_id == "telemetry":
            store.add_event(agent_event("crypto:plaintext", {"algorithm": "AES"}, data=b"x", step_id=step_id))
        store.end_step(step_id)
    store.add_artifact("facts.json", json.dumps({**FACTS, "adb_serial": serial}).encode(), kind="device_facts")
    geo = {"overrides": [{"cidr": "127.41.7.3/32", "country": "SG"}, {"cidr": "127.41.7.4/32", "country": "NL"}]}
    store.add_artifact("world-geo.json", json.dumps(geo).encode(), kind="geo_overrides")
    store.close("complete")
    return where / name


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return _run(tmp_path, "run-a", "emulator-5554")


def _claim(run: Path, verdict: str = "violated", device: str = "emulator-5554") -> dict:
    from harness.capture.store import RunStore

    flows = [f.id for f in RunStore.open(run).iter_flows()]
    result = ClaimResult(CLAIM, verdict == "holds", "android_id sent to SG", [flows[0], "ev-1"],
                         "pii.third_country", {"flows": 1})
    record = claim_record(result, claim_id="ncsc_2021.test_consent", flow_ids=flows, pack="ncsc_2021",
                          nodeid="ncsc_2021/test_claims.py::test_consent", device=device,
                          steps=["telemetry"], verdict=verdict if verdict == "inconclusive" else None)
    save_claim(run, record)
    return record


def test_claims_are_saved_private_and_loaded_in_order(run_dir):
    first = _claim(run_dir)
    _claim(run_dir, "inconclusive")
    path = run_dir / CLAIMS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_claims(run_dir)
    assert [c["verdict"] for c in loaded] == ["violated", "inconclusive"]
    assert loaded[0] == first and first["evidence"]["event_ids"] == ["ev-1"] and len(first["evidence"]["flow_ids"]) == 1
    # a writer killed mid-line leaves a torn last line: skipped, the others kept
    with path.open("a") as fh:
        fh.write('{"id": "x", "te')
    assert len(load_claims(run_dir)) == 2


def test_bad_claim_records_are_refused(run_dir):
    with pytest.raises(UsageError, match="verdict 'mostly' is not one of"):
        save_claim(run_dir, {"text": CLAIM, "verdict": "mostly"})
    with pytest.raises(UsageError, match="without a claim sentence"):
        save_claim(run_dir, {"verdict": "holds"})
    assert not (run_dir / CLAIMS_FILE).exists()
    (run_dir / CLAIMS_FILE).write_text('{"text": "a", "verdict": "holds"}\nnot json\n{"text": "b", "verdict": "holds"}\n')
    with pytest.raises(UsageError, match=r"claims.jsonl line 2: not JSON"):
        load_claims(run_dir)


def test_a_verdict_citing_no_evidence_is_recorded_inconclusive(run_dir):
    """A finding is evidence: holds/violated with no flow or event id is saved ``inconclusive``,
    whoever records it (the plugin's verdict fixture and the demo both save through save_claim)."""
    for holds, said in ((False, "I just say so"), (True, "nothing observed")):
        record = claim_record(ClaimResult(CLAIM, holds, said, []), claim_id="lab.test_x", flow_ids=[])
        saved = save_claim(run_dir, record)
        assert saved["verdict"] == "inconclusive"
        assert saved["details"].startswith("no evidence cited: the claim said " + ("holds" if holds else "violated"))
        assert said in saved["details"]
    assert [c["verdict"] for c in load_claims(run_dir)] == ["inconclusive", "inconclusive"]
    # a claims.jsonl written by other means is read the same way into findings.json
    (run_dir / CLAIMS_FILE).write_text(json.dumps({"text": CLAIM, "verdict": "violated", "details": "x",
                                                   "evidence": {"flow_ids": [], "event_ids": []}}) + "\n")
    doc = build_findings(run_dir)
    assert [c["verdict"] for c in doc["claims"]] == ["inconclusive"] and validation_errors(doc) == []
    # evidence cited: the verdict stands
    assert _claim(run_dir)["verdict"] == "violated"


def test_build_findings_is_valid_deterministic_and_uses_the_run(run_dir, tmp_path):
    _claim(run_dir)
    doc = build_findings(run_dir)
    assert validation_errors(doc) == []
    assert doc["run_id"] == "run-a" and doc["status"] == "complete" and doc["profile"] == "virtual-vendor"
    assert doc["world"] == {"name": "ncsc-2021", "geo_overrides": {"127.41.7.3/32": "SG", "127.41.7.4/32": "NL"}}
    assert doc["created_at"] == doc["ended_at"]  # the run's closed_at, not the time of writing
    assert doc["device"]["adb_serial"] == "emulator-5554" and doc["device"]["collected_at"].endswith("Z")
    assert doc["scenarios"] == ["ncsc_2021"]
    assert [c["verdict"] for c in doc["claims"]] == ["violated"] and doc["claims"][0]["steps"] == ["telemetry"]
    assert [s["id"] for s in doc["steps"]] == ["telemetry", "search"]
    assert all(len(s["flow_ids"]) == 1 for s in doc["steps"]) and doc["steps"][0]["event_ids"]
    abroad = [f for f in doc["findings"] if f["kind"] == "pii_abroad"]
    assert abroad and abroad[0]["details"]["countries"] == ["SG"]
    assert [f["id"] for f in doc["findings"]] == [f"F{i}" for i in range(1, len(doc["findings"]) + 1)]
    assert doc["summary"]["counts"]["crypto_plaintext_events"] == 1
    assert {(r["country"], tuple(r["hosts"])) for r in doc["summary"]["destinations_by_country"]} == {
        ("SG", ("tracking.intl.vendor.test",)), ("NL", ("search.vendor.test",))}
    first = write_findings(tmp_path / "out1", doc).read_bytes()
    second = write_findings(tmp_path / "out2", build_findings(run_dir)).read_bytes()
    assert first == second
    assert stat.S_IMODE((tmp_path / "out1" / "findings.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "out1").stat().st_mode) == 0o700


def test_extras_are_kept_for_regeneration(run_dir):
    doc = build_findings(run_dir, extra={"setup": {"proxy": "127.0.0.1:8080"}})
    doc = add_extra(run_dir, doc, {"ground_truth": {"checks": []}})
    again = build_findings(run_dir)
    assert json.dumps(again) == json.dumps(doc)
    assert list(again)[-2:] == ["setup", "ground_truth"]
    with pytest.raises(UsageError, match="computed keys: findings"):
        build_findings(run_dir, extra={"findings": []})
    # explicit build arguments are kept as well: a rebuild without them is the same document
    named = build_findings(run_dir, scenarios=["packs/ncsc_2021"], profile="xiaomi-mi10t")
    assert named["scenarios"] == ["packs/ncsc_2021"] and named["profile"] == "xiaomi-mi10t"
    assert build_findings(run_dir) == named and "_build_args" not in named


def test_not_a_run_directory(tmp_path):
    with pytest.raises(UsageError, match="is not a run directory"):
        build_findings(tmp_path)


def test_merge_two_runs_has_a_device_column_and_validates(tmp_path):
    a = _run(tmp_path, "run-a", "emulator-5554")
    b = _run(tmp_path, "run-b", "R58M123", leak=False)
    _claim(a)
    _claim(b, "inconclusive", device="R58M123")
    docs = [build_findings(b), build_findings(a)]
    merged = merge_findings(docs)
    assert validation_errors(merged) == []
    assert merged == merge_findings(list(reversed(docs)))  # input order does not matter
    assert merged["runs"] == ["run-a", "run-b"]
    assert [d["adb_serial"] for d in merged["devices"]] == ["R58M123", "emulator-5554"]
    assert merged["device"] == {"serials": ["R58M123", "emulator-5554"]}
    assert merged["claim_matrix"] == [{"id": "ncsc_2021.test_consent", "text": CLAIM, "verdict": "violated",
                                       "verdicts": {"R58M123": "inconclusive", "emulator-5554": "violated"}}]
    assert {(c["device"], c["run_id"]) for c in merged["claims"]} == {("emulator-5554", "run-a"), ("R58M123", "run-b")}
    assert all(f["id"].startswith(f["run_id"] + ":") for f in merged["findings"])
    assert len({f["id"] for f in merged["findings"]}) == len(merged["findings"])
    assert {s["device"] for s in merged["steps"]} == {"emulator-5554", "R58M123"}
    counts = [d["summary"]["counts"]["flows"] for d in docs]
    assert merged["summary"]["counts"]["flows"] == sum(counts) == 4
    assert {r["device"] for r in merged["summary"]["destinations"]} == {"emulator-5554", "R58M123"}
    with pytest.raises(ValueError):
        merge_findings([])


def test_a_run_analysed_again_keeps_its_keyword_list_diff(tmp_path):
    """The list store remembers which version each run was diffed against: analysing run 2 again,
    after run 3 stored a newer version, gives run 2's diff again (regeneration is identical)."""
    from harness.analysis.lists import ListStore, TermList

    store = ListStore(tmp_path / "lists")

    def version(*terms: str) -> TermList:
        return TermList("Blacklist", "data.terms", "json", list(terms), [], [])

    assert store.record(version("a"), run="run-1").previous_digest is None
    first = store.record(version("a", "b"), run="run-2")
    assert first.changed and first.added == ["b"]
    store.record(version("a", "b", "c"), run="run-3")
    again = store.record(version("a", "b"), run="run-2")
    assert (again.previous_digest, again.added, again.removed) == (first.previous_digest, ["b"], [])
    # and a run seen first is still a first sighting when analysed again
    assert store.record(version("a"), run="run-1").previous_digest is None


def test_a_merged_document_renders_with_a_column_per_device(tmp_path):
    """A merged session document (no run store beside it) renders; the claim matrix has a column
    per device; evidence flows are named by id (their request lines are in each run's store)."""
    a, b = _run(tmp_path, "run-a", "emulator-5554"), _run(tmp_path, "run-b", "R58M123", leak=False)
    _claim(a)
    _claim(b, "inconclusive", device="R58M123")
    merged = merge_findings([build_findings(a), build_findings(b)])
    write_findings(tmp_path / "session", merged)
    out, err = io.StringIO(), io.StringIO()
    assert main(["report", str(tmp_path / "session")], Env(stdout=out, stderr=err, home=tmp_path)) == 0, err.getvalue()
    html = (tmp_path / "session" / "report.html").read_text()
    table = html[html.index('id="claim-matrix"'):]
    table = table[:table.index("</table>")]
    assert "<th class=\"mono\">R58M123</th><th class=\"mono\">emulator-5554</th>" in table
    assert "inconclusive" in table and "violated" in table and CLAIM in table
    assert "(not in this run&#39;s store)" in html or "(not in this run's store)" in html
    assert 'id="claim-matrix"' not in render_report(build_findings(a))  # a single run has no matrix


def test_a_session_says_whether_each_labs_phone_was_restored(tmp_path):
    """Trial 6 finding 8: each lab's findings carry the demo's ``restore`` record (one builder,
    harness.scenario.labdevice.restore_record), the session's merges them, and the session report
    shows it — and reads class ``domestic`` as the home it means, as a run's report does."""
    from harness.device.restore import RestoreReport
    from harness.scenario.labdevice import restore_record

    a, b = _run(tmp_path, "run-a", "emulator-5554"), _run(tmp_path, "run-b", "R58M123")
    done = RestoreReport("emulator-5554", undone=["settings global http_proxy", "adb reverse tcp:8080"], verified=True,
                         journal_kept=False)
    doc_a = build_findings(a, extra={"restore": restore_record(done, "emulator-5554")})
    assert doc_a["restore"]["verified"] and doc_a["restore"]["undone"] == 2
    assert doc_a["restore"]["text"] == "yes: 2 change(s) undone, verified against its snapshot"
    assert build_findings(a)["restore"] == doc_a["restore"]  # kept for `harness report` to rebuild
    lost = restore_record(None, "R58M123", "the device went away")
    assert lost["text"] == ("NOT restored: journal kept (the device went away); "
                            "run `harness restore --device R58M123`")
    doc_b = build_findings(b, extra={"restore": lost})
    merged = merge_findings([doc_a, doc_b])
    assert validation_errors(merged) == [] and merged["restore"]["verified"] is False
    assert merged["restore"]["text"] == f"run-b: {lost['text']}"
    assert merge_findings([doc_a])["restore"]["text"] == \
        "yes: 2 change(s) undone over 1 lab(s), each verified against its snapshot"
    assert merged["summary"]["jurisdiction_home"] == doc_a["summary"]["jurisdiction_home"] == "EEA"
    write_findings(tmp_path / "session", merged)
    out, err = io.StringIO(), io.StringIO()
    assert main(["report", str(tmp_path / "session")], Env(stdout=out, stderr=err, home=tmp_path)) == 0, err.getvalue()
    html = (tmp_path / "session" / "report.html").read_text()
    assert "<th>Device restored</th><td>run-b: NOT restored: journal kept (the device went away)" in html
    assert "<td>domestic (EEA)</td>" in html and "<td>domestic</td>" not in html


def test_a_session_is_named_by_its_id_and_reported_from_its_folder(tmp_path):
    """A session of `pytest -n 2` / `harness run -n 2`: its findings.json and report name the
    session (the folder's name), not a merged id; `harness report` takes the session folder (every
    lab analysed again, then merged again) and a lab folder, and names what it expected otherwise."""
    from harness.scenario.plugin_findings import merge_session

    session = tmp_path / "20261201-064214-f6c0"
    for worker, serial in (("gw0", "emulator-5554"), ("gw1", "R58M123")):
        lab = _run(session / worker, "mod", serial,  # the run store's metadata as the pytest plugin writes it
                   meta={"run_id": f"{session.name}.{worker}.mod", "pytest": {"session": session.name, "worker": worker}})
        _claim(lab, device=serial)
        write_findings(lab, build_findings(lab))
    merged = json.loads(merge_session(session).read_text())
    assert merged["run_id"] == session.name and validation_errors(merged) == []
    (session / "findings.json").unlink()  # `harness report SESSION` merges it again from the labs
    out, err = io.StringIO(), io.StringIO()
    assert main(["report", str(session)], Env(stdout=out, stderr=err, home=tmp_path)) == 0, err.getvalue()
    assert out.getvalue().splitlines()[0] == f"wrote {session / 'findings.json'} (from 2 lab(s))"
    assert json.loads((session / "findings.json").read_text())["run_id"] == session.name
    html = (session / "report.html").read_text()
    assert f"<title>Harness report — run {session.name}</title>" in html and "merged-" not in html
    out = io.StringIO()
    assert main(["report", str(session / "gw1" / "mod")], Env(stdout=out, stderr=err, home=tmp_path)) == 0
    assert (session / "gw1" / "mod" / "report.html").is_file()
    err = io.StringIO()
    assert main(["report", str(session / "gw0")], Env(stdout=out, stderr=err, home=tmp_path)) == 2
    assert err.getvalue().count("\n") == 1 and "is a worker folder of a session: expected the session folder" \
        in err.getvalue()


def test_the_report_names_the_geo_table_that_located_the_hosts_and_its_sha256(run_dir):
    """Trial 6, finding 12: "How located: override" / "Countries from override." named no table."""
    import hashlib

    table = run_dir / "artifacts" / "world-geo.json"
    sha = hashlib.sha256(table.read_bytes()).hexdigest()
    doc = build_findings(run_dir)
    assert validation_errors(doc) == []
    assert doc["geo"]["override_tables"] == [{"file": "artifacts/world-geo.json", "sha256": sha, "entries": 2}]
    assert {d["geo_database"] for d in doc["summary"]["destinations"]} == {"artifacts/world-geo.json"}
    html = render_report(doc)
    assert f"Countries from the override table artifacts/world-geo.json (SHA-256 {sha})." in html
    assert '<td>override <span class="muted">(artifacts/world-geo.json)</span></td>' in html
    # the adb transport and the hardware serial (ro.serialno, an identifier searched for) are told apart
    assert "adb serial <code>emulator-5554</code> <span class=\"muted\">(the adb transport)</span>" in html
    assert "hardware serial <code>hw-1</code>" in html
