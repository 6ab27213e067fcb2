"""The docker-compose ``intercept`` service's entrypoint (scripts/emulator-intercept.sh) against a
virtual Android 14 handset standing in for the emulator container (trial report 6, finding F): it
connects, waits for ``sys.boot_completed``, runs ``adb root`` and *execs* harness — the process the
container's init signals is harness itself, so ``docker stop``'s SIGTERM restores the device.

Real script under dash (``sh``), real adb server, real harness intercept; no Docker engine here, so
the container's main process is stood in for by the script's own process: the test signals that
pid, as ``docker stop`` (or tini under ``init: true``) would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from devicehelp import sim_settings

from harness.sim.handset import VirtualHandset

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "emulator-intercept.sh"

pytestmark = pytest.mark.timeout(240)


def test_docker_stop_reaches_harness_which_restores_the_emulator(a14: VirtualHandset, home: Path, tmp_path: Path):
    ready = tmp_path / "ready.json"
    env = {**os.environ, "HARNESS_HOME": str(home), "EMULATOR_ADB": a14.serial, "BOOT_TIMEOUT": "60",
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(["sh", str(SCRIPT), "--ready-file", str(ready), "--no-keyboard-marks"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while not (ready.exists() and ready.read_text().endswith("\n")):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)  # polling for the ready file, bounded by the deadline
        # the script's process is now harness intercept (exec), not a shell with harness as its child
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert b"intercept" in cmdline and not any(w.endswith(b"emulator-intercept.sh") for w in cmdline), cmdline
        info = json.loads(ready.read_text())
        # no fixed --out: each run its own folder under HARNESS_HOME/runs (a second run does not collide)
        assert Path(info["run_dir"]).parent == home / "runs"
        assert a14.daemon is not None and a14.device is not None and a14.device.adb_root  # adb root ran
        assert sim_settings(a14)["global"]["http_proxy"].startswith("127.0.0.1:")
        proc.send_signal(signal.SIGTERM)  # docker stop
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "booted; adb root: restarting adbd as root" in err, err
    assert "Traceback" not in err and "run saved in" in out, (out, err)
    assert "http_proxy" not in sim_settings(a14)["global"]  # restored


def test_an_emulator_that_never_answers_is_one_line_and_exit_2(home: Path, tmp_path: Path, adb_server):  # noqa: ARG001
    env = {**os.environ, "HARNESS_HOME": str(home), "EMULATOR_ADB": "127.0.0.1:9", "BOOT_TIMEOUT": "1",
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    proc = subprocess.run(["sh", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "127.0.0.1:9 did not answer adb or finish booting" in lines[0] and "fix:" in lines[0]


def test_restore_argument_restores_after_a_sigkilled_run(a14: VirtualHandset, home: Path, tmp_path: Path):
    """``docker kill`` leaves the journal on the volume: ``run --rm intercept restore`` undoes it."""
    ready = tmp_path / "ready.json"
    env = {**os.environ, "HARNESS_HOME": str(home), "EMULATOR_ADB": a14.serial, "BOOT_TIMEOUT": "60",
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    proc = subprocess.Popen(["sh", str(SCRIPT), "--ready-file", str(ready), "--no-keyboard-marks"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 120
        while not (ready.exists() and ready.read_text().endswith("\n")):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)  # polling for the ready file, bounded by the deadline
    finally:
        proc.kill()  # docker kill
        proc.wait()
    assert sim_settings(a14)["global"]["http_proxy"].startswith("127.0.0.1:")
    done = subprocess.run(["sh", str(SCRIPT), "restore"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "undone:" in done.stdout and "http_proxy" not in sim_settings(a14)["global"], done.stdout


@pytest.mark.parametrize(("fixture", "said"), [
    ("a10", "note: adb root refused (adbd cannot run as root in production builds); the device has su, "
            "so harness installs the CA in the system store through su"),
    ("noroot", "warning: adb root refused (adbd cannot run as root in production builds) and the device has no su: "
               "--ca auto puts the CA in the user store"),
])
def test_a_refused_adb_root_says_where_the_ca_goes(fixture: str, said: str, home: Path, tmp_path: Path,
                                                    request: pytest.FixtureRequest):
    """Trial 6b N2: on a device rooted by su the script warned "the CA goes to the user store" while
    harness put it in the system store through su. It now asks su as harness does. harness
    intercept is then refused by its own bad ``--duration`` (exit 2), so nothing is changed."""
    handset: VirtualHandset = request.getfixturevalue(fixture)
    env = {**os.environ, "HARNESS_HOME": str(home), "EMULATOR_ADB": handset.serial, "BOOT_TIMEOUT": "60",
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    proc = subprocess.run(["sh", str(SCRIPT), "--duration", "-5"], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 2 and "positive number of seconds" in proc.stderr, proc.stderr
    assert f"emulator-intercept: {said}" in proc.stderr, proc.stderr
