"""The run store's writer lock: whether a process is writing into a run directory.

The writing process holds an exclusive advisory lock (``flock``) on ``RUN_DIR/.store.lock`` (made
0600) for the lifetime of its store; the kernel drops it when that process dies, so a reader
tells a live recording from a crashed one without any stale-lock cleanup. Errors:
:meth:`WriterLock.take` raises :class:`~harness.errors.StoreError` when another process holds
the lock; :meth:`WriterLock.alive` raises nothing (no lock file = no writer).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from harness.capture.store.schema import LOCK_NAME
from harness.errors import StoreError
from harness.fsutil import FILE_MODE, flock_held


class WriterLock:
    """The lock file of one run directory; :meth:`take` holds it until :meth:`release`."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def take(self) -> None:
        """Hold the lock (without waiting). Raises :class:`StoreError` when another process holds
        it, :class:`OSError` when the lock file cannot be opened."""
        fd = os.open(self.run_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise StoreError(f"another process is recording into {self.run_dir}",
                             fix="record into a new run directory", attempted="create run store") from exc
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (nothing when not held)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def alive(self) -> bool:
        """True while some process (this one included) holds the lock."""
        if self._fd is not None:
            return True
        return flock_held(self.run_dir / LOCK_NAME)
