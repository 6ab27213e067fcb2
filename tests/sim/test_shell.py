"""The Android personality's shell, tested in-process through ``AndroidDevice.run`` (the same
interpreter the ADB daemon calls through ``DeviceBackend.shell``)."""

from __future__ import annotations

import pytest

from harness.sim.android.shell.parser import ShellSyntaxError, parse


def test_parser_keeps_redirect_fd_and_quoting():
    items = parse("echo 'a $? b' \"x$?\" 2>&1 >> /f; false || true &")
    assert [i.joiner for i in items] == [None, ";", "||"]
    assert items[-1].background
    cmd = items[0].pipeline.commands[0]
    assert [(r.fd, r.op) for r in cmd.redirects] == [(2, ">&"), (1, ">>")]
    assert cmd.words[1].parts[0].kind == "lit" and cmd.words[1].parts[0].value == "a $? b"
    assert [p.kind for p in cmd.words[2].parts] == ["lit", "var"]


@pytest.mark.parametrize("bad", ["echo 'open", "&& ls", "ls ||", "echo >", "(ls)"])
def test_parser_rejects_bad_syntax(bad):
    with pytest.raises(ShellSyntaxError):
        parse(bad)


def test_operators_and_status(make_device):
    dev = make_device()
    assert dev.run("false; echo $?") == (0, "1\n", "")
    assert dev.run("true && echo yes || echo no")[1] == "yes\n"
    assert dev.run("false && echo yes || echo no")[1] == "no\n"
    assert dev.run("exit 7; echo not-here")[:2] == (7, "")
    assert dev.run("echo \"a  b\" 'c $? d' e\\ f")[1] == "a  b c $? d e f\n"
    assert dev.run("X=$(getprop ro.build.version.sdk); echo sdk=$X")[1] == "sdk=29\n"
    assert dev.run("echo ${HOME}")[1] == "/\n"
    status, _, err = dev.run("echo 'unterminated")
    assert status == 2 and "syntax error" in err


def test_unknown_command_is_127_with_android_text(make_device):
    dev = make_device()
    assert dev.run("frobnicate --now") == (127, "", "/system/bin/sh: frobnicate: inaccessible or not found\n")
    assert dev.run("/data/local/tmp/nothing")[0] == 127


def test_redirects_and_pipes(make_device):
    dev = make_device()
    assert dev.run("echo one > /data/local/tmp/f; echo two >> /data/local/tmp/f; cat /data/local/tmp/f")[1] == \
        "one\ntwo\n"
    assert dev.run("cat /nope 2>&1")[1] == "cat: /nope: No such file or directory\n"
    assert dev.run("cat /nope 2>/dev/null; echo $?")[1] == "1\n"
    assert dev.run("getprop | grep ro.product.model")[1] == "[ro.product.model]: [M2007J3SG]\n"
    assert dev.run("ls /system/etc/security/cacerts | grep -c .")[1].strip() != "0"
    status, _, err = dev.run("echo x > /system/evil")
    assert status == 1 and "Read-only file system" in err


def test_props_identity_and_setprop(make_device):
    dev = make_device()
    props = {k: dev.run(f"getprop {k}")[1].strip() for k in (
        "ro.product.model", "ro.build.version.sdk", "ro.product.cpu.abi", "ro.miui.region",
        "persist.sys.country", "ro.miui.ui.version.name", "ro.build.version.release", "ro.serialno")}
    assert props["ro.build.version.sdk"] == "29" and props["ro.build.version.release"] == "10"
    assert props["ro.product.cpu.abi"] == "arm64-v8a" and props["ro.miui.ui.version.name"] == "V12"
    assert props["ro.serialno"] == dev.serial
    assert "Xiaomi/" in dev.run("getprop ro.build.fingerprint")[1]
    assert dev.run("getprop no.such.prop fallback")[1] == "fallback\n"
    status, _, err = dev.run("setprop ro.product.model Other", root=True)
    assert status == 1 and "Failed to set property" in err
    assert dev.run("setprop persist.sys.country DE")[0] == 1  # shell user may not
    assert dev.run("setprop persist.sys.country DE", root=True)[0] == 0
    assert dev.run("getprop persist.sys.country")[1] == "DE\n"


