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
    # a second failed start quotes its own error once, not the first start's lines too (trial 6 H)
    status, _, err = _run(tmp_path, "sim", "start", "--port", "5556", "--name", "bad", "--no-connect")
    assert status == 2 and err.count("\n") == 1 and "port 5556" in err and "port 5555" not in err, err
    assert err.count("(fix: ") == 1 and "its log: " in err
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


def test_sim_start_refuses_bad_files_and_ports_before_starting(tmp_path):
    """Trial 6 finding H: a folder as --adb-key was a traceback, --port 99999 a squashed traceback
    from the handset process, a missing --hosts-file was accepted silently."""
    home = tmp_path / "hh"
    (tmp_path / "dir").mkdir()
    (tmp_path / "bad-hosts").write_text("127.0.0.1 ok.test\nnot-an-address x.test\n")
    cases = [
        (["--adb-key", str(tmp_path / "dir")], "cannot read the adb key", "Is a directory"),
        (["--adb-key", str(tmp_path / "absent.pub")], "cannot read the adb key", "No such file"),
        (["--hosts-file", str(tmp_path / "absent.txt")], "cannot read hosts file", "absent.txt"),
        (["--hosts-file", str(tmp_path / "bad-hosts")], "bad-hosts:2", "is not an IPv4 or IPv6 address"),
        (["--port", "99999"], "--port '99999': expected a port number 0-65535", "see harness sim start --help"),
        (["--port", "-1"], "--port '-1': expected a port number 0-65535", "see harness sim start --help"),
    ]
    for options, problem, detail in cases:
        status, out, err = _run(home, "sim", "start", "--name", "z", "--no-connect", *options)
        assert (status, out) == (2, ""), (options, err)
        assert problem in err and detail in err and len(err.strip().splitlines()) == 1, (options, err)
        assert "Traceback" not in err
    assert not (home / "sim" / "z" / "handset.log").exists()  # nothing was started


def test_a_failed_start_quotes_only_its_own_part_of_the_handset_log(tmp_path):
    """Trial 6 finding H: the next start after a failed one quoted the old traceback first."""
    from harness.sim.service import _start_problem

    log = tmp_path / "handset.log"
    log.write_text("Traceback (most recent call last):\n  File x\nOverflowError: bind(): port must be 0-65535.\n")
    offset = log.stat().st_size
    with log.open("a") as fh:
        fh.write("2026-12-01 INFO starting\n"
                 "harness sim: error: cannot listen on 127.0.0.1:5396: Address already in use (fix: pick another)\n")
    assert _start_problem(log, offset) == ("cannot listen on 127.0.0.1:5396: Address already in use", "pick another")
    with log.open("a") as fh:
        offset = fh.tell()
        fh.write("line 1\nline 2\n")
    assert _start_problem(log, offset) == ("line 1 / line 2", None)  # no error line: its own last lines
    assert _start_problem(log, log.stat().st_size) == ("(it wrote nothing to its log)", None)
