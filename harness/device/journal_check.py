"""What a restore journal may contain: only what the harness itself could have written.

``harness restore`` runs a journal's undo actions as root on the device, so a journal is input
from disk, never trusted code. :func:`check_record` checks one decoded JSON record against the
changes the harness makes (:mod:`.proxy`, :mod:`.cacert`, :mod:`.frida_server`, :mod:`.props`,
the doctor's probe) and raises :class:`~harness.errors.JournalError` naming the line and field
otherwise; :func:`describe_undo` builds the text printed for a change from the checked fields, so a
journal's free text (``describe``) is never shown (issue 11 item 2).

The allowed values live next to the code that writes them (:mod:`.paths`); a new kind of change
must be added here and there together.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from harness.device.paths import (
    APEX_CACERTS,
    FRIDA_SERVER,
    JOURNALED_PROP_PREFIXES,
    JOURNALED_PROPS,
    JOURNALED_SETTINGS,
    SDCARD_CA,
    STAGING,
    SYSTEM_CACERTS,
    USER_CACERTS,
)
from harness.errors import JournalError

#: ``file`` undo paths: fixed paths, plus one certificate in the user store
FILE_PATHS = frozenset({STAGING, FRIDA_SERVER, SDCARD_CA})
#: ``<subject_hash_old>.<n>``, the file names Android uses in CA folders
CERT_NAME = re.compile(r"^[0-9a-f]{8}\.[0-9]{1,3}$")
MOUNT_TARGETS = frozenset({SYSTEM_CACERTS, APEX_CACERTS})
PROCESS_PATHS = frozenset({FRIDA_SERVER})
#: a setting or prop value: printable, no line breaks, bounded (Android props: 92 bytes, settings
#: have no limit; a proxy setting longer than this is not one a lab wrote)
MAX_VALUE = 1024
_PRINTABLE = re.compile(r"^[\x20-\x7e\u00a0-\uffff]*$")

RECORD_KEYS = {
    "begin": {"type", "time", "pid", "serial", "run", "snapshot"},
    "change": {"type", "seq", "time", "kind", "describe", "old", "undo"},
    "undone": {"type", "seq", "time"},
}
#: undo fields per change kind: name -> required?
UNDO_KEYS: dict[str, dict[str, bool]] = {
    "setting": {"namespace": True, "key": True, "old": False},
    "reverse": {"device_port": True},
    "forward": {"host_port": True},
    "file": {"path": True, "root": False},
    "mount": {"target": True, "ns_pid": False},
    "process": {"path": True, "root": False},
    "prop": {"key": True, "old": False, "root": False},
}


def short(value: Any, limit: int = 40) -> str:
    """``repr`` of a bad value, cut to ``limit`` characters (errors quote at most that much)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Where:
    def __init__(self, path: Path, line: int) -> None:
        self.path, self.line = path, line

    def fail(self, problem: str) -> JournalError:
        return JournalError(
            f"journal {self.path} line {self.line}: {problem}; the harness never writes that, "
            "so nothing in this journal was run",
            attempted="check restore journal",
            fix="inspect the file: if you did not edit it, someone else did (check who can write "
                "to HARNESS_HOME); delete it and restore the device by hand (docs/lab-guide.md)",
        )


def prop_allowed(key: str) -> bool:
    return key in JOURNALED_PROPS or key.startswith(JOURNALED_PROP_PREFIXES)


def setting_allowed(namespace: str, key: str) -> bool:
    return key in JOURNALED_SETTINGS.get(namespace, ())


def _port(where: Where, value: Any, name: str) -> int:
    if type(value) is not int or not 0 < value < 65536:
        raise where.fail(f"{name} {short(value)} is not a TCP port")
    return value


def _value(where: Where, value: Any, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, str) or len(value) > MAX_VALUE or not _PRINTABLE.match(value):
        raise where.fail(f"{name} {short(value)} is not a printable one-line value")


def _bool(where: Where, value: Any, name: str) -> None:
    if value is not None and type(value) is not bool:
        raise where.fail(f"{name} {short(value)} is not true/false")


