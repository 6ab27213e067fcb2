"""A stop signal while a claim is being judged (trial 5, findings 2 and 15): the claim that was cut
off is recorded ``not run`` with the interruption — the signal that arrived, by name, and the step
it cut — as its cause in ``claims.jsonl``, the session's ``findings.json``, ``report.html`` and
JUnit; it is never judged on the evidence the interruption left (nor left out).

Each test runs ``harness run`` as a real process on a virtual handset (real pytest child, lab,
world, Frida agents) and sends it a real signal when the run's own progress stream says a step
started.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .helpers import run_cli

pytestmark = [pytest.mark.timeout(400), pytest.mark.slow]

SEARCH_CLAIM = "such as searching."


def progress_lines(out: Path) -> list[dict]:
    records = []
    for path in out.glob(".harness-run-*/progress.jsonl") if out.is_dir() else []:
        for line in path.read_text().splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a line being written
    return records


def wait_for(proc: subprocess.Popen, out: Path, event: str, timeout: float = 240) -> dict:
    """The first progress record ``event`` of the child (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        found = [r for r in progress_lines(out) if r.get("event") == event]
        if found:
            return found[0]
        time.sleep(0.1)  # polling the child's progress file, bounded by the deadline
    raise AssertionError(f"no {event} in the progress stream (exit {proc.poll()})")


def session_of(out: Path) -> Path:
    (session,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    return session


def claims_everywhere(tmp_path: Path, session: Path) -> tuple[dict, str, dict]:
    """(the session's findings.json, its report.html, JUnit test cases by name) after
    ``harness report SESSION --junit``."""
    junit = tmp_path / "cut.xml"
    code, _, err = run_cli(tmp_path, "report", str(session), "--junit", str(junit))
    assert code == 0, err
    doc = json.loads((session / "findings.json").read_text())
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    return doc, (session / "report.html").read_text(), cases


def test_sigterm_during_a_step_records_the_claim_not_run_by_sigterm_everywhere(tmp_path: Path):
    out = tmp_path / "runs"
    proc = subprocess.Popen([sys.executable, "-m", "harness", "run", "vendor_claims", "--world", "ncsc-2021",
                             "-k", "searches or browsing", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        step = wait_for(proc, out, "step-start")
        os.kill(proc.pid, signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stdout + stderr
    assert "interrupted by SIGTERM" in stderr and "Traceback" not in stderr
    session = session_of(out)
    records = [json.loads(line) for path in session.rglob("claims.jsonl") for line in path.read_text().splitlines()]
    by_test = {r["id"]: r for r in records}
    cut = by_test["vendor_claims.test_searches_not_restricted"]
    assert cut["verdict"] == "not run", cut
    assert cut["details"].startswith(f"not run: the session was interrupted by SIGTERM during step '{step['step_id']}'")
    assert cut["evidence"] == {"flow_ids": [], "event_ids": []} and cut["device"]
    assert by_test["vendor_claims.test_web_browsing_not_restricted"]["verdict"] == "not run"
    assert not [r for r in records if "SIGINT" in r["details"]], records  # the signal that arrived
    doc, html, cases = claims_everywhere(tmp_path, session)
    assert doc["status"] == "incomplete"
    (claim,) = [c for c in doc["claims"] if c["text"].endswith(SEARCH_CLAIM)]
    assert claim["verdict"] == "not run" and "SIGTERM during step" in claim["details"], claim
    assert len(doc["claims"]) == 2
    assert "interrupted by SIGTERM during step" in html and "SIGINT" not in html
    case = cases["vendor_claims.test_searches_not_restricted"]
    assert case.find("skipped") is not None and "SIGTERM" in (case.find("skipped").get("message") or ""), \
        ET.tostring(case)
    table = [line for line in stdout.splitlines() if line.startswith("| not run ")]
    assert len(table) == 2 and not [line for line in stdout.splitlines() if line.startswith("| incomplete ")], stdout


LATE = '''
import os
import signal
import time

import pytest

from harness.scenario import ClaimResult


@pytest.mark.claim("A claim judged after the stop signal arrived.")
def test_judged_late(lab, verdict, harness_session):
    with lab.step("read-facts"):
        lab.launch("security")
    seen = [f.id for f in lab.flows()][:1]
    os.kill(os.getppid(), signal.SIGHUP)  # to `harness run`, which passes it on to this process
    deadline = time.monotonic() + 60
    try:
        while harness_session.interrupted is None and time.monotonic() < deadline:
            time.sleep(0.05)  # until the signal arrives (bounded)
    except KeyboardInterrupt:
        pass  # stands for code that swallows it (a callback, a finalizer): the test goes on
    verdict.record(ClaimResult("judged late", False, "a verdict on what the stop left", seen))
'''


def test_a_verdict_made_after_the_signal_is_recorded_not_run(tmp_path: Path):
    pack = tmp_path / "latepack"
    pack.mkdir()
    (pack / "__init__.py").write_text('"""latepack."""\n')
    (pack / "test_late.py").write_text(textwrap.dedent(LATE))
    out = tmp_path / "runs"
    done = subprocess.run([sys.executable, "-m", "harness", "run", str(pack), "--world", "compliant",
                           "--out", str(out)], capture_output=True, text=True, timeout=360)
    assert done.returncode == 130, done.stdout + done.stderr
    assert "interrupted by SIGHUP" in done.stderr
    doc, html, cases = claims_everywhere(tmp_path, session_of(out))
    (claim,) = doc["claims"]
    assert claim["verdict"] == "not run", claim  # never violated on partial evidence
    assert claim["details"].startswith("not run: the session was interrupted by SIGHUP"), claim
    assert "a verdict on what the stop left" not in html
    assert cases["latepack.test_judged_late"].find("failure") is None
