"""The device state a session promises to put back, and how to compare two of them."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from harness.device.parse import mount_targets, parse_pids, parse_setting
from harness.device.paths import APEX_CACERTS, FRIDA_SERVER, PROXY_SETTINGS, SYSTEM_CACERTS, USER_CACERTS

if TYPE_CHECKING:
    from harness.device.adb import Device

_WATCHED_MOUNTS = (SYSTEM_CACERTS, APEX_CACERTS, USER_CACERTS)


def _listing(device: Device, path: str, root: bool) -> list[str] | None:
    cmd = f"ls {shlex.quote(path)}"
    res = device.su(cmd) if root else device.sh(cmd)
    if not res.ok:
        return None
    return sorted(res.stdout.split())


def take_snapshot(device: Device) -> dict[str, Any]:
    """Proxy settings, reverse ports, CA folders, mounts over them and frida-server."""
    root = device.root_method is not None
    settings = {
        key: parse_setting(device.sh(f"settings get global {key}").stdout) for key in PROXY_SETTINGS
    }
    mounts_text = device.sh("mount", attempted="list mounts").stdout
    mounts = sorted(t for t in mount_targets(mounts_text) if t in _WATCHED_MOUNTS)
    cacerts = {SYSTEM_CACERTS: _listing(device, SYSTEM_CACERTS, False)}
    if device.sh(f"ls -d {APEX_CACERTS}").ok:
        cacerts[APEX_CACERTS] = _listing(device, APEX_CACERTS, False)
    if root:
        cacerts[USER_CACERTS] = _listing(device, USER_CACERTS, True)
    frida = parse_pids(device.sh("pidof frida-server").stdout) or parse_pids(
        device.sh(f"pidof {FRIDA_SERVER}").stdout
    )
    return {
        "settings": settings,
        "reverse": sorted(r for r, _ in device.reverse_list()),
        "mounts": mounts,
        "cacerts": cacerts,
        "frida_server_running": bool(frida),
    }


def compare_snapshots(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Human-readable differences; empty when the device is back where it was."""
    diffs: list[str] = []
    for key, old in before.get("settings", {}).items():
        new = after.get("settings", {}).get(key)
        if old != new:
            diffs.append(f"settings global {key}: was {old!r}, now {new!r}")
    extra = set(after.get("reverse", [])) - set(before.get("reverse", []))
    if extra:
        diffs.append(f"adb reverse ports left: {sorted(extra)}")
    if before.get("mounts") != after.get("mounts"):
        diffs.append(f"mounts over CA folders: were {before.get('mounts')}, now {after.get('mounts')}")
    for path, old in before.get("cacerts", {}).items():
        new = after.get("cacerts", {}).get(path)
        if old is not None and new is not None and old != new:
            added = sorted(set(new) - set(old))
            removed = sorted(set(old) - set(new))
            diffs.append(f"{path}: added {added}, removed {removed}")
    if before.get("frida_server_running") != after.get("frida_server_running"):
        diffs.append(
            f"frida-server running: was {before.get('frida_server_running')}, "
            f"now {after.get('frida_server_running')}"
        )
    return diffs
