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
that verified the device is back to its snapshot; otherwise it is kept. The lock file goes with
it: removed (while still held) when a session closes with no journal left, so ``journals/`` does
not keep one per serial ever used; a process that opened it just before checks, once it holds the
lock, that the file is still the one at the path, and otherwise takes the new one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.device.journal_check import Where, check_record, describe_undo
from harness.errors import JournalError
from harness.fsutil import FILE_MODE, flock_held, private_dir

#: tries to lock a journal whose lock file another process removes meanwhile (Journal._take_lock)
LOCK_ATTEMPTS = 20


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
    #: line numbers of torn records (not JSON: a run killed while writing one), ignored
    torn: list[int] = field(default_factory=list)

    @property
    def pending(self) -> list[Change]:
        """Changes not undone yet, newest first (the order to undo them)."""
        return [c for c in reversed(self.changes) if not c.undone]


#: a journal larger than this was not written by the harness (a run journals tens of changes)
MAX_JOURNAL_BYTES = 8 * 1024 * 1024


def _read_owned(path: Path) -> str | None:
    """The text of a journal that is a regular file of ours, not writable by others; None if
    absent. Opened without following a symlink (issue 11 items 2 and 3)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise JournalError(f"cannot read journal {path}: {exc.strerror}", attempted="read journal",
                           fix="it must be a regular file you own (mode 0600), not a symlink") from exc
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        problem = ("is not a regular file" if not stat.S_ISREG(st.st_mode)
                   else f"belongs to uid {st.st_uid}, not you" if st.st_uid != os.geteuid()
                   else f"is writable by group or others (mode {stat.S_IMODE(st.st_mode):04o})"
                   if st.st_mode & 0o022 else None)
        if problem:
            raise JournalError(f"journal {path} {problem}; refusing to replay it",
                               attempted="check restore journal",
                               fix="if you did not make it so, someone else may have planted it: "
                                   "inspect and delete it, then restore the device by hand")
        raw = fh.read(MAX_JOURNAL_BYTES + 1)
    if len(raw) > MAX_JOURNAL_BYTES:
        raise JournalError(f"journal {path} is larger than {MAX_JOURNAL_BYTES} bytes",
                           attempted="check restore journal",
                           fix="the harness never writes that much: inspect and delete it")
    return raw.decode("utf-8", errors="replace")


def read_journal(path: Path) -> JournalContents:
    """Parse and check a journal: a torn line (killed mid-write) is ignored (its number in
    ``torn``, for :func:`torn_note`); any record the
    harness could not have written refuses the whole journal (JournalError, see
    :mod:`.journal_check`); so does a file that is not ours or is writable by others."""
    contents = JournalContents()
    by_seq: dict[int, Change] = {}
    text = _read_owned(Path(path))
    if text is None:
        return contents
    for number, line in enumerate(text.splitlines(), 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            contents.torn.append(number)
            continue
        except RecursionError:
            raise Where(Path(path), number).fail("the record is nested too deeply") from None
        check_record(rec, Path(path), number)
        kind = rec["type"]
        if kind == "begin":
            if contents.snapshot is None:
                contents.snapshot = rec.get("snapshot")
                contents.run = rec.get("run") if isinstance(rec.get("run"), str) else None
                contents.started = rec.get("time") if isinstance(rec.get("time"), (int, float)) else None
        elif kind == "change":
            when = rec.get("time")
            change = Change(rec["seq"], rec["kind"], describe_undo(rec["kind"], rec["undo"]), rec["undo"],
                            rec.get("old"), when if isinstance(when, (int, float)) else 0.0)
            by_seq[change.seq] = change
            contents.changes.append(change)
        elif kind == "undone" and rec.get("seq") in by_seq:
            by_seq[rec["seq"]].undone = True
    return contents


def torn_note(path: Path, line: int) -> str:
    """The one line that says a torn journal record was ignored."""
    return (f"ignored line {line} of {Path(path).name}: a torn record (cut while it was written, as "
            "kill -9 leaves it); the check against the snapshot covers whatever it held")


def pending_journals(home: Path) -> list[tuple[str, int]]:
    """``(serial, pending changes)`` of every journal in ``HARNESS_HOME/journals`` with changes not
    undone (the serial from its ``begin`` record, else the file name); a journal that cannot be
    read or checked counts with -1."""
    folder = journal_dir(home)
    out: list[tuple[str, int]] = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        serial = path.stem
        try:
            contents = read_journal(path)
            count = len(contents.pending)
            first = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
            begin = json.loads(first) if first.startswith('{"') else {}
            if isinstance(begin, dict) and isinstance(begin.get("serial"), str):
                serial = begin["serial"][:80]
        except (JournalError, ValueError, RecursionError, OSError):
            count = -1
        if count:
            out.append((serial, count))
    return out


def in_use(home: Path, serial: str) -> bool:
    """True while a live harness process holds the device's journal lock (its session runs)."""
    return flock_held(journal_path(home, serial).with_suffix(".lock"))