def _check_undo(where: Where, kind: Any, undo: Any) -> None:
    spec = UNDO_KEYS.get(kind)
    if spec is None:
        raise where.fail(f"unknown change kind {short(kind)}")
    if not isinstance(undo, dict):
        raise where.fail("undo is not an object")
    extra = set(undo) - set(spec)
    if extra:
        raise where.fail(f"{kind} undo has unknown field(s) {short(sorted(extra))}")
    missing = [k for k, required in spec.items() if required and k not in undo]
    if missing:
        raise where.fail(f"{kind} undo lacks {', '.join(missing)}")
    if kind == "setting":
        ns, key = undo["namespace"], undo["key"]
        if not isinstance(ns, str) or not isinstance(key, str) or not setting_allowed(ns, key):
            raise where.fail(f"setting {short(ns, 24)} {short(key, 40)} is not one the harness changes")
        _value(where, undo.get("old"), "old value")
    elif kind == "reverse":
        _port(where, undo["device_port"], "device_port")
    elif kind == "forward":
        _port(where, undo["host_port"], "host_port")
    elif kind == "file":
        path = undo["path"]
        user_ca = (isinstance(path, str) and path.startswith(USER_CACERTS + "/")
                   and CERT_NAME.match(path[len(USER_CACERTS) + 1:]) is not None)
        if path not in FILE_PATHS and not user_ca:
            raise where.fail(f"file {short(path)} is not a path the harness creates")
        _bool(where, undo.get("root"), "root")
    elif kind == "mount":
        if undo["target"] not in MOUNT_TARGETS:
            raise where.fail(f"mount target {short(undo['target'])} is not a CA folder")
        ns_pid = undo.get("ns_pid")
        if ns_pid is not None and (type(ns_pid) is not int or not 0 < ns_pid < 2**22):
            raise where.fail(f"ns_pid {short(ns_pid)} is not a process id")
    elif kind == "process":
        if undo["path"] not in PROCESS_PATHS:
            raise where.fail(f"process {short(undo['path'])} is not one the harness starts")
        _bool(where, undo.get("root"), "root")
    elif kind == "prop":
        key = undo["key"]
        if not isinstance(key, str) or not prop_allowed(key):
            raise where.fail(f"prop {short(key)} is not one the harness changes")
        _value(where, undo.get("old"), "old value")
        _bool(where, undo.get("root"), "root")


def _check_snapshot(where: Where, snap: Any) -> None:
    """The snapshot is only compared, never run; still, its shape must be ours."""
    if snap is None:
        return
    if not isinstance(snap, dict) or not set(snap) <= {"settings", "reverse", "mounts", "cacerts",
                                                       "frida_server_running"}:
        raise where.fail("snapshot is not one the harness takes")
    settings = snap.get("settings", {})
    if not isinstance(settings, dict) or not all(setting_allowed("global", k) for k in settings):
        raise where.fail("snapshot settings are not the proxy settings")
    for key, value in settings.items():
        _value(where, value, f"snapshot setting {key}")
    for name in ("reverse", "mounts"):
        items = snap.get(name, [])
        if not isinstance(items, list) or not all(isinstance(i, str) and len(i) < 256 for i in items):
            raise where.fail(f"snapshot {name} is not a list of names")
    cacerts = snap.get("cacerts", {})
    if not isinstance(cacerts, dict) or not set(cacerts) <= {SYSTEM_CACERTS, APEX_CACERTS, USER_CACERTS}:
        raise where.fail("snapshot cacerts are not the CA folders")
    for names in cacerts.values():
        if names is not None and (not isinstance(names, list)
                                  or not all(isinstance(n, str) and len(n) < 256 for n in names)):
            raise where.fail("snapshot cacerts are not lists of file names")
    _bool(where, snap.get("frida_server_running"), "frida_server_running")


def check_record(rec: Any, path: Path, line: int) -> dict[str, Any]:
    """Return ``rec`` if it is a record the harness writes; raise JournalError otherwise."""
    where = Where(path, line)
    if not isinstance(rec, dict):
        raise where.fail("the record is not a JSON object")
    kind = rec.get("type")
    keys = RECORD_KEYS.get(kind) if isinstance(kind, str) else None
    if keys is None:
        raise where.fail(f"unknown record type {short(kind)}")
    if set(rec) - keys:
        raise where.fail(f"unknown field(s) {short(sorted(set(rec) - keys))}")
    if kind in ("change", "undone") and (type(rec.get("seq")) is not int or rec["seq"] < 1):
        raise where.fail(f"seq {short(rec.get('seq'))} is not a positive integer")
    if kind == "change":
        _check_undo(where, rec.get("kind"), rec.get("undo"))
        if not isinstance(rec.get("describe", ""), str):
            raise where.fail("describe is not text")
        _value(where, rec.get("old"), "old value")
    elif kind == "begin":
        _check_snapshot(where, rec.get("snapshot"))
        _value(where, rec.get("serial"), "serial")
        _value(where, rec.get("run"), "run")
    return rec


def describe_undo(kind: str, undo: dict[str, Any]) -> str:
    """What undoing this (checked) change does, built from its fields only."""
    if kind == "setting":
        if undo.get("old") is None:  # the setting was absent: undoing deletes it
            return f"settings {undo['namespace']} {undo['key']} deleted (it was not set)"
        return f"settings {undo['namespace']} {undo['key']} back to {short(undo.get('old'), 60)}"
    if kind == "reverse":
        return f"adb reverse tcp:{undo['device_port']} removed"
    if kind == "forward":
        return f"adb forward tcp:{undo['host_port']} removed"
    if kind == "file":
        return f"removed {undo['path']}"
    if kind == "mount":
        where = f" in the mount namespace of pid {undo['ns_pid']}" if undo.get("ns_pid") else ""
        return f"mount over {undo['target']} removed{where}"
    if kind == "process":
        return f"stopped {undo['path']}"
    if not undo.get("old"):  # empty or absent before: getprop shows both as ""
        return f"prop {undo['key']} emptied again (it was not set)"
    return f"prop {undo['key']} back to {short(undo.get('old'), 60)}"