def test_settings_round_trip(make_device):
    dev = make_device()
    android_id = dev.run("settings get secure android_id")[1].strip()
    assert len(android_id) == 16 and int(android_id, 16) >= 0
    assert dev.run("settings get global http_proxy")[1] == "null\n"
    assert dev.run("settings put global http_proxy 127.0.0.1:8080") == (0, "", "")
    assert dev.run("settings get global http_proxy")[1] == "127.0.0.1:8080\n"
    assert "http_proxy=127.0.0.1:8080" in dev.run("settings list global")[1]
    assert dev.run("settings delete global http_proxy")[1] == "Deleted 1 rows\n"
    assert dev.run("settings put system screen_brightness 50; settings get system screen_brightness")[1] == "50\n"
    assert dev.run("settings get bogus x")[0] == 255


def test_root_modes(make_device):
    magisk = make_device("miui-android10", name="magisk")
    assert magisk.run("su -c id")[1].startswith("uid=0(root)")
    assert magisk.run("su 0 id")[1].startswith("uid=0(root)")
    assert magisk.run("su root whoami")[1] == "root\n"
    assert magisk.run("su -c 'exit 4'")[0] == 4
    assert magisk.run("id -u")[1] == "2000\n"
    none = make_device("miui-android10", name="noroot", root="none")
    assert none.run("su -c id") == (127, "", "/system/bin/sh: su: inaccessible or not found\n")
    status, _, err = none.run("mount -t tmpfs tmpfs /system/etc/security/cacerts")
    assert status == 1 and "Operation not permitted" in err


def test_adb_root_depends_on_build(make_device):
    user_build = make_device("miui-android10", name="user")
    assert user_build.set_adb_root(True) == "adbd cannot run as root in production builds\n"
    assert not user_build.adb_root
    debug_build = make_device("android14", name="debug")
    assert debug_build.set_adb_root(True) == "restarting adbd as root\n"
    assert debug_build.run("id -u")[1] == "0\n"
    assert debug_build.set_adb_root(False) == "restarting adbd as non root\n"


def test_frida_server_standin(make_device):
    dev = make_device()
    path = "/data/local/tmp/frida-server"
    dev.resolve_path(path, write=True).write_bytes(b"#!vsim:frida-server 17.2.11\n")
    assert dev.run(f"chmod 755 {path} && {path} --version") == (0, "17.2.11\n", "")
    assert dev.run("pidof frida-server")[0] == 1
    assert dev.run(f"su -c '{path} -D &'")[0] == 0
    pid = _poll(lambda: dev.run("pidof frida-server")[1].strip())  # `&`: the process appears soon
    assert pid.isdigit()
    assert f"root {pid}".replace(" ", "") in dev.run("ps -A")[1].replace(" ", "")
    assert dev.run(f"kill {pid}")[2] == f"kill: pid {pid}: Operation not permitted\n"
    assert dev.run("su -c 'pkill -f frida-server'")[0] == 0
    assert dev.run("pidof frida-server")[0] == 1
    dev.run(f"su -c '{path} -D'")
    assert dev.run("su -c 'killall frida-server'")[0] == 0
    assert dev.run("su -c 'killall frida-server'")[2] == "killall: frida-server: no process killed\n"
    dev.resolve_path("/data/local/tmp/elf", write=True).write_bytes(b"\x7fELF\x02\x01")
    assert dev.run("/data/local/tmp/elf")[0] == 126


