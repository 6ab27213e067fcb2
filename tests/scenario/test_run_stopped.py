"""``harness run`` with a claim test that crashes, and stopped by a signal while a lab closes: one
status everywhere (console, ``harness runs``, the lab's store and findings, the session's
findings, ``harness report``), the crashed claim an ``error`` everywhere (table, findings, HTML,
JUnit ``<error>``), the claims never reached ``not run`` (table, findings, JUnit ``<skipped>``).

Each test runs ``harness run`` on a virtual handset (a real pytest child, lab and world).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
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
