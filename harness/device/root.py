"""How to become root on a device: ``adb root`` (adbd already runs as uid 0), Magisk's su, or
another su; and the SELinux mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.device.adb import Device

ROOT_METHODS = ("adb-root", "magisk", "su")


def detect_root_method(device: Device) -> str | None:
    """``adb-root`` if the shell already runs as uid 0, ``magisk``/``su`` if ``su -c`` yields
    uid 0, else ``None``."""
    if device.sh("id -u", attempted="check shell uid").stdout.strip() == "0":
        return "adb-root"
    res = device.sh("su -c 'id -u'", timeout=15, attempted="check su")
    if not (res.ok and res.stdout.strip().endswith("0")):
        return None
    version = device.sh("su -v", timeout=10, attempted="su version").stdout
    if "magisk" in version.lower() or device.sh("magisk -v", timeout=10).ok:
        return "magisk"
    return "su"


def adb_root_possible(device: Device) -> bool:
    """``adb root`` works on emulators and userdebug/eng builds (``ro.debuggable=1``)."""
    return device.getprop("ro.debuggable") == "1"


def selinux_mode(device: Device) -> str:
    """``Enforcing``, ``Permissive``, ``Disabled`` or ``unknown``."""
    res = device.sh("getenforce", attempted="read SELinux mode")
    value = res.stdout.strip()
    return value if res.ok and value else "unknown"
