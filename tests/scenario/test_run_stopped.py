"""``harness run`` with a claim test that crashes, and stopped by a signal while a lab closes: one
status everywhere (console, ``harness runs``, the lab's store and findings, the session's
findings, ``harness report``), the crashed claim an ``error`` everywhere (table, findings, HTML,
JUnit ``<error>``), the claims never reached ``not run`` (table, findings, JUnit ``<skipped>``).

Each test runs ``harness run`` on a virtual handset (a real pytest child, lab and world).
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

from harness.capture.store import RunStore

from .helpers import MODEL_CLAIM, run_cli

pytestmark = [pytest.mark.timeout(400), pytest.mark.slow]

HOLDS = MODEL_CLAIM

HEAD = "import os\nimport signal\nimport time\n\nimport pytest\n\nfrom harness.scenario import ClaimResult\n"


def make_pack(root: Path, name: str, modules: dict[str, str]) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "__init__.py").write_text(f'"""{name}."""\n')
    for module, text in modules.items():
        (folder / f"{module}.py").write_text(HEAD + textwrap.dedent(text))
    return folder


def test_a_claim_test_that_crashes_is_an_error_in_the_table_findings_report_and_junit(tmp_path: Path):
    pack = make_pack(tmp_path, "crashpack", {"test_claims": HOLDS + '''

@pytest.mark.claim("A claim whose test crashes.")
def test_crash(lab, verdict):
    assert 1 == 2
'''})
    out = tmp_path / "runs"
    code, stdout, err = run_cli(tmp_path, "run", str(pack), "--world", "compliant", "--out", str(out))
    assert code == 2, stdout + err  # an error (docs/scenarios.md "Running packs"), not a finding
    rows = [line for line in stdout.splitlines() if "A claim whose test crashes." in line and line.startswith("|")]
    assert rows and rows[0].startswith("| error "), stdout
    assert not [line for line in stdout.splitlines() if line.startswith("| failed ")], stdout
    (session,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    doc = json.loads((session / "findings.json").read_text())
    (crash,) = [c for c in doc["claims"] if c["text"] == "A claim whose test crashes."]
    assert crash["verdict"] == "error" and "assert 1 == 2" in crash["details"], crash
    junit = tmp_path / "j.xml"
    (lab,) = [p for p in session.glob("*/*") if p.is_dir()]
    for folder in (session, lab):  # the session as harness run wrote it, the lab analysed again
        code, _, err = run_cli(tmp_path, "report", str(folder), "--junit", str(junit))
        assert code == 0, err
        html = (folder / "report.html").read_text()
        assert "A claim whose test crashes." in html and "2 claims" not in html
        cases = ET.parse(junit).getroot().iter("testcase")
        errors = {c.get("name"): c.find("error") for c in cases}
        assert errors["crashpack.test_crash"] is not None and errors["crashpack.test_model"] is None, errors


STOPPER = '''

class StopWhileClosing:
    """Stands in for a Frida session of the lab (a lab closes its hooks first, before it restores
    the device): its close sends SIGINT to `harness run`, which passes it on to this pytest process,
    and waits until the session has seen it. The signal, the lab and the restore are real."""

    def __init__(self, session):
        self.session = session

    def check(self):
        pass

    def flush(self, timeout=None):
        pass

    def close(self):
        os.kill(os.getppid(), signal.SIGINT)
        deadline = time.monotonic() + 60
        while self.session.interrupted is None and time.monotonic() < deadline:
            time.sleep(0.05)  # until the signal arrives (bounded)


@pytest.mark.claim("The last claim of the lab stops the run while the lab closes.")
def test_stopper(lab, verdict, harness_session):
    lab.hooks["stopper"] = StopWhileClosing(harness_session)
    verdict.record(ClaimResult("the stopper ran", True, "planted", [f.id for f in lab.flows()][:1]))
'''


def test_a_signal_while_the_lab_closes_makes_every_place_say_incomplete_and_lists_what_did_not_run(
        tmp_path: Path):
    pack = make_pack(tmp_path, "stoppack", {
        "test_a": HOLDS + STOPPER,
        "test_b": '''
@pytest.mark.claim("A claim after the stop.")
def test_after(lab, verdict):
    pass


@pytest.mark.claim("Another claim after the stop.")
def test_after_too(lab, verdict):
    pass
'''})
    out = tmp_path / "runs"
    done = subprocess.run([sys.executable, "-m", "harness", "run", str(pack), "--world", "compliant",
                           "--out", str(out)], capture_output=True, text=True, timeout=360)
    stdout, stderr = done.stdout, done.stderr
    assert done.returncode == 128 + signal.SIGINT, stdout + stderr
    (session,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert f"interrupted by SIGINT; the run is incomplete: what was recorded is in {session}" in stderr
    assert "Traceback" not in stderr
    # the lab's store and findings, the session's findings: incomplete, with the signal
    (lab,) = [p for p in session.glob("main/*") if p.is_dir()]
    store = RunStore.open(lab)
    assert store.status == "incomplete", store.meta()
    assert "interrupted by SIGINT" in str(store.meta().get("status_reason")), store.meta()
    assert json.loads((lab / "findings.json").read_text())["status"] == "incomplete"
    doc = json.loads((session / "findings.json").read_text())
    assert doc["status"] == "incomplete"
    verdicts = {c["text"]: c["verdict"] for c in doc["claims"]}
    assert verdicts["A claim after the stop."] == "not run" and verdicts["Another claim after the stop."] == "not run"
    assert verdicts["The handset tells its model."] == "holds"
    table = [line for line in stdout.splitlines() if line.startswith("| ")]
    not_run = [line for line in table if line.startswith("| not run ")]
    assert len(not_run) == 2 and "A claim after the stop." in " ".join(not_run), stdout
    from harness.report.contract import validation_errors

    assert validation_errors(doc) == []
    code, listing, _ = run_cli(tmp_path, "runs", str(out))
    assert code == 0 and "incomplete" in [row for row in listing.splitlines() if session.name in row][0]
    junit = tmp_path / "j.xml"
    for folder in (session, lab):
        code, _, err = run_cli(tmp_path, "report", str(folder), "--junit", str(junit))
        assert code == 0, err
        assert "incomplete" in (folder / "report.html").read_text()
        assert json.loads((folder / "findings.json").read_text())["status"] == "incomplete"
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    assert cases  # the lab's own claims (the not-run ones are the session's)
    code, _, _ = run_cli(tmp_path, "report", str(session), "--junit", str(junit))
    skipped = [c.get("name") for c in ET.parse(junit).getroot().iter("testcase") if c.find("skipped") is not None]
    assert sorted(skipped) == ["stoppack.test_after", "stoppack.test_after_too"], skipped


def _ended(pid: int) -> bool:
    """The process is gone, or a zombie nobody reaped yet (its parent died)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def test_a_pytest_child_killed_mid_claim_names_the_device_left_changed(tmp_path: Path):
    """Trial 6 finding D: the pytest child dies by SIGKILL while a claim drives the handset (the
    test kills its own process, as `kill -9` of it would): harness run's error names the device
    whose journal still has changes and the `harness restore --device` to run."""
    pack = make_pack(tmp_path, "killpack", {"test_claims": '''

@pytest.mark.claim("The pytest child survives.")
def test_killed(lab, verdict):
    with lab.step("before-the-kill"):
        lab.launch("security")
        os.kill(os.getpid(), signal.SIGKILL)
'''})
    code, _, err = run_cli(tmp_path, "run", str(pack), "--world", "compliant", "--out", str(tmp_path / "runs"))
    assert code == 2, err
    from harness.device.journal import pending_journals

    ((serial, count),) = pending_journals(tmp_path)
    assert count > 0
    line = [x for x in err.splitlines() if f"[{serial}] was not restored" in x]
    assert line and f"{count} change(s) pending" in line[0] and f"harness restore --device {serial}" in line[0], err
    assert "Traceback" not in err


