"""``harness hook`` on the lab (harness.scenario.hook), in separate processes as a technician runs
it, on a virtual handset started as ``harness sim start --world ncsc-2021`` does:

- next to a running ``harness intercept`` (same HARNESS_HOME): the hook joins that lab (no second
  journal lock, no proxy or CA of its own), its agent events land in the intercept's run with the
  step marked there, SIGINT stops it although inherited as ignored, and the intercept runs on;
  when the intercept stops first, the hook ends with one error line;
- alone: it opens a lab of its own (journal, proxy, CA), records the agents' events into its run,
  and restores the device;
- bad input: one line, exit 2.

Nothing is mocked: real adb server, the handset's real JVM apps, real Frida (local: the apps are
host JVMs), real mitmproxy."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_intercept import Lines

from harness.capture import RunStore
from harness.device import apps
from harness.device.adb import Device
from harness.device.journal import journal_path
from harness.sim.service import HandsetRecord
from harness.testing.sim import service_handset

pytestmark = pytest.mark.timeout(300)

BROWSER = "com.vendor.browser"
TELEMETRY_HOST = "tracking.intl.vendor.test"


@pytest.fixture(scope="module")
def world_home(adb_server, tmp_path_factory) -> Path:  # noqa: ARG001 - the adb server must run first
    return tmp_path_factory.mktemp("hook-lab") / "hh"


@pytest.fixture(scope="module")
def world_handset(world_home: Path) -> Iterator[HandsetRecord]:
    with service_handset(world_home, "h", "ncsc-2021") as record:
        yield record


class ErrLines(Lines):
    """The lines of a process's stderr."""

    def __init__(self, proc: subprocess.Popen) -> None:
        import queue
        import threading

        self.q = queue.Queue()
        self.seen = []
        threading.Thread(target=self._pump, args=(proc.stderr,), daemon=True).start()


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "HARNESS_HOME": str(home), "PYTHONUNBUFFERED": "1"}


