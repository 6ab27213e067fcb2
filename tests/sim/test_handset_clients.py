"""The virtual handset as stock adb clients use it day to day, through each adb binary on this
machine (adbutils' bundled adb 36 and, when installed, Debian's adb 29; tests/sim/adbtools.py):
``adb logcat``, ``adb install``/``uninstall`` (which the ``cmd`` feature turns into ``cmd
package``), shell pipes, and file modes over sync that match the shell's."""

from __future__ import annotations

import stat
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.sim.handset import HandsetConfig, VirtualHandset
from harness.testing.sim import start_handset, stop_handset
from tests.sim.adbtools import AdbTool
from tests.sim.conftest import attach

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def installing_handset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualHandset]:
    """A handset that accepts apps outside the bundled world (as ``--allow-app-install``)."""
    config = HandsetConfig(state_dir=tmp_path_factory.mktemp("installing") / "state")
    # honoured by the app sandbox (issue 11, item 1: unbundled apps are refused by default)
    config.allow_app_install = True  # type: ignore[attr-defined]
    handset = start_handset(config, connect=False)
    yield handset
    stop_handset(handset)


def _adb(tool_serial: tuple[AdbTool, str], *args: str, **kw) -> subprocess.CompletedProcess:
    tool, serial = tool_serial
    return tool("-s", serial, *args, **kw)


def test_logcat_dump_and_stream(tool_serial, sim_handset):
    sim_handset.device.logcat.add("I", "ClientTest", "hello from the test")
    dump = _adb(tool_serial, "logcat", "-d")
    assert dump.returncode == 0, dump.stderr
    assert b"ClientTest" in dump.stdout and b"hello from the test" in dump.stdout
    # plain `adb logcat` streams until the host stops it
    tool, serial = tool_serial
    proc = subprocess.Popen([tool.path, "-P", str(tool.port), "-s", serial, "logcat"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        line = b""
        while b"hello from the test" not in line:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line, proc.stderr.read()  # type: ignore[union-attr]
    finally:
        proc.terminate()
        proc.wait(10)


def test_shell_pipes(tool_serial):
    out = _adb(tool_serial, "shell", "cat /system/build.prop | wc -l")
    assert out.returncode == 0 and int(out.stdout) > 10
    out = _adb(tool_serial, "shell", "getprop | grep ro.product | sort | head -n 2 | wc -l")
    assert out.stdout.strip() == b"2"
    missing = _adb(tool_serial, "shell", "cat /nonexistent | wc -l")
    # as on a phone: the pipeline's status is wc's; cat's error reaches stderr
    assert missing.returncode == 0 and missing.stdout.strip() == b"0"
    assert b"No such file or directory" in missing.stderr + missing.stdout


def test_install_uninstall(adb_tool, installing_handset, tmp_path):
    tool_serial = (adb_tool, installing_handset.serial)
    attach(adb_tool, installing_handset.serial)
    apk = _app_archive(tmp_path, "com.example.clienttest")
    install = _adb(tool_serial, "install", str(apk), timeout=60)
    assert install.returncode == 0 and b"Success" in install.stdout, install.stdout + install.stderr
    assert "package:com.example.clienttest" in _adb(tool_serial, "shell", "pm list packages").stdout.decode()
    again = _adb(tool_serial, "install", "-r", str(apk), timeout=60)
    assert again.returncode == 0, again.stdout + again.stderr
    uninstall = _adb(tool_serial, "uninstall", "com.example.clienttest")
    assert uninstall.returncode == 0 and b"Success" in uninstall.stdout
    assert "clienttest" not in _adb(tool_serial, "shell", "pm list packages").stdout.decode()
    gone = _adb(tool_serial, "uninstall", "com.example.clienttest")
    assert gone.returncode != 0 and b"Failure" in gone.stdout + gone.stderr
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"not a zip")
    refused = _adb(tool_serial, "install", str(bad), timeout=60)
    assert refused.returncode != 0 and b"INSTALL_FAILED_INVALID_APK" in refused.stdout + refused.stderr


def test_sync_modes_are_the_devices(tool_serial, sim_device):
    """One source of truth: STAT/LIST report what `ls -l`/`stat` show, not the host file's mode."""
    assert sim_device.shell("stat -c %a /data/local/tmp") == "771"
    assert stat.S_IMODE(sim_device.sync.stat("/data/local/tmp").mode) == 0o771
    sim_device.shell("echo x > /data/local/tmp/m.txt; chmod 640 /data/local/tmp/m.txt")
    listed = {f.path: f.mode for f in sim_device.sync.list("/data/local/tmp")}
    assert stat.S_IMODE(listed["m.txt"]) == 0o640 and stat.S_ISREG(listed["m.txt"])
    assert stat.S_IMODE(listed["."]) == 0o771
    ls = _adb(tool_serial, "ls", "/data/local/tmp").stdout.decode()  # the adb binary's own LIST
    line = next(ln for ln in ls.splitlines() if ln.endswith(" m.txt"))
    assert int(line.split()[0], 16) & 0o7777 == 0o640
    # a push applies the pushed mode as adbd does (user bits copied to group and other)
    sim_device.sync.push(b"#!/system/bin/sh\n", "/data/local/tmp/tool.sh", mode=0o750)
    assert sim_device.shell("stat -c %a /data/local/tmp/tool.sh") == "777"
    assert stat.S_IMODE(sim_device.sync.stat("/data/local/tmp/tool.sh").mode) == 0o777


def _app_archive(folder: Path, package: str) -> Path:
    """A virtual app "APK": a zip with app.json and a Java source (docs/dev/contracts.md §2)."""
    path = folder / f"{package}.apk"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("app.json", f'{{"package": "{package}", "label": "Client Test", "main": "{package}.Main",'
                               ' "version_name": "1.0", "version_code": 1}')
        z.writestr(f"{package.replace('.', '/')}/Main.java",
                   f"package {package};\npublic class Main {{ public static void main(String[] a) {{}} }}\n")
    return path