def test_kill_9_of_harness_run_stops_its_pytest_child(tmp_path: Path):
    """Trial 6 finding E: `kill -9` of harness run's process group while a claim runs; the pytest
    child (its own session, so the group kill misses it) gets SIGTERM from Linux as its parent dies
    (PR_SET_PDEATHSIG), restores the handset and closes the run incomplete instead of driving the
    phone on to a `complete` run. Real processes and signals; the claim would otherwise wait 120 s."""
    started = tmp_path / "started"
    pack = make_pack(tmp_path, "orphanpack", {"test_claims": f'''

@pytest.mark.claim("The run goes on without harness run.")
def test_orphan(lab, verdict):
    with lab.step("waiting"):
        lab.launch("security")
        open({str(started)!r}, "w").write(str(os.getpid()))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(0.1)
    verdict.record(ClaimResult("went on", True, "not stopped", [f.id for f in lab.flows()][:1]))
'''})
    out = tmp_path / "runs"
    env = {**os.environ, "HARNESS_HOME": str(tmp_path / "hh")}
    parent = subprocess.Popen([sys.executable, "-m", "harness", "run", str(pack), "--world", "compliant",
                               "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=env, start_new_session=True)
    child = None
    try:
        deadline = time.monotonic() + 240
        while not (started.exists() and started.read_text()):
            assert time.monotonic() < deadline and parent.poll() is None, parent.poll()
            time.sleep(0.1)
        child = int(started.read_text())
        os.killpg(parent.pid, signal.SIGKILL)  # the whole process group, as `kill -9 -- -PGID`
        assert parent.wait(timeout=30) == -signal.SIGKILL
        deadline = time.monotonic() + 90
        while not _ended(child):
            assert time.monotonic() < deadline, "the pytest child still runs after its parent died"
            time.sleep(0.1)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(timeout=30)
        if child is not None and not _ended(child):
            os.kill(child, signal.SIGKILL)
    (session,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    (lab,) = [p for p in session.glob("main/*") if p.is_dir()]
    store = RunStore.open(lab)
    assert store.status == "incomplete" and "SIGTERM" in str(store.meta().get("status_reason")), store.meta()
    doc = json.loads((session / "findings.json").read_text())
    assert doc["status"] == "incomplete"
    assert [c["verdict"] for c in doc["claims"] if c["text"] == "The run goes on without harness run."] == ["not run"]
    from harness.device.journal import pending_journals

    assert pending_journals(tmp_path / "hh") == []  # the child restored the handset before it ended