def _ignore_sigint() -> None:
    """As a non-interactive script's background job inherits it (issue 10.1)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _proxy_setting(record: HandsetRecord) -> str | None:
    path = Path(record.state_dir) / "settings.json"
    settings = json.loads(path.read_text()) if path.exists() else {}
    return settings.get("global", {}).get("http_proxy")


def _start_waiting_browser(device: Device) -> int:
    """``am start -D``: the browser waits for a debugger; ``harness hook`` releases it."""
    device.sh(f"am force-stop {BROWSER}", timeout=30)
    apps.launch(device, BROWSER, ".BrowserApp", wait=False, debug=True)
    return apps.wait_running(device, BROWSER, timeout=60)[0]


def _hook(serial: str, home: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "harness", "hook", "--device", serial, "--package", BROWSER, "--agent", "unpin",
         "--agent", "crypto", "--json", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(home), preexec_fn=_ignore_sigint)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


def _intercept(serial: str, out_dir: Path, home: Path) -> tuple[subprocess.Popen, Lines]:
    """`harness intercept` on the handset in a child, once it says it is intercepting."""
    intercept = subprocess.Popen(
        [sys.executable, "-m", "harness", "intercept", "--device", serial, "--out", str(out_dir), "--ca", "system",
         "--no-keyboard-marks"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(home))
    lines = Lines(intercept)
    try:
        lines.wait_for("intercepting", timeout=90)
    except BaseException:
        intercept.kill()
        intercept.wait(timeout=30)
        raise
    return intercept, lines


@pytest.mark.slow
def test_hook_joins_a_running_intercept(world_handset: HandsetRecord, world_home: Path, tmp_path):
    serial = world_handset.serial
    device = Device.open(serial)
    out_dir = tmp_path / "intercept-run"
    intercept, lines = _intercept(serial, out_dir, world_home)
    hook = None
    try:
        proxy = _proxy_setting(world_handset)
        assert proxy and proxy.startswith("127.0.0.1:")
        marked = subprocess.run([sys.executable, "-m", "harness", "mark", "with-hook"], env=_env(world_home),
                                capture_output=True, text=True, timeout=60)
        assert marked.returncode == 0, marked.stderr
        lines.wait_for("with-hook: marked", timeout=30)
        # --out while a lab runs there: refused, one line, nothing touched
        refused = subprocess.run([sys.executable, "-m", "harness", "hook", "--device", serial, "--pid", "1",
                                  "--agent", "crypto", "--out", str(tmp_path / "x")], env=_env(world_home),
                                 capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert "a lab is running on" in refused.stderr and str(out_dir) in refused.stderr
        pid = _start_waiting_browser(device)
        hook = _hook(serial, world_home)
        hook_out, hook_err = Lines(hook), ErrLines(hook)
        assert f"hooked pid {pid}" in hook_err.wait_for("hooked pid", timeout=90)
        sealed = json.loads(hook_out.wait_for('"crypto:plaintext"', timeout=90))
        assert sealed["pid"] == pid
        if not any('"unpin:bypassed"' in line for line in hook_out.seen):  # the pinned telemetry, unpinned
            hook_out.wait_for('"unpin:bypassed"', timeout=90)
        lines.wait_for(TELEMETRY_HOST, timeout=60)
        hook.send_signal(signal.SIGINT)  # ignored when inherited; harness.scenario.signals owns it
        assert hook.wait(timeout=60) == 130  # stopped by a signal (README "Exit statuses")
        hook_err.wait_for("stopping (SIGINT); Frida detached", timeout=10)
        hook_err.wait_for(f"run of the lab: {out_dir}", timeout=10)
        # the intercept lab runs on: device still prepared, its journal still held
        assert intercept.poll() is None and _proxy_setting(world_handset) == proxy
        intercept.send_signal(signal.SIGINT)
        assert str(out_dir) in lines.wait_for("run saved in", timeout=60)
        assert intercept.wait(timeout=60) == 130  # stopped by a signal (README)
    finally:
        for proc in (hook, intercept):
            if proc is not None:
                _stop(proc)
        device.sh(f"am force-stop {BROWSER}", timeout=30)
    assert _proxy_setting(world_handset) is None and not journal_path(world_home, serial).exists()
    store = RunStore.open(out_dir)
    events = {e.id: e for e in store.iter_events()}
    assert store.status == "complete"
    assert sealed["id"] in events and events[sealed["id"]].step_id == "with-hook"
    assert {"session:agent-loaded", "unpin:bypassed", "crypto:plaintext"} <= {e.type for e in events.values()}
    # unpinned, the browser's pinned telemetry went through the intercept's proxy, in the same step
    telemetry = [f for f in store.iter_flows() if f.server_host == TELEMETRY_HOST and f.kind == "http"]
    assert telemetry and {f.step_id for f in telemetry} == {"with-hook"}


@pytest.mark.slow
def test_hook_ends_with_the_lab_it_joined(world_handset: HandsetRecord, world_home: Path, tmp_path):
    """The intercept stops first: the joined hook says the lab ended (one error line, exit 2)
    instead of hooking on with nowhere to record."""
    serial = world_handset.serial
    device = Device.open(serial)
    out_dir = tmp_path / "intercept-run"
    intercept, lines = _intercept(serial, out_dir, world_home)
    hook = None
    try:
        device.sh(f"am start -W -n {BROWSER}/.BrowserApp", timeout=60, check=True)
        pid = apps.wait_running(device, BROWSER, timeout=60)[0]
        hook = _hook(serial, world_home)
        hook_err = ErrLines(hook)
        assert f"hooked pid {pid}" in hook_err.wait_for("hooked pid", timeout=90)
        intercept.send_signal(signal.SIGINT)
        lines.wait_for("run saved in", timeout=60)
        assert intercept.wait(timeout=60) == 130  # stopped by a signal (README)
        assert hook.wait(timeout=60) == 2
        error = hook_err.wait_for("harness: error:", timeout=10)
        assert f"the lab on {serial} ended; its run {out_dir} is closed" in error, error
        assert hook_err.q.empty() and not any("Traceback" in line for line in hook_err.seen)
    finally:
        for proc in (hook, intercept):
            if proc is not None:
                _stop(proc)
        device.sh(f"am force-stop {BROWSER}", timeout=30)
    assert _proxy_setting(world_handset) is None and not journal_path(world_home, serial).exists()
    assert RunStore.open(out_dir).status == "complete"


@pytest.mark.slow
def test_hook_alone_opens_its_own_lab_and_restores(world_handset: HandsetRecord, world_home: Path, tmp_path):
    serial = world_handset.serial
    device = Device.open(serial)
    out_dir = tmp_path / "hook-run"
    pid = _start_waiting_browser(device)
    hook = _hook(serial, world_home, "--out", str(out_dir), "--duration", "10")
    try:
        out, err = hook.communicate(timeout=180)
    finally:
        _stop(hook)
        device.sh(f"am force-stop {BROWSER}", timeout=30)
    assert hook.returncode == 0, err
    assert f"hooked pid {pid}" in err and f"run saved in {out_dir}" in err
    assert "via adb reverse" in err and "harness CA" in err and "restored through the journal" in err
    assert _proxy_setting(world_handset) is None and not journal_path(world_home, serial).exists()
    shown = [json.loads(line) for line in out.splitlines()]
    store = RunStore.open(out_dir)
    assert store.status == "complete" and store.meta()["kind"] == "hook"
    stored = {e.id for e in store.iter_events()}
    assert {e["id"] for e in shown} <= stored
    assert any(e["type"] == "crypto:plaintext" for e in shown)
    # the lab was real: the device's facts are in the run, and its proxy was set (and restored above)
    # (the browser started before the lab keeps its earlier proxy setting: the flows of an app
    # come with `harness intercept` first and the hook joining it, as above)
    assert (out_dir / "artifacts" / "facts.json").exists()


def test_hook_unknown_serial_is_one_line(world_home: Path):
    done = subprocess.run([sys.executable, "-m", "harness", "hook", "--device", "NO-SUCH-SERIAL", "--package",
                           BROWSER, "--agent", "crypto"], env=_env(world_home), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "NO-SUCH-SERIAL" in done.stderr and "Traceback" not in done.stderr


def test_hook_unknown_agent_is_one_line(world_handset: HandsetRecord, world_home: Path):
    done = subprocess.run([sys.executable, "-m", "harness", "hook", "--device", world_handset.serial, "--package",
                           BROWSER, "--agent", "no-such-agent"], env=_env(world_home), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "unknown agent 'no-such-agent'" in done.stderr
