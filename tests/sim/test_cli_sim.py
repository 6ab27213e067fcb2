"""``harness sim start|status|stop``: one command gives a usable device."""

from __future__ import annotations

import io
import os
import stat
import time

from harness.cli.context import Env
from harness.cli.main import main
from harness.testing.sim import adb_client


def _run(env_home, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), Env(stdout=out, stderr=err, home=env_home))
    return status, out.getvalue(), err.getvalue()


def _running(pid: int) -> bool:
    """Alive and not a zombie (the handset is our child here; in real use init reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_sim_start_status_stop(tmp_path):
    home = tmp_path / "hh"
    status, out, err = _run(home, "sim", "start", "--personality", "android14", "--name", "t1")
    assert status == 0, err
    serial = out.strip()
    assert serial.startswith("127.0.0.1:")
    try:
        dev = adb_client().device(serial)
        assert dev.prop.get("ro.build.version.sdk") == "34"
        assert dev.shell("pm list packages com.harness.probe") == "package:com.harness.probe"
        folder = home / "sim" / "t1"
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(folder / "handset.json").st_mode) == 0o600
        status, out, _ = _run(home, "sim", "status", "--name", "t1")
        assert status == 0 and f"running as {serial}" in out
        status, _, err = _run(home, "sim", "start", "--name", "t1")
        assert status == 2 and "already running" in err
        # the virtual handset needs no frida-server: doctor says so, no download hint (trial item 12)
        _, doctor, _ = _run(home, "doctor", "--device", serial, "--no-proxy-probe")
        frida = next(line for line in doctor.splitlines() if "frida-server:" in line)
        assert frida.startswith("PASS") and "not needed" in frida and "github" not in doctor.lower(), doctor
        pid = int(out.split("pid ")[1].split(",")[0])
    finally:
        status, out, _ = _run(home, "sim", "stop", "--name", "t1")
    assert status == 0 and out.strip() == f"stopped {serial}"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.1)
    assert not _running(pid), "handset process still alive"
    assert all(d.serial != serial for d in adb_client().list())
    assert "stopped" in _run(home, "sim", "status", "--name", "t1")[1]
    assert "not running" in _run(home, "sim", "stop", "--name", "t1")[1]


def test_sim_start_rejects_bad_input(tmp_path):
    status, _, err = _run(tmp_path, "sim", "start", "--port", "5555", "--name", "bad", "--no-connect")
    assert status == 2 and "5555-5585" in err
    status, _, err = _run(tmp_path, "sim", "start", "--world", "no-such-world.yaml", "--name", "w")
    assert status == 2 and "no-such-world.yaml" in err
    status, _, err = _run(tmp_path, "sim", "start", "--name", "../x")
    assert status == 2 and "bad handset name" in err


def test_apps_die_when_the_handset_process_is_killed(tmp_path):
    """No orphans: SIGKILL of the handset process (no cleanup code runs) still ends its apps."""
    import signal

    from harness.sim import service

    folder = tmp_path / "sim" / "k"
    record = service.start(folder)
    try:
        dev = adb_client().device(record.serial) if _connect(record.serial) else None
        assert dev is not None
        out = dev.shell("am start -W -n com.harness.probe/.Main -a android.intent.action.VIEW -d about:blank")
        assert "Status: ok" in out, out
        app_pid = int(dev.shell("pidof com.harness.probe"))
        assert _running(app_pid)
    finally:
        os.kill(record.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(app_pid):
        time.sleep(0.1)
    assert not _running(app_pid), "the app outlived its handset"
    adb_client().disconnect(record.serial)


def _connect(serial: str) -> bool:
    client = adb_client()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        client.connect(serial, timeout=10)
        if any(d.serial == serial and d.state == "device" for d in client.list()):
            return True
        time.sleep(0.3)
    return False


def test_sim_start_auth_options(tmp_path):
    home = tmp_path / "hh"
    bad = tmp_path / "bad.pub"
    bad.write_text("not a key\n")
    status, out, err = _run(home, "sim", "start", "--name", "t3", "--adb-key", str(bad), "--no-connect")
    assert status == 2 and "bad.pub" in err and len(err.strip().splitlines()) == 1
    assert not (home / "sim" / "t3" / "handset.json").exists()  # refused before starting anything
    status, out, err = _run(home, "sim", "start", "--name", "t4", "--insecure", "--no-connect")
    try:
        assert status == 0, err
        assert "--insecure" in err and "any local user" in err
        assert "INSECURE" in (home / "sim" / "t4" / "handset.log").read_text()
    finally:
        _run(home, "sim", "stop", "--name", "t4")
