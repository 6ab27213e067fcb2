"""``harness intercept`` end to end in a separate process (one mitmproxy per process): the device is
prepared, a virtual app's request shows as a live line and lands in the run, and Ctrl-C or
SIGTERM stops, restores the device and prints where the run was saved."""

from __future__ import annotations

import os
import pty
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest
from devicehelp import open_device, sim_runtime_mounts, sim_settings

from harness.capture import RunStore
from harness.device.journal import journal_path


class Lines:
    def __init__(self, proc: subprocess.Popen) -> None:
        self.q: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(proc.stdout,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.q.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.q.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout}s; got: {self.seen}")


def _ignore_sigint() -> None:
    """As a non-interactive script's background job inherits it (issue 10.1)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_intercept_records_and_restores(a10, home, tmp_path, sig):
    """Stopped by SIGINT although inherited as ignored, by SIGTERM (PID 1 in a container) or by
    SIGHUP (the terminal went away); a step marked from another shell with `harness mark`."""
    out_dir = tmp_path / "run"
    env = {**os.environ, "HARNESS_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    keyboard, terminal = pty.openpty()  # the technician's terminal: step names typed + Enter
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness", "intercept", "--device", a10.serial, "--out", str(out_dir),
         "--ca", "system"],
        stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=_ignore_sigint,
    )
    os.close(terminal)
    try:
        lines = Lines(proc)
        lines.wait_for("intercepting", timeout=90)
        assert sim_settings(a10)["global"]["http_proxy"].startswith("127.0.0.1:")
        assert [m["target"] for m in sim_runtime_mounts(a10)] == ["/system/etc/security/cacerts"]
        os.write(keyboard, b"typed-step\n")
        lines.wait_for("typed-step: marked", timeout=30)
        marked = subprocess.run([sys.executable, "-m", "harness", "mark", "probe-step"], env=env,
                                capture_output=True, text=True, timeout=60)
        assert marked.returncode == 0 and marked.stdout.strip() == "probe-step", marked.stderr
        lines.wait_for("probe-step: marked", timeout=30)
        device = open_device(a10)
        device.sh("am start -W -a android.intent.action.VIEW -d http://intercept-probe.test/hello "
                  "-n com.harness.probe/.Main", timeout=120, check=True)
        flow_line = lines.wait_for("intercept-probe.test", timeout=90)
        assert "/hello" in flow_line or "FAILED" in flow_line
        assert "[probe-step]" in flow_line, flow_line
        proc.send_signal(sig)
        saved = lines.wait_for("run saved in", timeout=60)
        assert str(out_dir) in saved
        assert proc.wait(timeout=60) == 130, proc.stderr.read()  # stopped by a signal (README), whichever
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        os.close(keyboard)
    # restored, proven from the handset's own state
    assert "http_proxy" not in sim_settings(a10)["global"]
    assert sim_runtime_mounts(a10) == []
    assert open_device(a10).reverse_list() == []
    assert not journal_path(home, a10.serial).exists()
    store = RunStore.open(out_dir)
    hosts = [f.server_host or f.host for f in store.iter_flows()]
    assert "intercept-probe.test" in hosts
    assert "harness.mark" not in hosts  # the mark's own request is the harness's, not the phone's (trial item 6)
    assert {f.step_id for f in store.iter_flows() if (f.server_host or f.host) == "intercept-probe.test"} == {"probe-step"}
    assert [s.id for s in store.steps()] == ["typed-step", "probe-step"]
    assert not list((home / "intercept").glob("*.json"))  # the control file goes with the session
    assert (out_dir / "artifacts" / "facts.json").exists()
    assert store.status == "complete"