def _poll(fn, timeout: float = 5.0):
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_packages_and_dumpsys(make_device):
    dev = make_device()
    listed = dev.run("pm list packages")[1].split()
    assert "package:com.harness.probe" in listed and "package:android" in listed
    third_party = dev.run("pm list packages -3")[1].split()
    assert "package:com.harness.probe" in third_party and "package:android" not in third_party
    path = dev.run("pm path com.harness.probe")[1].strip().removeprefix("package:")
    assert dev.run(f"ls {path}")[0] == 0
    assert dev.run("pm path com.nope")[0] == 1
    dump = dev.run("dumpsys package com.harness.probe")[1]
    assert "versionName=1.0" in dump and "versionCode=1 " in dump
    assert dev.run("pm grant com.harness.probe android.permission.READ_PHONE_STATE")[0] == 0
    assert "READ_PHONE_STATE: granted=true" in dev.run("dumpsys package com.harness.probe")[1]
    assert dev.run("pm grant com.nope android.permission.CAMERA")[0] == 255
    assert dev.run("pm clear com.harness.probe")[1] == "Success\n"


def test_misc_commands(make_device):
    dev = make_device()
    assert dev.run("getenforce")[1] == "Enforcing\n"
    assert dev.run("wm size")[1] == "Physical size: 1080x2400\n"
    assert dev.run("whoami")[1] == "shell\n"
    assert dev.run("date +%s")[1].strip().isdigit()
    assert " up " in dev.run("uptime")[1]
    assert "Filesystem" in dev.run("df")[1]
    assert dev.run("sleep 0.1 && echo slept")[1] == "slept\n"


def test_screencap_is_a_real_png(make_device):
    import struct

    dev = make_device()
    assert dev.run("screencap -p /sdcard/s.png")[0] == 0
    data = dev.resolve_path("/sdcard/s.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1080, 2400)
    import zlib

    idat = data[data.index(b"IDAT") + 4:]
    assert len(zlib.decompressobj().decompress(idat)) > 0


def test_logcat_dump_clear_and_filters(make_device):
    dev = make_device()
    dev.logcat.add("I", "MyTag", "hello world", pid=42)
    dev.logcat.add("D", "Other", "noise", pid=43)
    out = dev.run("logcat -d")[1]
    assert "I MyTag   : hello world" in out and "noise" in out
    assert dev.run("logcat -d -s MyTag")[1].count("\n") == 1
    assert "noise" not in dev.run("logcat -d MyTag:I *:S")[1]
    assert dev.run("logcat -d -v brief -s MyTag")[1] == "I/MyTag(   42): hello world\n"
    assert dev.run("logcat -c; logcat -d")[1] == ""


def test_log_writes_a_line_of_its_own_process(make_device):
    """``log [-p PRI] [-t TAG] MESSAGE`` (toybox): tag ``log`` and priority I by default, the pid of
    a process of its own (gone after), ``-p s`` writes nothing, a bad priority or no message is 1."""
    dev = make_device()
    assert dev.run("log -p e -t BrowserSearch 'search failed: x'; log plain words")[0] == 0
    lines = dev.run("logcat -d -v brief -s BrowserSearch log")[1].splitlines()
    assert [ln.split("(")[0] for ln in lines] == ["E/BrowserSearch", "I/log"], lines
    assert lines[0].endswith("): search failed: x") and lines[1].endswith("): plain words")
    pid = int(lines[0].split("(")[1].split(")")[0])
    assert pid > 20000 and dev.procs.get(pid) is None
    assert dev.run("log -p s -t Quiet hidden; logcat -d -s Quiet")[1] == ""
    assert dev.run("log -p x -t T m")[0] == 1 and dev.run("log -t T")[0] == 1


def test_reboot_semantics(make_device, tmp_path):
    dev = make_device(name="phone")
    dev.run("settings put global http_proxy 127.0.0.1:9999")
    dev.run("setprop persist.sys.country DE; setprop debug.test 1", root=True)
    dev.run("su -c 'mount -t tmpfs tmpfs /system/etc/security/cacerts'")
    dev.run("echo keep > /sdcard/keep.txt")
    dev.reboot()
    assert dev.run("settings get global http_proxy")[1] == "127.0.0.1:9999\n"
    assert dev.run("getprop persist.sys.country")[1] == "DE\n"
    assert dev.run("getprop debug.test")[1] == "\n"
    assert "tmpfs on /system/etc/security" not in dev.run("mount")[1]
    assert dev.run("ls /system/etc/security/cacerts")[1] != ""
    assert dev.run("cat /sdcard/keep.txt")[1] == "keep\n"


class _Feed:
    """stdin for ShellIO: fixed bytes, then EOF."""

    def __init__(self, data: bytes) -> None:
        import io

        self._buf = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._buf.read(n if n > 0 else -1)


def test_streaming_logcat_stops_when_the_host_closes(make_device):
    import threading
    import time

    from harness.sim.backend import ShellIO

    dev = make_device()
    chunks: list[bytes] = []
    io = ShellIO(_Feed(b""), chunks.append, chunks.append)
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(dev.shell("logcat -s Live", io)), daemon=True)
    worker.start()
    time.sleep(0.3)
    dev.logcat.add("I", "Live", "first", pid=7)
    dev.logcat.add("I", "Other", "filtered", pid=7)
    deadline = time.monotonic() + 5
    while b"first" not in b"".join(chunks) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert b"first" in b"".join(chunks) and b"filtered" not in b"".join(chunks)
    io.closed.set()
    worker.join(5)
    assert not worker.is_alive() and result == [0]


