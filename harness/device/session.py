"""A device session: the only way the harness changes a device.

``with DeviceSession(device, home) as s:`` locks the device's journal, restores a stale journal
left by a killed run, takes a snapshot, and on the way out (normal end, exception, Ctrl-C, or
SIGTERM turned into one) replays the journal and verifies the device matches the snapshot.
Operations call :meth:`DeviceSession.record` *before* touching the device.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from harness.device.adb import Device
from harness.device.journal import Change, Journal, torn_note
from harness.device.restore import RestoreReport, replay
from harness.device.snapshot import take_snapshot


def _to_stderr(line: str) -> None:
    print(f"harness: {line}", file=sys.stderr, flush=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered as an exception so that cleanup runs like on Ctrl-C."""


class DeviceSession:
    def __init__(self, device: Device, home: Path, run: str | None = None,
                 handle_sigterm: bool = True, announce: Callable[[str], None] | None = None) -> None:
        """``announce(line)`` is told what a stale journal will undo *before* it is replayed
        (default: stderr), so a technician sees what runs on the device (issue 11 item 2)."""
        self.device = device
        self.announce = announce or _to_stderr
        self.home = Path(home)
        self.run = run
        self.handle_sigterm = handle_sigterm
        self.journal: Journal | None = None
        self.stale_report: RestoreReport | None = None
        self.report: RestoreReport | None = None
        self.snapshot: dict[str, Any] = {}
        self._old_sigterm: Any = None

    @property
    def serial(self) -> str:
        return self.device.serial

    def __enter__(self) -> DeviceSession:
        self.journal = Journal(self.home, self.device.serial)
        try:
            contents = self.journal.read()
            pending = contents.pending
            if pending:
                self.announce(f"{self.serial}: a previous run left {len(pending)} change(s); "
                              "undoing them first:")
                for line in contents.torn:
                    self.announce(f"  {torn_note(self.journal.path, line)}")
                for change in pending:
                    self.announce(f"  {change.describe}")
                self.stale_report = replay(self.device, self.journal)
                if not self.stale_report.ok:
                    from harness.errors import JournalError

                    raise JournalError(
                        "a previous run left changes that could not all be undone: "
                        + "; ".join(self.stale_report.failed + self.stale_report.differences),
                        serial=self.serial, attempted="restore stale journal",
                        fix="fix the device by hand (see docs/lab-guide.md) or reboot it, "
                            "then `harness restore --device SERIAL`",
                    )
            self.snapshot = take_snapshot(self.device)
            self.journal.begin(self.snapshot, self.run)
        except BaseException:
            self.journal.close()
            self.journal = None
            raise
        if self.handle_sigterm:
            self._install_sigterm()
        return self

    def _install_sigterm(self) -> None:
        def on_term(signum: int, frame: FrameType | None) -> None:
            raise Terminated()

        try:
            self._old_sigterm = signal.signal(signal.SIGTERM, on_term)
        except ValueError:  # not the main thread: the caller handles signals
            self._old_sigterm = None

    def record(self, kind: str, describe: str, undo: dict[str, Any], old: Any = None) -> Change:
        assert self.journal is not None, "session not entered"
        return self.journal.record(kind, describe, undo, old)

    def restore(self) -> RestoreReport:
        assert self.journal is not None, "session not entered"
        self.report = replay(self.device, self.journal)
        return self.report

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._old_sigterm is not None:
            signal.signal(signal.SIGTERM, self._old_sigterm)
            self._old_sigterm = None
        if self.journal is None:
            return
        try:
            if self.report is None or self.journal.read().pending:
                self.restore()
        except Exception:
            if exc is None:
                raise
            # the original error matters more; the journal is kept for `harness restore`
        finally:
            self.journal.close()
            self.journal = None
