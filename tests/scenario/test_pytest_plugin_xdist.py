"""``pytest -n 2`` with the harness plugin: each xdist worker takes its own virtual handset, and the
controller merges the workers' findings into one document with a per-device column.

One inner session (a subprocess): a pack of two modules with the same claim, ``--dist loadfile``
so each worker runs one module on its own handset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.report.contract import validation_errors

from .helpers import MODEL_CLAIM

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]
ROOT = Path(__file__).resolve().parents[2]

MODULE = """
import pytest

from harness.scenario import ClaimResult

""" + MODEL_CLAIM


def test_two_workers_two_handsets_one_merged_document(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "__init__.py").write_text("")
    (pack / "test_a.py").write_text(MODULE)
    (pack / "test_b.py").write_text(MODULE)
    out, progress, policy = tmp_path / "out", tmp_path / "progress.jsonl", tmp_path / "policy.yaml"
    policy.write_text("adequate: [CH, JP]\n")  # the workers' analysis runs with --harness-policy
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not an xdist worker
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider",
             "--rootdir", str(tmp_path), "--harness-out", str(out), "--harness-progress", str(progress),
             "--harness-policy", str(policy), "pack"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=360)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the session did not finish within 360 s: {exc.stdout!r}")
    text = done.stdout + done.stderr
    assert done.returncode == 0 and "2 passed" in text, text[-4000:]
    (session,) = [p for p in out.iterdir() if p.is_dir()]
    # each worker recorded its own lab
    runs = sorted(p.relative_to(session).as_posix() for p in session.glob("gw*/*") if p.is_dir())
    assert runs in (["gw0/pack.test_a", "gw1/pack.test_b"], ["gw0/pack.test_b", "gw1/pack.test_a"]), runs
    merged_path = session / "findings.json"
    assert f"harness: findings of session {session.name} in {merged_path}" in text
    merged = json.loads(merged_path.read_text())
    assert validation_errors(merged) == []
    assert merged["run_id"] == session.name  # the session's id, not a merged hash
    assert oct(merged_path.stat().st_mode & 0o777) == "0o600"
    # two handsets, each with its claim: the per-device column
    devices = {c["device"] for c in merged["claims"]}
    assert len(devices) == 2 and all(d.startswith("127.0.0.1:") for d in devices)
    assert sorted(merged["runs"]) == sorted(f"{session.name}.{r.replace('/', '.')}" for r in runs)
    (row,) = merged["claim_matrix"]
    assert row["id"] == "pack.test_model" and row["verdicts"] == {d: "holds" for d in devices}
    # the progress stream: both workers opened a lab on their own device; the controller ended it
    lines = [json.loads(line) for line in progress.read_text().splitlines()]
    opened = {e["worker"]: e["device"] for e in lines if e["event"] == "lab-open"}
    assert set(opened) == {"gw0", "gw1"} and set(opened.values()) == devices
    (end,) = [e for e in lines if e["event"] == "session-end"]
    assert end["worker"] == "main" and end["findings"] == str(merged_path) and end["exitstatus"] == 0