def left_changed(home: Path, since: float | None = None, serial: str | None = None) -> list[tuple[str, int]]:
    """``(serial, pending changes)`` of the journals a dead session left: changes not undone and no
    live process holding the lock; only those begun at or after ``since`` (epoch seconds) and of
    ``serial`` when given. What a command names after a crash with ``harness restore --device S``
    (trial 6 finding D)."""
    out = []
    for name, count in pending_journals(home):
        if serial is not None and name != serial:
            continue
        if in_use(home, name):
            continue
        if since is not None:
            try:
                started = read_journal(journal_path(home, name)).started
            except JournalError:
                started = None
            if started is not None and started < since:
                continue
        out.append((name, count))
    return out


class Journal:
    """The journal of one device, locked for the lifetime of this object."""

    def __init__(self, home: Path, serial: str) -> None:
        self.serial = serial
        self.path = journal_path(home, serial)
        private_dir(self.path.parent)
        self._lock_path = self.path.with_suffix(".lock")
        self._lock_fd = self._take_lock()
        self._fd: int | None = None
        try:
            self._seq = max((c.seq for c in self.read().changes), default=0)
        except BaseException:
            self.close()
            raise

    def _take_lock(self) -> int:
        """Open and ``flock`` the lock file; JournalError when another process holds it. The lock
        file is removed by :meth:`close` once no journal is left (trial 6b N6), so a lock taken on
        a file that was unlinked meanwhile (opened just before the holder removed it) is no lock:
        it is dropped and taken again on the file now at the path."""
        for _ in range(LOCK_ATTEMPTS):
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                os.close(fd)
                raise JournalError(
                    "another harness run is using this device", serial=self.serial,
                    attempted="lock the device journal",
                    fix="wait for the other run to finish (or stop it); then retry",
                ) from exc
            try:
                same = os.stat(self._lock_path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return fd
            os.close(fd)  # the file was removed (or replaced) after we opened it: try the one there now
        raise JournalError("the device journal's lock file keeps being replaced", serial=self.serial,
                           attempted="lock the device journal",
                           fix="check that nothing but harness writes to HARNESS_HOME/journals; then retry")

    # -- reading ---------------------------------------------------------------------------

    def read(self) -> JournalContents:
        return read_journal(self.path)

    @property
    def stale(self) -> bool:
        """True if a previous run left changes that were never undone."""
        return bool(self.read().pending)

    # -- writing ---------------------------------------------------------------------------

    def _append(self, record: dict[str, Any]) -> None:
        # what the harness writes, it must accept when reading it back (a programming error)
        check_record(record, self.path, 0)
        line = json.dumps(record, sort_keys=True) + "\n"
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, FILE_MODE)
            os.fchmod(self._fd, FILE_MODE)
            size = os.fstat(self._fd).st_size
            if size and os.pread(self._fd, 1, size - 1) != b"\n":
                line = "\n" + line  # a torn line from a killed run stays one bad line of its own
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
            if not self.path.exists():  # no journal left (restored, or nothing recorded): no lock file either;
                # removed while still held, so a process that opened it meanwhile sees it gone (_take_lock)
                with contextlib.suppress(OSError):
                    self._lock_path.unlink()
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
