"""The restore journal: every change to a device is written here *before* it is made.

One JSON-lines file per device, ``HARNESS_HOME/journals/<serial>.jsonl`` (0600, fsync'd after each
record). Records:

``{"type": "begin", "time", "pid", "serial", "run", "snapshot"}``
    a session started; ``snapshot`` is the device state it will be restored to.
``{"type": "change", "seq", "time", "kind", "describe", "old", "undo"}``
    a change about to be made: its old value and how to undo it (see :mod:`.restore`).
``{"type": "undone", "seq", "time"}``
    that change was undone (a restore interrupted half-way resumes after it).

A lock file next to it (``flock``) is held while a session runs, so a journal whose lock can be
taken but which still has changes not undone is *stale*: its run died (SIGKILL, power loss) and
the next run, or ``harness restore``, replays it. The journal is deleted only after a restore
that verified the device is back to its snapshot; otherwise it is kept.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import JournalError
from harness.fsutil import FILE_MODE, private_dir


def journal_dir(home: Path) -> Path:
    return Path(home) / "journals"


def safe_serial(serial: str) -> str:
    """A serial usable as a file name (``127.0.0.1:5555`` → ``127.0.0.1_5555``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", serial)


def journal_path(home: Path, serial: str) -> Path:
    return journal_dir(home) / f"{safe_serial(serial)}.jsonl"


@dataclass
class Change:
    seq: int
    kind: str
    describe: str
    undo: dict[str, Any]
    old: Any = None
    time: float = 0.0
    undone: bool = False


@dataclass
class JournalContents:
    snapshot: dict[str, Any] | None = None
    run: str | None = None
    started: float | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def pending(self) -> list[Change]:
        """Changes not undone yet, newest first (the order to undo them)."""
        return [c for c in reversed(self.changes) if not c.undone]


def read_journal(path: Path) -> JournalContents:
    """Parse a journal; a torn last line (killed mid-write) is ignored."""
    contents = JournalContents()
    by_seq: dict[int, Change] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return contents
    except OSError as exc:
        raise JournalError(f"cannot read journal {path}: {exc}", attempted="read journal",
                           fix="check the file's owner and mode (0600, yours)") from exc
    for line in lines:
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind = rec.get("type")
        if kind == "begin":
            if contents.snapshot is None:
                contents.snapshot = rec.get("snapshot")
                contents.run = rec.get("run")
                contents.started = rec.get("time")
        elif kind == "change":
            change = Change(rec["seq"], rec["kind"], rec.get("describe", ""), rec["undo"],
                            rec.get("old"), rec.get("time", 0.0))
            by_seq[change.seq] = change
            contents.changes.append(change)
        elif kind == "undone" and rec.get("seq") in by_seq:
            by_seq[rec["seq"]].undone = True
    return contents


class Journal:
    """The journal of one device, locked for the lifetime of this object."""

    def __init__(self, home: Path, serial: str) -> None:
        self.serial = serial
        self.path = journal_path(home, serial)
        private_dir(self.path.parent)
        lock_path = self.path.with_suffix(".lock")
        self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(self._lock_fd)
            raise JournalError(
                "another harness run is using this device", serial=serial,
                attempted="lock the device journal",
                fix="wait for the other run to finish (or stop it); then retry",
            ) from exc
        self._fd: int | None = None
        self._seq = max((c.seq for c in self.read().changes), default=0)

    # -- reading ---------------------------------------------------------------------------

    def read(self) -> JournalContents:
        return read_journal(self.path)

    @property
    def stale(self) -> bool:
        """True if a previous run left changes that were never undone."""
        return bool(self.read().pending)

    # -- writing ---------------------------------------------------------------------------

    def _append(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
            os.fchmod(self._fd, FILE_MODE)
        line = json.dumps(record, sort_keys=True) + "\n"
        try:
            os.write(self._fd, line.encode("utf-8"))
            os.fsync(self._fd)
        except OSError as exc:
            raise JournalError(
                f"cannot write the restore journal: {exc}", serial=self.serial,
                attempted="write journal",
                fix="free disk space on this computer; nothing was changed on the device",
            ) from exc

    def begin(self, snapshot: dict[str, Any], run: str | None = None) -> None:
        self._append({"type": "begin", "time": time.time(), "pid": os.getpid(),
                      "serial": self.serial, "run": run, "snapshot": snapshot})

    def record(self, kind: str, describe: str, undo: dict[str, Any], old: Any = None) -> Change:
        """Write down a change before making it; returns it with its sequence number."""
        self._seq += 1
        change = Change(self._seq, kind, describe, undo, old, time.time())
        self._append({"type": "change", "seq": change.seq, "time": change.time, "kind": kind,
                      "describe": describe, "old": old, "undo": undo})
        return change

    def mark_undone(self, seq: int) -> None:
        self._append({"type": "undone", "seq": seq, "time": time.time()})

    def discard(self) -> None:
        """Delete the journal (only after a verified restore)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.path.unlink(missing_ok=True)
        self._seq = 0

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._lock_fd >= 0:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
