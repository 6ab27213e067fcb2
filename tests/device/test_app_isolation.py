"""Virtual apps are code run on this machine (issue 11 item 1, app half): an app outside the
bundled world is refused unless the handset was started allowing installs, and when the harness
runs as root each app runs as its own unprivileged uid, to which Frida still attaches."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import zipfile
from pathlib import Path

import frida
import pytest
from devicehelp import open_device

import harness.sim.apps as sim_apps
from harness.device import apps
from harness.errors import DeviceError
from harness.sim.android.apphost import AppHost
from harness.sim.android.sandbox import host_uid

PROBE = "com.harness.probe"


def _foreign_apk(tmp_path: Path) -> Path:
    src = Path(sim_apps.__path__[0]) / "probe"
    apk = tmp_path / "org.attacker.app.apk"
    with zipfile.ZipFile(apk, "w") as z:
        for f in src.rglob("*"):
            if f.is_file() and f.name != "app.json":
                z.write(f, f.relative_to(src).as_posix())
        meta = json.loads((src / "app.json").read_text())
        meta.update(package="org.attacker.app", label="Not Bundled")
        z.writestr("app.json", json.dumps(meta))
    return apk


def test_app_outside_the_bundled_world_is_refused(a14, tmp_path):
    device = open_device(a14)
    with pytest.raises(DeviceError, match="INSTALL_FAILED_USER_RESTRICTED"):
        apps.install_apk(device, _foreign_apk(tmp_path))
    assert "org.attacker.app" not in apps.installed_packages(device)
    device.sh("am start -n org.attacker.app/.Main")
    assert apps.pid_of(device, "org.attacker.app") == []


def _uids(pid: int) -> list[int]:
    line = next(ln for ln in Path(f"/proc/{pid}/status").read_text().splitlines() if ln.startswith("Uid:"))
    return [int(x) for x in line.split()[1:]]


def test_apps_run_unprivileged_and_frida_still_attaches(a10):
    if os.geteuid() != 0:
        pytest.skip("the uid drop applies when the handset runs as root")
    device = open_device(a10)
    apps.launch(device, PROBE)
    try:
        (pid,) = apps.wait_running(device, PROBE, timeout=60)
        spec = a10.device.apps.apps[PROBE]
        assert _uids(pid) == [host_uid(AppHost.app_user(spec))] * 4
        assert 0 not in _uids(pid)
        session = frida.get_local_device().attach(pid)
        try:
            got = threading.Event()
            seen: list[object] = []
            script = session.create_script("send(Process.id);")
            script.on("message", lambda m, _d: (seen.append(m.get("payload")), got.set()))
            script.load()
            assert got.wait(30) and seen == [pid]
        finally:
            session.detach()
    finally:
        apps.force_stop(device, PROBE)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="acting as a second user needs root and setpriv (util-linux)")
def test_second_user_cannot_install_code_through_adb(a14, tmp_path):
    """Another local user reaches the same adb server (that is how adb works) and pushes an app:
    the handset refuses to install it, so no code of theirs runs here."""
    from adbutils._utils import adb_path

    shared = Path(tempfile.mkdtemp(prefix="harness-second-user-"))
    try:
        os.chmod(shared, 0o777)
        apk = shared / "evil.apk"
        shutil.copy(_foreign_apk(tmp_path), apk)
        os.chmod(apk, 0o644)
        script = (f"{adb_path()} -s {a14.serial} push {apk} /data/local/tmp/evil.apk >/dev/null && "
                  f"{adb_path()} -s {a14.serial} shell pm install /data/local/tmp/evil.apk")
        env = {"HOME": str(shared), "PATH": os.environ["PATH"],
               "ANDROID_ADB_SERVER_PORT": os.environ["ANDROID_ADB_SERVER_PORT"]}
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", script],
                              capture_output=True, text=True, env=env, timeout=60)
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    assert "INSTALL_FAILED_USER_RESTRICTED" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert "org.attacker.app" not in apps.installed_packages(open_device(a14))
