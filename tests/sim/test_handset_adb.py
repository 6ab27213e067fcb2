"""The virtual handset through the real adb servers and adbutils. Tests on the session's handset
run once per adb binary (``tool_serial``: bundled adb 36, Debian's adb 29 when installed); those
that start their own handsets use the bundled adb."""

from __future__ import annotations

import io
import os
import subprocess
import time

import adbutils
from adbutils._utils import adb_path

from harness.sim.handset import HandsetConfig
from harness.testing.sim import adb_client, start_handset, stop_handset


def adb(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([adb_path(), "-P", os.environ["ANDROID_ADB_SERVER_PORT"], *args],
                          capture_output=True, text=True, timeout=timeout)


def test_devices_lists_the_handset_with_its_model(tool_serial):
    tool, serial = tool_serial
    out = tool("devices", "-l").stdout.decode()
    line = next(line for line in out.splitlines() if line.startswith(serial))
    assert " device " in line and "model:M2007J3SG" in line and "device:apollo" in line


def test_shell_exit_codes_and_streams(sim_device: adbutils.AdbDevice, tool_serial):
    tool, sim_serial = tool_serial
    r = sim_device.shell2("echo out; echo err >&2; sh -c 'exit 3'")  # adbutils appends "; echo $?"
    assert r.returncode == 3 and "out" in r.output
    assert sim_device.shell2("nosuchcmd").returncode == 127
    proc = tool("-s", sim_serial, "shell", "false || (exit 9)")
    assert proc.returncode == 2  # subshells are not supported: syntax error, as a strict sh would
    proc = tool("-s", sim_serial, "shell", "echo to-stderr 1>&2; exit 5")
    assert proc.returncode == 5 and proc.stderr == b"to-stderr\n" and proc.stdout == b""


def test_settings_and_props_over_adb(sim_device: adbutils.AdbDevice):
    assert sim_device.prop.model == "M2007J3SG"
    assert sim_device.prop.get("ro.build.version.sdk") == "29"
    sim_device.shell("settings put global http_proxy 127.0.0.1:8888")
    assert sim_device.shell("settings get global http_proxy") == "127.0.0.1:8888"
    assert sim_device.shell("settings get secure android_id") != "null"


def test_push_pull_and_read_only_system(sim_device: adbutils.AdbDevice):
    sim_device.sync.push(io.BytesIO(b"payload"), "/data/local/tmp/p.bin")
    assert sim_device.sync.read_bytes("/data/local/tmp/p.bin") == b"payload"
    assert sim_device.shell("cat /data/local/tmp/p.bin") == "payload"
    r = sim_device.shell2("su -c 'cp /data/local/tmp/p.bin /system/etc/security/cacerts/'")
    assert r.returncode == 1 and "Read-only file system" in r.output


def test_frida_server_standin_over_adb(sim_device: adbutils.AdbDevice):
    sim_device.sync.push(io.BytesIO(b"#!vsim:frida-server 17.2.11\n"), "/data/local/tmp/frida-server")
    assert sim_device.shell("chmod 755 /data/local/tmp/frida-server") == ""
    assert sim_device.shell("/data/local/tmp/frida-server --version") == "17.2.11"
    sim_device.shell("su -c '/data/local/tmp/frida-server -D &'")
    deadline = time.monotonic() + 5
    while not (pid := sim_device.shell("pidof frida-server")) and time.monotonic() < deadline:
        time.sleep(0.05)  # `&`: the process appears soon after the shell returns
    assert pid.isdigit()
    assert sim_device.shell2("su -c 'kill -9 " + pid + "'").returncode == 0
    assert sim_device.shell2("pidof frida-server").returncode == 1


def test_restart_keeps_settings_but_not_mounts(tmp_path):
    config = HandsetConfig(state_dir=tmp_path / "state", personality="android14")
    first = start_handset(config)
    try:
        dev = adb_client().device(first.serial)
        dev.shell("settings put global http_proxy 127.0.0.1:8081")
        assert dev.shell2("su 0 mount -t tmpfs tmpfs /apex/com.android.conscrypt/cacerts").returncode == 0
        assert dev.shell("ls /apex/com.android.conscrypt/cacerts") == ""
        serial_no = dev.prop.get("ro.serialno")
    finally:
        stop_handset(first)
    second = start_handset(config)
    try:
        dev = adb_client().device(second.serial)
        assert dev.shell("settings get global http_proxy") == "127.0.0.1:8081"
        assert dev.prop.get("ro.serialno") == serial_no
        assert "tmpfs" not in dev.shell("mount | grep conscrypt")
        assert dev.shell("ls /apex/com.android.conscrypt/cacerts") != ""
    finally:
        stop_handset(second)


def test_adb_root_on_userdebug_build(tmp_path):
    handset = start_handset(HandsetConfig(state_dir=tmp_path / "state", personality="android14"))
    try:
        assert "restarting adbd as root" in adb("-s", handset.serial, "root").stdout
        handset.connect()
        adb("-s", handset.serial, "wait-for-device", timeout=20)
        assert adb_client().device(handset.serial).shell("id -u") == "0"
    finally:
        stop_handset(handset)


def test_adb_root_refused_on_production_build(tool_serial):
    tool, sim_serial = tool_serial
    proc = tool("-s", sim_serial, "root")
    assert b"adbd cannot run as root in production builds" in proc.stdout + proc.stderr
