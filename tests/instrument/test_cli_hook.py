"""``harness hook`` in-process: streams one line per event, records into a run store, ends with a
clear error when the hooked process dies (and keeps what it recorded)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from harness.capture import RunStore
from harness.cli.context import Env
from harness.cli.main import main

pytestmark = pytest.mark.timeout(120)


def run_cli(argv, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, Env(stdout=out, stderr=err, home=tmp_path / "home"))
    return code, out.getvalue(), err.getvalue()


def test_hook_spawn_streams_json_events_and_records_them(tmp_path, origin, origin_ca):
    (tmp_path / "ca.pem").write_bytes(origin_ca.cert_pem)
    script = tmp_path / "once.py"
    script.write_text(
        "import ssl, socket\n"
        f"ctx = ssl.create_default_context(cafile={str(tmp_path / 'ca.pem')!r})\n"
        f"s = ctx.wrap_socket(socket.create_connection(({origin.host!r}, {origin.port})), server_hostname='127.0.0.1')\n"
        "s.sendall(b'GET /from-cli HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')\n"
        "while s.recv(4096): pass\n"
    )
    run_dir = tmp_path / "run"
    code, out, err = run_cli(["hook", "--agent", "tls-native", "--out", str(run_dir), "--json", "--duration", "30",
                              "--spawn", sys.executable, "-I", "-S", str(script)], tmp_path)
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    writes = [e for e in events if e["type"] == "tls:write"]
    assert writes and writes[0]["data"]["format"] == "base64"
    reader = RunStore.open(run_dir)
    try:
        stored = list(reader.iter_events("tls:"))
        assert reader.status == "complete"
    finally:
        reader.close()
    assert any(e.type == "tls:write" and e.data.startswith(b"GET /from-cli ") for e in stored)


def test_hook_pid_text_lines_and_process_death_is_an_error(tmp_path, python_child):
    child = python_child("sleeper.py")
    assert child.stdout.readline().strip() == "ready"
    import threading

    def kill_soon():
        import time

        time.sleep(3)
        child.stdin.write("exit\n")
        child.stdin.flush()

    threading.Thread(target=kill_soon, daemon=True).start()
    run_dir = tmp_path / "run"
    code, out, err = run_cli(["hook", "--pid", str(child.pid), "--agent", "tls-native", "--out", str(run_dir),
                              "--duration", "60"], tmp_path)
    assert code == 2
    assert f"process {child.pid} exited" in err
    lines = out.splitlines()
    assert any(" session:agent-loaded " in line for line in lines)
    assert any(" session:detached " in line and "process-terminated" in line for line in lines)
    reader = RunStore.open(run_dir)
    try:
        assert reader.status == "incomplete"
        assert [e.type for e in reader.iter_events("session:")] == ["session:agent-loaded", "session:detached"]
    finally:
        reader.close()


def test_hook_usage_errors(tmp_path):
    code, _, err = run_cli(["hook", "--package", "com.x", "--agent", "crypto"], tmp_path)
    assert code == 2 and "--package needs --device" in err
    code, _, err = run_cli(["hook", "--pid", "1", "--agent", "crypto", "--config", "nodot=1"], tmp_path)
    assert code == 2 and "bad --config" in err


def test_hook_checks_its_arguments_before_the_device(tmp_path):
    """Issue 10.19: a bad agent name is reported as such, not as a missing device."""
    code, _, err = run_cli(["hook", "--device", "NO-SUCH-SERIAL", "--package", "com.x", "--agent", "crytpo"], tmp_path)
    assert code == 2 and err.count("\n") == 1
    assert "unknown agent 'crytpo'" in err and "NO-SUCH-SERIAL" not in err
    code, _, err = run_cli(["hook", "--device", "NO-SUCH-SERIAL", "--package", "com.x", "--agent", "crypto",
                            "--frida", "remote"], tmp_path)
    assert code == 2 and "--frida remote needs --frida-address" in err


def test_hook_stops_on_sigint_although_it_was_inherited_ignored(tmp_path, python_child):
    """Issue 10.1: started from a script in the background (SIGINT ignored), SIGINT still stops it,
    Frida is detached and the run is kept."""
    import os
    import signal
    import subprocess

    from harness.scenario.waits import wait_for

    child = python_child("sleeper.py")
    assert child.stdout.readline().strip() == "ready"
    run_dir = tmp_path / "run"
    env = {**os.environ, "HARNESS_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1"}
    hook = subprocess.Popen([sys.executable, "-m", "harness", "hook", "--pid", str(child.pid), "--agent", "tls-native",
                             "--out", str(run_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        first = wait_for(lambda: hook.stderr.readline(), 60, "harness hook attached")
        assert f"hooked pid {child.pid}" in first, first
        hook.send_signal(signal.SIGINT)
        assert hook.wait(timeout=60) == 130  # stopped by a signal (README "Exit statuses")
        assert "stopping (SIGINT); Frida detached" in hook.stderr.read()
    finally:
        if hook.poll() is None:
            hook.kill()
            hook.wait(10)
    assert child.poll() is None  # the hooked process lives on
    reader = RunStore.open(run_dir)
    try:
        assert reader.status == "complete"
    finally:
        reader.close()


def test_event_lines_leave_out_absent_pid_and_tid():
    """Trial 6 finding 15: a session event has no pid or thread; its line says nothing of them
    instead of ``pid=None tid=None``."""
    from harness.cli.cmd_hook import format_event
    from harness.instrument.events import HookEvent

    loaded = HookEvent("session:agent-loaded", "session", 1764591349.25, {"agent": "crypto"})
    assert format_event(loaded) == "12:15:49.250 - session:agent-loaded agent=crypto"
    call = HookEvent("crypto:plaintext", "crypto", 1764591349.25, {"algorithm": "AES"}, data=b"hi", pid=42,
                     thread=7, step_id="s1")
    assert format_event(call).startswith("12:15:49.250 s1 crypto:plaintext pid=42 tid=7 algorithm=AES data[2]=")
