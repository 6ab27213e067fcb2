"""Parsers of Android tool output, and pure planning helpers."""

from __future__ import annotations

import pytest

from harness.device.adb import AdbServer, ShellResult, classify_failure
from harness.device.cacert import android_cert_name, choose_method
from harness.device.frida_server import find_binary, standin_version
from harness.device.parse import (
    mount_targets,
    parse_getprop,
    parse_packages,
    parse_parcel_string,
    parse_pids,
    parse_setting,
)
from harness.device.snapshot import compare_snapshots
from harness.errors import DeviceDiskFull, DeviceError, FridaServerError, RootRequired, UsageError
from harness.testing.pki import android_cert_name as reexported
from harness.testing.pki import make_ca


def test_getprop_multiline_and_empty():
    text = "[ro.a]: [1]\n[ro.empty]: []\n[ro.multi]: [line1\nline2]\n[ro.b]: [x y]\n"
    assert parse_getprop(text) == {"ro.a": "1", "ro.empty": "", "ro.multi": "line1\nline2", "ro.b": "x y"}


def test_packages_with_and_without_versions():
    text = "package:com.a versionCode:12\npackage:com.b\n\ngarbage\n"
    assert parse_packages(text) == {"com.a": "12", "com.b": None}


def test_setting_null():
    assert parse_setting("null\n") is None
    assert parse_setting("127.0.0.1:8080\n") == "127.0.0.1:8080"


def test_pids_and_mounts():
    assert parse_pids("123 456\n") == [123, 456]
    assert parse_pids("") == []
    assert mount_targets("tmpfs /system/etc/security/cacerts tmpfs rw 0 0\n") == ["/system/etc/security/cacerts"]
    assert mount_targets("tmpfs on /apex/x type tmpfs (rw)\n") == ["/apex/x"]


def test_parcel_string():
    # "Result: Parcel(" output of `service call iphonesubinfo 1` for IMEI 355555555555555
    out = (
        "Result: Parcel(\n"
        "  0x00000000: 00000000 0000000f 00350033 00350035 '........3.5.5.5.'\n"
        "  0x00000010: 00350035 00350035 00350035 00350035 '5.5.5.5.5.5.5.5.'\n"
        "  0x00000020: 00350035 00000035                   '5.5.5...        ')\n"
    )
    assert parse_parcel_string(out) == "355555555555555"
    assert parse_parcel_string("Result: Parcel(ffffffff 'error')") is None


def test_cert_name_moved_and_reexported():
    ca = make_ca("X")
    assert reexported is android_cert_name
    name = android_cert_name(ca.cert)
    assert len(name) == 10 and name.endswith(".0")


@pytest.mark.parametrize(("api", "root", "method"), [
    (29, True, "system"), (34, True, "system+apex"), (35, True, "system+apex"), (34, False, "user-manual"),
])
def test_choose_ca_method(api, root, method):
    assert choose_method(api, root) == method


def test_adb_server_parse(monkeypatch):
    assert AdbServer.parse("farm.lab:7100") == AdbServer("farm.lab", 7100)
    assert AdbServer.parse("5040") == AdbServer("127.0.0.1", 5040)
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", "6001")
    assert AdbServer.parse(None).port == 6001
    with pytest.raises(UsageError):
        AdbServer.parse("host:notaport")


def test_standin_and_cache(tmp_path):
    assert standin_version(b"#!vsim:frida-server 17.2.1\nrest") == "17.2.1"
    assert standin_version(b"\x7fELF...") is None
    with pytest.raises(FridaServerError) as info:
        find_binary(tmp_path, "arm64-v8a", "17.0.0")
    assert "frida-server-17.0.0-android-arm64.xz" in info.value.fix
    cached = tmp_path / "frida-server" / "17.0.0" / "arm64-v8a" / "frida-server"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"x")
    assert find_binary(tmp_path, "arm64-v8a", "17.0.0") == cached


def test_compare_snapshots():
    before = {"settings": {"http_proxy": None}, "reverse": [], "mounts": [],
              "cacerts": {"/s": ["a.0"]}, "frida_server_running": False}
    assert compare_snapshots(before, before) == []
    after = {"settings": {"http_proxy": "127.0.0.1:8080"}, "reverse": ["tcp:8080"], "mounts": ["/s"],
             "cacerts": {"/s": ["a.0", "b.0"]}, "frida_server_running": True}
    diffs = compare_snapshots(before, after)
    assert len(diffs) == 5
    assert any("b.0" in d for d in diffs)


def test_failed_commands_are_classified():
    full = ShellResult("cp a b", 1, "", "cp: /data/local/tmp/x: No space left on device")
    err = classify_failure("SER", full, "copy CA")
    assert isinstance(err, DeviceDiskFull) and err.serial == "SER" and err.attempted == "copy CA"
    assert "free space" in err.fix
    denied = ShellResult("mount", 1, "", "mount: Permission denied")
    assert isinstance(classify_failure("SER", denied, "mount"), RootRequired)
    other = classify_failure("SER", ShellResult("x", 2, "", "boom"), "x")
    assert type(other) is DeviceError and "exit 2" in str(other)
