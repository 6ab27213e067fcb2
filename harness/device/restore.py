"""Replaying a journal's undo log, newest change first, and verifying the result.

Undo actions (the ``undo`` object of a journal change, by ``kind``):

``setting``  ``{"namespace", "key", "old"}``     put the old value back (delete it if it was absent)
``reverse``  ``{"device_port"}``                 ``adb reverse --remove tcp:PORT``
``forward``  ``{"host_port"}``                   ``adb forward --remove tcp:PORT``
``file``     ``{"path", "root"}``                ``rm -rf PATH``
``mount``    ``{"target", "ns_pid"}``            ``umount TARGET`` (inside pid's mount namespace)
``process``  ``{"path"}``                        kill the processes running that binary
``prop``     ``{"key", "old", "root"}``          ``setprop KEY OLD``

Each action is idempotent, so a restore that was itself interrupted can simply run again. Only
journals that pass :mod:`.journal_check` get here (known settings, the harness's own paths, mount
targets and props), and every value is shell-quoted again when the command is built.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.device.journal import Change, Journal, torn_note
from harness.device.parse import mount_targets, parse_pids
from harness.device.snapshot import compare_snapshots, take_snapshot
from harness.errors import DeviceError, DeviceOffline, JournalError

if TYPE_CHECKING:
    from harness.device.adb import Device


@dataclass
class RestoreReport:
    serial: str
    undone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    verified: bool = False
    journal_kept: bool = True
    #: the journal had a snapshot to compare with (without one nothing can be verified)
    had_snapshot: bool = True
    #: torn journal records that were ignored (harness.device.journal.torn_note)
    ignored: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verified and not self.failed

    def lines(self) -> list[str]:
        out = list(self.ignored) + [f"undone: {d}" for d in self.undone]
        out += [f"FAILED: {d}" for d in self.failed]
        out += [f"differs from snapshot: {d}" for d in self.differences]
        if not self.had_snapshot:
            out.append("not verified: the journal has no snapshot of the device from before the run")
        elif self.ok:
            out.append("device matches its snapshot from before the run")
        return out


def _mounted(device: Device, target: str, ns_pid: int | None) -> bool:
    if ns_pid:
        res = device.su(f"nsenter --mount=/proc/{int(ns_pid)}/ns/mnt -- mount")
        if not res.ok:  # the process is gone, and its namespace with it
            return False
        text = res.stdout
    else:
        text = device.sh("mount").stdout
    return target in mount_targets(text)


def undo_change(device: Device, change: Change) -> None:
    """Undo one change; raises DeviceError when the device refuses."""
    u: dict[str, Any] = change.undo
    kind = change.kind
    if kind == "setting":
        ns, key, old = shlex.quote(u["namespace"]), shlex.quote(u["key"]), u.get("old")
        if old is None:
            if u["key"] == "http_proxy":  # apps only drop a cached proxy on an explicit ":0"
                device.sh(f"settings put {ns} http_proxy :0", check=True)
            device.sh(f"settings delete {ns} {key}", check=True)
        else:
            device.sh(f"settings put {ns} {key} {shlex.quote(str(old))}", check=True)
    elif kind == "reverse":
        device.reverse_remove(int(u["device_port"]))
    elif kind == "forward":
        device.forward_remove(int(u["host_port"]))
    elif kind == "file":
        cmd = f"rm -rf {shlex.quote(u['path'])}"
        (device.su if u.get("root") else device.sh)(cmd, check=True)
    elif kind == "mount":
        target, ns_pid = u["target"], u.get("ns_pid")
        if not _mounted(device, target, ns_pid):
            return
        cmd = f"umount {shlex.quote(target)}"
        if ns_pid:
            cmd = f"nsenter --mount=/proc/{int(ns_pid)}/ns/mnt -- {cmd}"
        device.su(cmd, check=True)
    elif kind == "process":
        path = u["path"]
        pids = parse_pids(device.sh(f"pidof {shlex.quote(path)}").stdout)
        pids += parse_pids(device.sh(f"pidof {shlex.quote(path.rsplit('/', 1)[-1])}").stdout)
        for pid in sorted(set(pids)):
            (device.su if u.get("root", True) else device.sh)(f"kill {int(pid)}")
    elif kind == "prop":
        cmd = f"setprop {shlex.quote(u['key'])} {shlex.quote(u.get('old') or '')}"
        (device.su if u.get("root") else device.sh)(cmd, check=True)
    else:
        raise JournalError(f"unknown change kind {kind!r} in journal", serial=device.serial,
                           attempted="restore", fix="a newer harness wrote this journal; use it")


def _prop_differences(device: Device, changes: list[Change]) -> list[str]:
    """Props the run changed that do not have their value from before the run: a prop set twice
    is compared with the old value of its first change (the journal's oldest), not its last."""
    before: dict[str, str] = {}
    for c in sorted((c for c in changes if c.kind == "prop"), key=lambda c: c.seq):
        before.setdefault(c.undo["key"], c.undo.get("old") or "")
    diffs = []
    for key, old in before.items():
        now = device.getprop(key)
        if now != old:
            diffs.append(f"prop {key}: was {old!r}, now {now!r}")
    return diffs


def replay(device: Device, journal: Journal) -> RestoreReport:
    """Undo every pending change (newest first), verify against the snapshot, and delete the
    journal only if the device matches it. A device that goes away stops the replay with the
    journal kept."""
    report = RestoreReport(device.serial)
    contents = journal.read()
    report.ignored = [torn_note(journal.path, n) for n in contents.torn]
    for change in contents.pending:
        try:
            undo_change(device, change)
        except DeviceOffline:
            raise
        except DeviceError as exc:
            report.failed.append(f"{change.describe}: {exc.reason}")
            continue
        journal.mark_undone(change.seq)
        report.undone.append(change.describe)
    if contents.snapshot is not None:
        report.differences = compare_snapshots(contents.snapshot, take_snapshot(device))
    report.had_snapshot = contents.snapshot is not None
    report.differences += _prop_differences(device, contents.changes)
    report.verified = report.had_snapshot and not report.differences
    if report.ok:
        journal.discard()
        report.journal_kept = False
    return report


def restore_device(device: Device, home: Any) -> RestoreReport:
    """``harness restore``: lock the device's journal and replay it."""
    with Journal(home, device.serial) as journal:
        return replay(device, journal)

