"""A farm worker that dies mid-run (``pytest -n 2``, a worker process killed while a claim runs):
the session's findings.json says ``incomplete``, keeps the claims the dead worker had recorded
(its lab's ``claims.jsonl``) and lists the claim that was running ``error`` (the worker crashed);
``harness runs``, ``harness report`` and pytest's JUnit agree.

Real parts: pytest-xdist with two workers, each with its own virtual handset; the crash is a real
SIGKILL of the worker process (the claim test kills its own process, as ``kill -9`` would)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .helpers import MODEL_CLAIM, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]
ROOT = Path(__file__).resolve().parents[2]

MODULE = """
import pytest

from harness.scenario import ClaimResult

""" + MODEL_CLAIM

CRASHING = MODULE + '''

@pytest.mark.claim("The handset survives its worker.")
def test_worker_dies(lab):
    import os
    import signal

    with lab.step("before-the-crash"):
        lab.launch("security")
    os.kill(os.getpid(), signal.SIGKILL)  # the worker process dies mid-claim, as kill -9 of it
'''


def run_pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not an xdist worker
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    try:
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                               *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=360)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the session did not finish within 360 s: {exc.stdout!r}")


def test_a_crashed_worker_leaves_an_incomplete_session_with_its_claims(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "__init__.py").write_text("")
    (pack / "test_a.py").write_text(MODULE)
    (pack / "test_b.py").write_text(CRASHING)
    out, junit = tmp_path / "out", tmp_path / "junit.xml"
    # loadfile: one module per worker; no restart (xdist's loadfile would run the crashing test again)
    done = run_pytest(tmp_path, "-n", "2", "--dist", "loadfile", "--max-worker-restart", "0", "--harness-out", str(out),
                      f"--junitxml={junit}", "pack")
    text = done.stdout + done.stderr
    assert done.returncode == 1 and "crashed" in text, text[-4000:]
    (session,) = [p for p in out.iterdir() if p.is_dir()]
    merged = json.loads((session / "findings.json").read_text())
    assert merged["status"] == "incomplete", merged["status"]
    by_id = {(c["id"], c["device"]): c for c in merged["claims"]}
    devices = {c["device"] for c in merged["claims"]}
    assert len(devices) == 2 and None not in devices, by_id  # the dead worker's device is named
    crashed = [c for c in merged["claims"] if c["id"] == "pack.test_worker_dies"]
    assert len(crashed) == 1 and crashed[0]["verdict"] == "error", crashed
    assert "crashed" in crashed[0]["details"], crashed[0]["details"]
    dead = crashed[0]["device"]
    # the claim the dead worker recorded before it died (its lab's claims.jsonl) is kept, on its device
    (recorded,) = [json.loads(line) for p in session.glob("gw*/pack.test_b/claims.jsonl")
                   for line in p.read_text().splitlines() if '"pack.test_model"' in line]
    assert by_id[("pack.test_model", dead)]["verdict"] == recorded["verdict"] and recorded["device"] == dead
    rows = {row["id"]: row["verdicts"] for row in merged["claim_matrix"]}
    assert rows["pack.test_worker_dies"][dead] == "error"
    assert rows["pack.test_model"][dead] == recorded["verdict"] and len(rows["pack.test_model"]) == 2
    # harness runs and harness report say the same
    home = tmp_path / "home"
    code, listed, err = run_cli(home, "runs", str(out))
    assert code == 0, err
    (line,) = [s for s in listed.splitlines() if session.name in s]
    assert "incomplete" in line, listed
    code, _, err = run_cli(home, "report", str(session), "--junit", str(tmp_path / "report.xml"))
    assert code in (0, 1), err
    again = json.loads((session / "findings.json").read_text())
    assert again["status"] == "incomplete"
    assert {(c["id"], c["device"], c["verdict"]) for c in again["claims"]} == {
        (c["id"], c["device"], c["verdict"]) for c in merged["claims"]}
    # pytest's JUnit: the crashed claim is an <error> naming its device
    cases = ET.parse(junit).getroot().iter("testcase")
    (case,) = [c for c in cases if c.get("name", "").startswith("test_worker_dies")]
    assert case.find("error") is not None and case.find("failure") is None, ET.tostring(case)
    assert case.find("error").get("message", "").startswith("worker "), ET.tostring(case)  # not "failed on setup"
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props.get("device") == dead and props.get("verdict") == "error", props
    assert dead in (case.get("name", "") + case.get("classname", ""))
    # the JUnit of `harness report`: the same claim on two devices, told apart by name and property
    report_cases = list(ET.parse(tmp_path / "report.xml").getroot().iter("testcase"))
    model = sorted(c.get("name") for c in report_cases if c.get("name", "").startswith("pack.test_model"))
    assert model == sorted(f"pack.test_model [{d}]" for d in devices), model
    (dies,) = [c for c in report_cases if c.get("name", "").startswith("pack.test_worker_dies")]
    assert dies.find("error") is not None and dies.get("name") == f"pack.test_worker_dies [{dead}]"
    assert {p.get("name"): p.get("value") for p in dies.iter("property")}["device"] == dead
    # pytest's JUnit: the testcases of the two devices have different names
    names = [c.get("name") for c in ET.parse(junit).getroot().iter("testcase") if c.get("name", "").startswith("test_model")]
    assert len(names) == 2 and len(set(names)) == 2, names
