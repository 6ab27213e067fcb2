"""The pieces that give a stopped run one status: a closed run marked incomplete afterwards, a
crashed claim (``error``) and claims never reached (``not run``) in the merged document and JUnit."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.capture.store import RunStore
from harness.report.document import load_claims, save_claim
from harness.report.junit import junit_xml
from harness.report.merge import claim_matrix


def _claim(verdict: str, name: str, device: str | None = "S1") -> dict:
    return {"id": f"pack.{name}", "text": f"Claim {name}.", "verdict": verdict, "details": "d",
            "evidence": {"flow_ids": [], "event_ids": []}, "device": device}


def test_a_closed_complete_run_is_marked_incomplete_with_the_reason_and_a_live_one_is_not(tmp_path: Path):
    store = RunStore.create(tmp_path / "run")
    assert RunStore.mark_incomplete(tmp_path / "run", "interrupted by SIGINT") is False  # a writer holds it
    store.close("complete")
    closed_at = RunStore.open(tmp_path / "run").meta()["closed_at"]
    assert RunStore.mark_incomplete(tmp_path / "run", "interrupted by SIGINT") is True
    meta = RunStore.open(tmp_path / "run").meta()
    assert RunStore.open(tmp_path / "run").status == "incomplete"
    assert meta["status_reason"] == "interrupted by SIGINT" and meta["closed_at"] == closed_at
    assert RunStore.mark_incomplete(tmp_path / "run", "again") is False  # only complete -> incomplete
    assert not [p for p in (tmp_path / "run").iterdir() if p.is_file() and p.stat().st_mode & 0o077]


def test_error_and_not_run_claims_are_kept_and_shown_as_error_and_skipped(tmp_path: Path):
    save_claim(tmp_path, _claim("error", "crash"))
    save_claim(tmp_path, _claim("not run", "later", device=None))
    claims = [_claim("holds", "fine"), *load_claims(tmp_path)]
    cases = {c.get("name"): c for c in ET.fromstring(junit_xml({"run_id": "r", "claims": claims})).iter("testcase")}
    assert cases["pack.crash"].find("error") is not None
    assert cases["pack.later"].find("skipped") is not None and cases["pack.later"].find("error") is None
    assert list(cases["pack.fine"]) and cases["pack.fine"].find("skipped") is None  # properties only: a pass
    rows = {r["id"]: r for r in claim_matrix(claims, ["S1"])}
    assert rows["pack.later"]["verdict"] == "not run" and rows["pack.later"]["verdicts"] == {"S1": None}
    assert rows["pack.crash"]["verdict"] == "error"
