"""Changing a system property, journaled (old value first) and read back."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from harness.device.journal_check import prop_allowed
from harness.errors import DeviceError, UsageError

if TYPE_CHECKING:
    from harness.device.session import DeviceSession


def set_prop(session: DeviceSession, key: str, value: str, root: bool = True) -> None:
    """``setprop KEY VALUE``; restore puts the old value back (``""`` if it was unset).

    Only the properties in :data:`harness.device.paths.JOURNALED_PROPS` (and ``debug.harness.*``)
    may be changed (UsageError otherwise), because a journal naming any other is refused;
    ``ro.*`` properties cannot be changed after boot and are refused (DeviceError)."""
    device = session.device
    if not prop_allowed(key):
        raise UsageError(f"{key} is not a property the harness may change",
                         fix="add it to harness.device.paths.JOURNALED_PROPS (restore only undoes those)")
    if key.startswith("ro."):
        raise DeviceError(f"{key} is read-only after boot", serial=device.serial, attempted=f"setprop {key}",
                          fix="read-only props need a boot image change (e.g. a Magisk module); not done here")
    old = device.getprop(key)
    session.record("prop", f"prop {key}={value} (was {old!r})", {"key": key, "old": old, "root": root}, old=old)
    cmd = f"setprop {shlex.quote(key)} {shlex.quote(value)}"
    (device.su if root else device.sh)(cmd, check=True, attempted=f"setprop {key}")
    if device.getprop(key) != value:
        raise DeviceError(f"{key} reads back {device.getprop(key)!r}, not {value!r}", serial=device.serial,
                          attempted=f"setprop {key}", fix="the property may be protected by SELinux")
