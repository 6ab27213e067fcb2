"""Discovery through the real adb binary: local server, a second server on another port,
TCP devices via ``adb connect``, unauthorized and missing devices."""

from __future__ import annotations

import io
import json
import socket
import subprocess

import pytest
from adbutils._utils import adb_path

from harness.cli.context import Env
from harness.cli.main import main
from harness.device.adb import AdbServer, Device, ensure_server
from harness.device.discovery import list_devices
from harness.errors import DeviceNotFound, DeviceUnauthorized
from harness.sim.handset import HandsetConfig
from harness.testing.sim import start_handset, stop_handset


def run_cli(argv, home):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_local_server_lists_virtual_handset(a10, adb_server):
    found = {d.serial: d for d in list_devices(adb_server)}
    d = found[a10.serial]
    assert d.state == "device"
    assert d.model == "M2007J3SG"
    assert (d.android_version, d.api_level, d.abi) == ("10", 29, "arm64-v8a")
    assert (d.miui_region, d.country) == ("LT", "LT")
    assert d.root_method in ("magisk", "su")
    assert d.frida_server == "stopped"


def test_devices_cli_json_and_table(a10, a14, home):
    code, out, _ = run_cli(["devices", "--json"], home)
    assert code == 0
    rows = {r["serial"]: r for r in json.loads(out)}
    assert rows[a14.serial]["api_level"] == 34 and rows[a14.serial]["model"] == "Pixel 7"
    code, out, _ = run_cli(["devices"], home)
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith(a10.serial))
    assert "M2007J3SG" in line and "miui=LT" in line and "arm64-v8a" in line


def test_second_adb_server_on_another_port(tmp_path, home):
    """A remote adb server (as a device farm exposes) is a second server here, on another port."""
    port = _free_port()
    server = AdbServer("127.0.0.1", port)
    handset = start_handset(HandsetConfig(state_dir=tmp_path / "farm"), connect=False)
    try:
        # the farm runs its own server; the harness starts none but the default local one
        subprocess.run([adb_path(), "-P", str(port), "start-server"], timeout=30, capture_output=True, check=True)
        client = ensure_server(server)
        assert "connected" in client.connect(handset.serial, timeout=15)
        code, out, err = run_cli(["devices", "--adb", f"127.0.0.1:{port}", "--json"], home)
        assert code == 0, err
        rows = json.loads(out)
        assert [r["serial"] for r in rows] == [handset.serial]
        assert rows[0]["server"] == f"127.0.0.1:{port}" and rows[0]["model"] == "M2007J3SG"
        # and the device is reachable for commands through that server only
        assert Device.open(handset.serial, f"127.0.0.1:{port}").getprop("ro.miui.region") == "LT"
    finally:
        handset.stop()
        subprocess.run([adb_path(), "-P", str(port), "kill-server"], timeout=20, capture_output=True)


def test_connect_tcp_device(tmp_path, adb_server, home):
    handset = start_handset(HandsetConfig(state_dir=tmp_path / "tcp"), connect=False)
    try:
        code, out, err = run_cli(["devices", "--connect", handset.serial, "--json"], home)
        assert code == 0, err
        assert handset.serial in {r["serial"] for r in json.loads(out)}
    finally:
        stop_handset(handset)


def test_unauthorized_device(tmp_path, adb_server, home):
    handset = start_handset(HandsetConfig(state_dir=tmp_path / "unauth", mode="unauthorized"), connect=False)
    try:
        ensure_server(adb_server).connect(handset.serial, timeout=15)
        import time

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            states = {d.serial: d.state for d in list_devices(adb_server)}
            if states.get(handset.serial) == "unauthorized":
                break
            time.sleep(0.3)
        assert states.get(handset.serial) == "unauthorized"
        with pytest.raises(DeviceUnauthorized) as info:
            Device.open(handset.serial)
        assert info.value.serial == handset.serial and "RSA prompt" in info.value.fix
        code, out, err = run_cli(["doctor", "--device", handset.serial], home)
        assert code == 2
        assert "FAIL  device state" in out and "accept the RSA prompt" in out
        code, out, _ = run_cli(["devices"], home)
        assert "accept the RSA prompt on the phone" in out
    finally:
        stop_handset(handset)


def test_missing_device_is_one_clear_line(adb_server, home):
    with pytest.raises(DeviceNotFound):
        Device.open("127.0.0.1:9")
    (home / "journals").mkdir(parents=True)
    (home / "journals" / "127.0.0.1_9.jsonl").write_text(
        '{"type": "change", "seq": 1, "kind": "reverse", "describe": "r", "undo": {"device_port": 1}}\n')
    code, out, err = run_cli(["restore", "--device", "127.0.0.1:9"], home)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("harness: error: [127.0.0.1:9]")
    assert "Traceback" not in err
    assert (home / "journals" / "127.0.0.1_9.jsonl").exists()  # kept for a later restore
