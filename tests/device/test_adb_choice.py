"""Which adb the harness runs (issue 10, item 13) and what it says when no adb server or no
handset answers (item 17). Every command here runs with its own adb server port, so a second
adb version never meets the session's server (a version mismatch kills the other's server)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from harness.device.adbbin import bundled_adb, read_adb_version
from tests.sim.adbtools import DEBIAN_ADB

pytestmark = pytest.mark.timeout(120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _harness(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    full.pop("ADBUTILS_ADB_PATH", None)  # the session's pin; these runs choose for themselves
    return subprocess.run([sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=90,
                          env=full, stdin=subprocess.DEVNULL)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_bad_adb_path_is_one_line_and_exit_2(tmp_path):
    proc = _harness("devices", "--adb-path", str(tmp_path / "no-such-adb"))
    assert proc.returncode == 2 and "no-such-adb" in proc.stderr and "--adb-path" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    proc = _harness("devices", env={"HARNESS_ADB": str(tmp_path / "gone")})
    assert proc.returncode == 2 and "HARNESS_ADB" in proc.stderr


@pytest.mark.parametrize("how", ["option", "env"])
def test_doctor_shows_the_chosen_adb(how, tmp_path):
    chosen = DEBIAN_ADB if Path(DEBIAN_ADB).exists() else bundled_adb()
    port = str(_free_port())
    env = {"ANDROID_ADB_SERVER_PORT": port}
    args = ["doctor", "--json", "--no-proxy-probe"]
    if how == "option":
        args += ["--adb-path", chosen]
    else:
        env["HARNESS_ADB"] = chosen
    try:
        proc = _harness(*args, env=env)
    finally:
        subprocess.run([chosen, "-P", port, "kill-server"], capture_output=True, timeout=30)
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    detail = checks["adb binary"]["detail"]
    assert chosen in detail and read_adb_version(chosen) in detail
    assert ("--adb-path" if how == "option" else "HARNESS_ADB") in detail


def test_wrong_adb_port_starts_no_server():
    port = _free_port()
    proc = _harness("devices", "--adb", f"127.0.0.1:{port}")
    assert proc.returncode == 2 and f"no adb server answers at 127.0.0.1:{port}" in proc.stderr
    assert not _listening(port), "a stray adb server was started on the mistyped port"
    doctor = _harness("doctor", "--adb", f"127.0.0.1:{port}")
    assert doctor.returncode == 2 and "nothing answers" in doctor.stdout
    assert not _listening(port)


def test_no_handset_hint_names_the_virtual_handset():
    port = str(_free_port())
    try:
        proc = _harness("devices", env={"ANDROID_ADB_SERVER_PORT": port})  # the default server: started
        assert proc.returncode == 0 and "harness sim start" in proc.stdout and "phone" in proc.stdout
        doctor = _harness("doctor", env={"ANDROID_ADB_SERVER_PORT": port})
        assert doctor.returncode == 2 and "harness sim start" in doctor.stdout
    finally:
        subprocess.run([bundled_adb(), "-P", port, "kill-server"], capture_output=True, timeout=30)
