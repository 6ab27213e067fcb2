"""Driving apps on the virtual handset through adb: install/uninstall, launch/stop, clear data,
permissions, input, web search, logcat and screenshots into the run."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from devicehelp import open_device, sim_file

import harness.sim.apps as sim_apps
from harness.capture import RunStore
from harness.device import apps
from harness.errors import DeviceError, UsageError
from harness.testing.sim import wait_for_log

PROBE = "com.harness.probe"


def _virtual_apk(tmp_path: Path, package: str, intents: list[str] | None = None) -> Path:
    """A virtual-handset APK: the probe app's sources under another package name."""
    src = Path(sim_apps.__path__[0]) / "probe"
    apk = tmp_path / f"{package}.apk"
    with zipfile.ZipFile(apk, "w") as z:
        for f in src.rglob("*"):
            if f.is_file() and f.name != "app.json":
                z.write(f, f.relative_to(src).as_posix())
        meta = json.loads((src / "app.json").read_text())
        meta.update(package=package, label="Lab Test App")
        if intents:
            meta["intents"] = intents
        z.writestr("app.json", json.dumps(meta))
    return apk


def test_install_and_uninstall(a10, tmp_path):
    device = open_device(a10)
    apps.install_apk(device, _virtual_apk(tmp_path, "org.lab.testapp"))
    assert "org.lab.testapp" in apps.installed_packages(device)
    assert not sim_file(a10, "/data/local/tmp/org.lab.testapp.apk").exists()  # staging removed
    apps.uninstall(device, "org.lab.testapp")
    assert "org.lab.testapp" not in apps.installed_packages(device)
    with pytest.raises(DeviceError):
        apps.uninstall(device, "org.lab.testapp")
    with pytest.raises(UsageError):
        apps.install_apk(device, tmp_path / "missing.apk")


def test_launch_input_search_stop_clear(a10, tmp_path):
    device = open_device(a10)
    apps.launch(device, PROBE)
    pids = apps.wait_running(device, PROBE, timeout=60)
    assert pids
    wait_for_log(a10, lambda m: m.startswith("started on"), tag="Probe", timeout=60)
    apps.input_text(device, "free tibet")
    wait_for_log(a10, lambda m: "free tibet" in m.lower() or "free%stibet" in m, tag="Probe")
    apps.key(device, "enter")
    wait_for_log(a10, lambda m: "66" in m, tag="Probe")
    apps.grant(device, PROBE, "android.permission.READ_PHONE_STATE")
    assert "READ_PHONE_STATE: granted=true" in device.sh(f"dumpsys package {PROBE}").stdout
    apps.force_stop(device, PROBE)
    assert apps.pid_of(device, PROBE) == []
    sim_file(a10, f"/data/data/{PROBE}/marker").write_text("x")
    apps.clear_data(device, PROBE)
    assert not sim_file(a10, f"/data/data/{PROBE}/marker").exists()
    with pytest.raises(DeviceError):
        apps.launch(device, "com.not.installed")


def test_web_search_intent(a10, tmp_path):
    device = open_device(a10)
    apps.install_apk(device, _virtual_apk(tmp_path, "org.lab.search", ["android.intent.action.WEB_SEARCH"]))
    try:
        apps.web_search(device, "89 Democracy Movement", package="org.lab.search")
        # the probe app logs the intent it received (extras are not printed by its toString)
        wait_for_log(a10, lambda m: "act=android.intent.action.WEB_SEARCH" in m and "has extras" in m,
                     tag="Probe", timeout=60)
    finally:
        apps.force_stop(device, "org.lab.search")
        apps.uninstall(device, "org.lab.search")
    with pytest.raises(DeviceError) as info:  # nobody handles it now
        apps.web_search(device, "Long live Taiwan independence", package="org.lab.search")
    assert "WEB_SEARCH" in info.value.fix


def test_logcat_and_screenshot_into_run(a10, tmp_path):
    device = open_device(a10)
    apps.launch(device, PROBE)
    apps.force_stop(device, PROBE)
    store = RunStore.create(tmp_path / "run", meta={})
    try:
        store.begin_step("s1", "boot")
        log_path = apps.save_logcat(device, store, step_id="s1")
        shot = apps.save_screenshot(device, store, "s1.png", step_id="s1")
        store.flush()
    finally:
        store.close()
    assert "Start proc" in Path(log_path).read_text() and PROBE in Path(log_path).read_text()
    assert Path(shot).read_bytes().startswith(b"\x89PNG")
