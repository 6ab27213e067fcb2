"""``harness intercept`` on a virtual handset started by ``harness sim start --world ncsc-2021``
(a detached process, found by intercept through the sim service record of its serial): the
world's ``.test`` hosts are routed through the world's resolver addon, the live line per flow shows
the country and jurisdiction of the server the proxy really connected to, the run holds the flows
with their host names, and the device is restored afterwards (read from the sim's state folder).

The live line itself and intercept's bad inputs: tests/device/test_intercept_lines.py."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_intercept import Lines

from harness.analysis.geo import GeoResolver
from harness.capture import RunStore
from harness.cli.context import Env
from harness.cli.main import main
from harness.device.adb import Device
from harness.device.journal import journal_path
from harness.scenario.virtual import HandsetWorld, world_for_serial
from harness.sim.service import HandsetRecord
from harness.testing.sim import service_handset

BROWSER = "com.vendor.browser"
AD_CONFIG_HOST = "globalapi.ad.vendor.test"
TELEMETRY_HOST = "tracking.intl.vendor.test"


# -- a handset with the ncsc-2021 world, run as `harness sim start --world` does --------------

@pytest.fixture(scope="module")
def world_home(adb_server, tmp_path_factory) -> Path:  # noqa: ARG001 - the adb server must run first
    return tmp_path_factory.mktemp("intercept-world") / "hh"


@pytest.fixture(scope="module")
def world_handset(world_home: Path) -> Iterator[HandsetRecord]:
    with service_handset(world_home, "w", "ncsc-2021") as record:
        yield record


def _state(record: HandsetRecord, name: str) -> dict:
    path = Path(record.state_dir) / name
    return json.loads(path.read_text()) if path.exists() else {}


def test_world_found_by_serial_only(world_handset: HandsetRecord, world_home: Path):
    found = world_for_serial(world_home, world_handset.serial)
    assert isinstance(found, HandsetWorld) and found.name == "ncsc-2021"
    assert found.files.addresses[AD_CONFIG_HOST].startswith("127.")
    # another serial (a physical phone, another handset on a neighbouring port) has no world
    host, port = world_handset.serial.rsplit(":", 1)
    assert world_for_serial(world_home, f"{host}:{int(port) + 1}") is None
    assert world_for_serial(world_home, "R58M123ABC") is None
    assert world_for_serial(world_home.parent / "elsewhere", world_handset.serial) is None


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped): no process has it now."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_handset_with_an_unseen_pid_still_runs(world_handset: HandsetRecord, world_home: Path):
    """Trial 6 finding 4: a record whose pid this process cannot see (as from another PID namespace)
    while the handset holds its state lock is a running handset: status keeps the record (read-only),
    the world is found by serial, and a second start on the same state folder is refused."""
    from harness.errors import SimError
    from harness.sim import service, statelock

    folder = service.default_sim_dir("w", world_home)
    record_file = folder / "handset.json"
    original = record_file.read_text()
    try:
        record_file.write_text(json.dumps({**json.loads(original), "pid": _dead_pid()}))
        found = service.status(folder)
        assert found is not None and found.serial == world_handset.serial
        assert record_file.exists()
        assert world_for_serial(world_home, world_handset.serial) is not None
        status, out, _ = _run_cli(world_home, "sim", "status", "--name", "w")
        assert status == 0 and f"running as {world_handset.serial}" in out, out
        with pytest.raises(SimError, match="already running"):
            service.start(folder)
        record_file.unlink()  # even without its record, the state folder is taken
        with pytest.raises(SimError, match="state folder"):
            service.start(folder)
        with pytest.raises(SimError, match="another virtual handset"):
            statelock.hold(world_handset.state_dir)
        # stop signals the lock's holder as this namespace numbers it: the handset, not the record's pid
        assert statelock.holder(world_handset.state_dir) == world_handset.pid
    finally:
        record_file.write_text(original)
        os.chmod(record_file, 0o600)


def _unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-pf", "--mount-proc", "true"], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_handset_seen_from_another_pid_namespace(world_handset: HandsetRecord, world_home: Path):
    """Trial 6 finding 4, as the trial did it: harness in its own PID namespace (``unshare -pf
    --mount-proc``, as a container sharing HARNESS_HOME) sees the handset running and its world
    (what ``harness intercept --device`` uses), never deletes its record, and refuses to stop a
    process it cannot see, nor sends ``sim start`` to that refused ``sim stop``."""
    if not _unshare_works():
        pytest.skip("needs `unshare -pf --mount-proc` (root or user namespaces) to make a PID namespace")
    code = ("import sys; from pathlib import Path; from harness.scenario.virtual import serial_target; "
            "from harness.cli.main import main; "
            "print(type(serial_target(Path(sys.argv[1]), sys.argv[2])).__name__, flush=True); "
            "main(['sim', 'status', '--name', 'w']); sys.stdout.flush(); "
            "rc = main(['sim', 'stop', '--name', 'w']); sys.stderr.flush(); "
            "started = main(['sim', 'start', '--name', 'w']); sys.stderr.flush(); "
            "sys.exit(rc if started == 2 else 99)")
    env = {**os.environ, "HARNESS_HOME": str(world_home)}
    proc = subprocess.run(["unshare", "-pf", "--mount-proc", sys.executable, "-c", code, str(world_home),
                           world_handset.serial], capture_output=True, text=True, env=env, timeout=120)
    lines = proc.stdout.splitlines()
    assert lines[:1] == ["RunningVirtual"], proc.stdout + proc.stderr
    assert f"running as {world_handset.serial}" in proc.stdout, proc.stdout
    assert proc.returncode == 2 and "not visible from here" in proc.stderr, proc.stderr
    # `sim start` there is refused too, and its fix does not send the user to the refused `sim stop`
    # (trial 6b N6)
    start_line = [line for line in proc.stderr.splitlines() if "already running" in line]
    assert len(start_line) == 1 and "run `harness sim stop` there first" in start_line[0], proc.stderr
    assert "or `harness sim stop` first" not in start_line[0]
    assert (world_home / "sim" / "w" / "handset.json").exists()
    assert Device.open(world_handset.serial) is not None  # still attached: nothing stopped it


def _run_cli(home: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), Env(stdout=out, stderr=err, home=home))
    return status, out.getvalue(), err.getvalue()


@pytest.mark.slow
def test_intercept_vendor_browser_in_world(world_handset: HandsetRecord, world_home: Path, tmp_path):
    serial = world_handset.serial
    out_dir = tmp_path / "run"
    env = {**os.environ, "HARNESS_HOME": str(world_home), "PYTHONUNBUFFERED": "1"}
    ready = tmp_path / "ready.json"
    ready.write_text("left by an earlier session")  # removed at start: a waiter must not start early
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness", "intercept", "--device", serial, "--out", str(out_dir), "--ca", "system",
         "--ready-file", str(ready)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    device = Device.open(serial)
    try:
        lines = Lines(proc)
        assert "virtual world ncsc-2021" in lines.wait_for("virtual world", timeout=30)
        # as docs/lab-guide.md §4's script does: wait for the ready file, then start the app
        # (trial 5, finding 10: an app started before the CA was installed saw only TLS failures)
        deadline = time.monotonic() + 60
        while not (ready.exists() and ready.read_text().endswith("\n")):
            assert time.monotonic() < deadline and proc.poll() is None, lines.seen
            time.sleep(0.1)
        info = json.loads(ready.read_text())
        assert info["run_dir"] == str(out_dir) and info["serial"] == serial and info["proxy"].startswith("127.0.0.1:")
        assert info["pid"] == proc.pid  # a script tells a file left by a kill -9 from a live session (trial 6, 15)
        assert oct(ready.stat().st_mode & 0o777) == "0o600"
        assert _state(world_handset, "settings.json")["global"]["http_proxy"].startswith("127.0.0.1:")
        device.sh(f"am start -W -n {BROWSER}/.BrowserApp", timeout=60, check=True)
        config_line = lines.wait_for(AD_CONFIG_HOST, timeout=30)
        assert " SG third_country " in config_line and config_line.rstrip().endswith(" 200"), config_line
        # the live line keeps query names, not values (issue 11 item 8)
        assert "GET" in config_line and "name=…" in config_line and "MiAdBlacklistConfig" not in config_line
        # the browser pins its telemetry collector: a failure line with the SNI, also in Singapore
        pinned = lines.wait_for(TELEMETRY_HOST, timeout=30)
        assert "tls_failure" in pinned and " SG third_country FAILED: " in pinned, pinned
        proc.send_signal(signal.SIGINT)
        assert str(out_dir) in lines.wait_for("run saved in", timeout=30)
        assert proc.wait(timeout=30) == 130, proc.stderr.read() if proc.stderr else ""  # stopped by a signal
        assert not ready.exists()  # the session is over: not ready any more
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        device.sh(f"am force-stop {BROWSER}", timeout=30)
    # restored, read from the handset's own state folder
    assert "http_proxy" not in _state(world_handset, "settings.json").get("global", {})
    assert _state(world_handset, "mounts.json")["mounts"] == []
    assert device.reverse_list() == []
    assert not journal_path(world_home, serial).exists()
    # the run: flows with their host names, routed to the world's addresses
    world = world_for_serial(world_home, serial)
    assert world is not None
    store = RunStore.open(out_dir)
    assert store.status == "complete"
    flows = list(store.iter_flows())
    config = [f for f in flows if f.server_host == AD_CONFIG_HOST]
    assert config and config[0].status_code == 200
    assert config[0].server_ip == world.files.addresses[AD_CONFIG_HOST]
    assert any(f.kind == "tls_failure" and f.sni == TELEMETRY_HOST for f in flows)
    assert store.meta()["world"]["name"] == "ncsc-2021"
    geo_copy = out_dir / "artifacts" / "world-geo.json"
    assert json.loads(geo_copy.read_text()) == json.loads(world.files.geo_file.read_text())
    assert oct(geo_copy.stat().st_mode & 0o777) == "0o600"


# -- crash paths on the same handset: SIGKILL of intercept, the device going away -------------

def _intercept(serial: str, home: Path, out_dir: Path, ready: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "HARNESS_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "harness", "intercept", "--device", serial, "--out", str(out_dir), "--ca", "system",
         "--no-keyboard-marks", "--ready-file", str(ready), *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_ready(proc: subprocess.Popen, ready: Path, lines: Lines) -> None:
    deadline = time.monotonic() + 90
    while not (ready.exists() and ready.read_text().endswith("\n")):
        assert time.monotonic() < deadline and proc.poll() is None, (lines.seen, proc.poll())
        time.sleep(0.1)


def _restore(home: Path, serial: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["restore", "--device", serial], Env(stdout=out, stderr=err, home=home))
    return status, out.getvalue() + err.getvalue()


def test_sigkill_of_intercept_keeps_what_places_its_flows(world_handset: HandsetRecord, world_home: Path, tmp_path):
    """Trial 6 finding B: a real `kill -9` of a real intercept once it is ready; the run still has
    the world's geo table and the lab's --geo-overrides and --hosts copies (0600, in the store), so
    its analysis places the world's Singapore server and the lab's own address."""
    serial = world_handset.serial
    out_dir, ready = tmp_path / "run", tmp_path / "ready.json"
    lab_geo = tmp_path / "geo.json"
    lab_geo.write_text('{"10.9.0.0/16": "LT"}\n')
    hosts = tmp_path / "hosts"
    hosts.write_text("10.9.0.1 intranet.lab.test\n")
    proc = _intercept(serial, world_home, out_dir, ready, "--geo-overrides", str(lab_geo), "--hosts", str(hosts))
    try:
        _wait_ready(proc, ready, Lines(proc))
        proc.kill()
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        status, said = _restore(world_home, serial)  # the shared handset is left as found
        assert status == 0 and "restored; journal removed" in said, said
    assert RunStore.open(out_dir).status == "incomplete"
    artifacts = out_dir / "artifacts"
    for name in ("world-geo.json", "lab-geo.json", "lab-hosts"):
        assert oct((artifacts / name).stat().st_mode & 0o777) == "0o600", name
    assert (artifacts / "lab-hosts").read_text() == hosts.read_text()
    from harness.analysis.geo import recorded_overrides

    geo = GeoResolver(recorded_overrides(out_dir), location_db=False)
    world = world_for_serial(world_home, serial)
    assert world is not None
    assert geo.resolve(world.files.addresses[AD_CONFIG_HOST]).country == "SG"
    assert geo.resolve("10.9.0.1").country == "LT"


def test_intercept_stops_when_the_device_goes_away(world_handset: HandsetRecord, world_home: Path, tmp_path):
    """Trial 6 finding C: the handset leaves the adb server (`adb disconnect`, as an unplugged
    phone) while intercept records: a line at once, the run stopped `incomplete`, one error line
    naming the restore, exit 2 (docs/lab-guide.md section 10); reconnected, `harness restore`
    puts the device back."""
    from harness.device.adb import connect_tcp_device
    from harness.testing.sim import adb_client

    serial = world_handset.serial
    out_dir, ready = tmp_path / "run", tmp_path / "ready.json"
    proc = _intercept(serial, world_home, out_dir, ready)
    client = adb_client()
    try:
        lines = Lines(proc)
        _wait_ready(proc, ready, lines)
        client.disconnect(serial)
        gone = lines.wait_for("went away", timeout=30)
        assert gone.startswith(f"device {serial} went away at ") and "incomplete" in gone, gone
        assert proc.wait(timeout=120) == 2
        stderr = proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        connect_tcp_device(client, serial)
    errors = [line for line in stderr.splitlines() if line.startswith("harness: error:")]
    assert len(errors) == 1 and f"[{serial}]" in errors[0] and "went away" in errors[0], stderr
    assert f"what was recorded is in {out_dir}" in stderr and f"harness restore --device {serial}" in stderr
    assert "Traceback" not in stderr
    assert RunStore.open(out_dir).status == "incomplete"
    assert journal_path(world_home, serial).exists()
    status, said = _restore(world_home, serial)
    assert status == 0 and "restored; journal removed" in said, said
    assert "http_proxy" not in _state(world_handset, "settings.json").get("global", {})


def test_refused_out_says_nothing_was_recorded(world_handset: HandsetRecord, world_home: Path, tmp_path):
    """Trial 6 findings F and H: an --out that is a file or a folder with files is refused before
    anything is recorded or changed: no 'what was recorded' line, no restore to run."""
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("earlier work")
    a_file = tmp_path / "empty.json"
    a_file.write_text("")
    for out in (busy, a_file):
        err = io.StringIO()
        status = main(["intercept", "--device", world_handset.serial, "--out", str(out), "--no-keyboard-marks"],
                      Env(stdout=io.StringIO(), stderr=err, home=world_home))
        said = err.getvalue()
        assert status == 2 and "already exists and is not an empty folder" in said, said
        assert "what was recorded" not in said and "harness restore" not in said, said
        assert len(said.strip().splitlines()) == 1, said
    assert sorted(p.name for p in busy.iterdir()) == ["keep.txt"]
    assert not journal_path(world_home, world_handset.serial).exists()
