"""Driving apps: install, launch, stop, clear, permissions, input, web search, logcat, screenshots.

Each function checks its result and raises a typed DeviceError naming what failed.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.device.parse import parse_packages, parse_pids
from harness.device.paths import STAGING
from harness.errors import DeviceError, UsageError

if TYPE_CHECKING:
    from harness.device.adb import Device

KEYCODES = {"enter": 66, "back": 4, "home": 3, "tab": 61, "del": 67, "search": 84, "menu": 82}


def installed_packages(device: Device) -> dict[str, str | None]:
    return parse_packages(device.sh("pm list packages --show-versioncode", timeout=60).stdout)


def install_apk(device: Device, apk: Path, replace: bool = True) -> None:
    apk = Path(apk)
    if not apk.is_file():
        raise UsageError(f"APK {apk} does not exist", fix="check the path")
    remote = f"/data/local/tmp/{apk.name}"
    device.push(apk, remote)
    flags = "-r -t" if replace else "-t"
    res = device.sh(f"pm install {flags} {shlex.quote(remote)}", timeout=180, attempted=f"install {apk.name}")
    device.sh(f"rm -f {shlex.quote(remote)}")
    if not res.ok or "Success" not in res.text:
        raise DeviceError(f"pm install failed: {res.text[:300]}", serial=device.serial,
                          attempted=f"install {apk.name}",
                          fix="see the Failure [...] code; uninstall an older signature or free space")


def _pm_success(device: Device, verb: str, package: str, attempted: str, fix: str) -> None:
    """``pm VERB PACKAGE``, which prints ``Success`` when it worked (its exit code is not enough)."""
    res = device.sh(f"pm {verb} {shlex.quote(package)}", attempted=attempted)
    if not res.ok or "Success" not in res.text:
        raise DeviceError(f"pm {verb} failed: {res.text[:200]}", serial=device.serial, attempted=attempted, fix=fix)


def uninstall(device: Device, package: str) -> None:
    _pm_success(device, "uninstall", package, f"uninstall {package}",
                "is the package installed? system apps need root")


def _require_package(device: Device, package: str, attempted: str) -> None:
    if not device.sh(f"pm path {shlex.quote(package)}").ok:
        raise DeviceError(f"package {package} is not installed", serial=device.serial,
                          attempted=attempted, fix="install it first or check the name with `pm list packages`")


def launch(device: Device, package: str, activity: str | None = None, wait: bool = True,
           debug: bool = False) -> None:
    """Start an app (its launcher activity, or ``package/activity``)."""
    _require_package(device, package, f"launch {package}")
    flags = ("-W " if wait else "") + ("-D " if debug else "")
    if activity:
        cmd = f"am start {flags}-n {shlex.quote(package + '/' + activity)}"
    else:
        cmd = (f"am start {flags}-a android.intent.action.MAIN -c android.intent.category.LAUNCHER "
               f"-p {shlex.quote(package)}")
    res = device.sh(cmd, timeout=60, attempted=f"launch {package}")
    if not res.ok or "Error" in res.text:
        raise DeviceError(f"am start failed: {res.text[:200]}", serial=device.serial,
                          attempted=f"launch {package}", fix="check the package has a launcher activity")


def pid_of(device: Device, package: str) -> list[int]:
    return parse_pids(device.sh(f"pidof {shlex.quote(package)}").stdout)


def wait_running(device: Device, package: str, timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        pids = pid_of(device, package)
        if pids:
            return pids
        if time.monotonic() > deadline:
            raise DeviceError(f"{package} is not running after {timeout:.0f}s", serial=device.serial,
                              attempted=f"wait for {package}", fix="look at the logcat artifact for a crash")
        time.sleep(0.25)


def force_stop(device: Device, package: str) -> None:
    device.sh(f"am force-stop {shlex.quote(package)}", check=True, attempted=f"stop {package}")


def clear_data(device: Device, package: str) -> None:
    _pm_success(device, "clear", package, f"clear data of {package}", "is the package installed?")


def grant(device: Device, package: str, permission: str) -> None:
    device.sh(f"pm grant {shlex.quote(package)} {shlex.quote(permission)}", check=True,
              attempted=f"grant {permission} to {package}")


def input_text(device: Device, text: str) -> None:
    # `input text` takes %s for a space and needs shell quoting of everything else
    device.sh(f"input text {shlex.quote(text.replace(' ', '%s'))}", check=True, attempted="input text")


def key(device: Device, code: int | str) -> None:
    number = KEYCODES.get(code, code) if isinstance(code, str) else code
    device.sh(f"input keyevent {number}", check=True, attempted=f"key {code}")


def tap(device: Device, x: int, y: int) -> None:
    device.sh(f"input tap {int(x)} {int(y)}", check=True, attempted=f"tap {x},{y}")


def web_search(device: Device, query: str, package: str | None = None) -> None:
    """Fire ``android.intent.action.WEB_SEARCH`` with ``query`` (to ``package`` if given)."""
    cmd = f"am start -W -a android.intent.action.WEB_SEARCH --es query {shlex.quote(query)}"
    if package:
        cmd += f" -p {shlex.quote(package)}"
    res = device.sh(cmd, timeout=60, attempted=f"web search {query!r}")
    if not res.ok or "Error" in res.text:
        raise DeviceError(f"web search intent failed: {res.text[:200]}", serial=device.serial,
                          attempted="web search", fix="install a browser that handles WEB_SEARCH")


def logcat_dump(device: Device, clear: bool = False) -> bytes:
    res = device.sh("logcat -d -v threadtime", timeout=60, attempted="logcat")
    if clear:
        device.sh("logcat -c")
    return res.stdout.encode()


def save_logcat(device: Device, store: Any, name: str = "logcat.txt", step_id: str | None = None,
                clear: bool = False) -> Any:
    """Dump logcat into the run (``RunStore.add_artifact``)."""
    return store.add_artifact(name, logcat_dump(device, clear), kind="logcat", step_id=step_id)


def save_screenshot(device: Device, store: Any, name: str, step_id: str | None = None) -> Any:
    return store.add_artifact(name, device.screencap(), kind="screenshot", step_id=step_id)


__all__ = [
    "KEYCODES", "STAGING", "clear_data", "force_stop", "grant", "input_text", "install_apk",
    "installed_packages", "key", "launch", "logcat_dump", "pid_of", "save_logcat", "save_screenshot",
    "tap", "uninstall", "wait_running", "web_search",
]