def test_interactive_shell_reads_stdin(make_device):
    from harness.sim.backend import ShellIO

    dev = make_device()
    out: list[bytes] = []
    io = ShellIO(_Feed(b"echo one\nsu\nid -u\nexit\n"), out.append, out.append)
    assert dev.shell("", io) == 0
    assert b"one\n" in b"".join(out)
    out.clear()
    io = ShellIO(_Feed(b"id -u\nexit 3\n"), out.append, out.append)
    assert dev.shell("su", io) == 3
    assert b"".join(out) == b"0\n"


def test_root_detection_commands(make_device):
    magisk = make_device(name="m")
    assert magisk.run("su -v")[1] == "26.4:MAGISK:R\n" and magisk.run("magisk -v")[0] == 0
    aosp = make_device("android14", name="a")
    assert aosp.run("su -v")[0] == 1 and aosp.run("magisk -v")[0] == 127
    assert aosp.run("su 0 id -u")[1] == "0\n"
    path = "/data/local/tmp/frida-server"
    magisk.resolve_path(path, write=True).write_bytes(b"#!vsim:frida-server 17.2.11\n")
    magisk.run(f"su -c '{path} -D'")
    assert magisk.run(f"pidof {path}")[1] == magisk.run("pidof frida-server")[1] != ""


def test_pm_install_from_a_pushed_package(make_device):
    import json
    import zipfile

    dev = make_device(allow_app_install=True)
    apk = dev.run("pm path com.harness.probe")[1].strip().removeprefix("package:")
    with zipfile.ZipFile(dev.resolve_path(apk)) as original:
        files = {n: original.read(n) for n in original.namelist()}
    meta = json.loads(files["app.json"])
    meta.update(package="com.example.copy", version_name="2.0", version_code=2)
    files["app.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(dev.resolve_path("/data/local/tmp/copy.apk", write=True), "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    assert dev.run("pm install -r /data/local/tmp/copy.apk") == (0, "Success\n", "")
    assert "versionName=2.0" in dev.run("dumpsys package com.example.copy")[1]
    assert dev.run("pm list packages com.example")[1] == "package:com.example.copy\n"
    dev.resolve_path("/data/local/tmp/junk.apk", write=True).write_bytes(b"not a zip")
    assert dev.run("pm install /data/local/tmp/junk.apk")[1] == "Failure [INSTALL_FAILED_INVALID_APK]\n"
    assert dev.run("pm uninstall com.example.copy")[1] == "Success\n"
    assert dev.run("pm path com.example.copy")[0] == 1
    # without the explicit option, nothing outside the bundled world is installed (issue 11 item 1)
    locked = make_device(name="locked")
    with zipfile.ZipFile(locked.resolve_path("/data/local/tmp/copy.apk", write=True), "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    code, out, _ = locked.run("pm install -r /data/local/tmp/copy.apk")
    assert code == 1 and out.startswith("Failure [INSTALL_FAILED_USER_RESTRICTED")
    assert locked.run("pm path com.example.copy")[0] == 1
    assert not (dev.state.dir / "installed" / "com.example.copy").exists()
