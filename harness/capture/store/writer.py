"""The run store's writer thread and its queue: the one place a run's database is written.

An operation is a callable ``op(db)`` on the writer's own :class:`sqlite3.Connection` (WAL mode,
``synchronous=NORMAL``: a commit is in the OS once written, so it survives a process kill). The
thread takes the first queued operation, waits :data:`BATCH_DELAY` (50 ms) so a batch gathers,
runs what is queued until ``commit_interval`` (at most 200 ms) has passed or the queue is empty,
commits, runs the commit hooks and wakes the :meth:`StoreWriter.flush` calls that were queued.

Errors: the first :class:`sqlite3.Error` or :class:`OSError` of an operation or commit (disk full,
permissions), or any exception of a record builder (wrapped in :class:`BuildError`), becomes the
writer's :attr:`~StoreWriter.error` (a :class:`~harness.errors.StoreError`) and is handed once to
``on_error`` (from the writer thread); later operations are skipped, never half-written. Exceptions
of a commit hook or of ``on_error`` are logged or ignored: they never stop the writer.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.errors import StoreError

logger = logging.getLogger(__name__)

ErrorCallback = Callable[[StoreError], None]

#: the writer waits this long after the first queued item before writing the batch (< 200 ms)
BATCH_DELAY = 0.05


class _Flush:
    """Queue marker: the writer commits, then sets the event."""

    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()


class BuildError(Exception):
    """A record builder given to :meth:`RunStore.add_flow_from` raised (its cause)."""


class StoreWriter:
    """The queue and writer thread of one database file (``db_path``).

    ``commit_interval`` (seconds, in (0, 0.2]) and ``on_error`` may be set before :meth:`start`;
    ``commit_hooks`` are called (in the writer thread) after every commit."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.commit_interval = 0.2
        self.on_error: ErrorCallback | None = None
        self.error: StoreError | None = None
        self.commit_hooks: list[Callable[[], object]] = []
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self, name: str, max_page_count: int | None = None) -> None:
        """Start the (daemon) writer thread; ``max_page_count`` caps the database's size."""
        self._thread = threading.Thread(target=self._run, args=(max_page_count,), name=name, daemon=True)
        self._thread.start()

    def put(self, op: Callable[[sqlite3.Connection], object]) -> None:
        """Queue ``op(db)`` (the caller checks the store is open and has no error)."""
        self._queue.put(op)

    def flush(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds until everything queued so far is committed (or skipped
        after an error); False when that did not happen in time."""
        marker = _Flush()
        self._queue.put(marker)
        return marker.done.wait(timeout)

    def stop(self, timeout: float) -> None:
        """Commit what is queued, close the connection and end the thread (waits up to
        ``timeout`` seconds for it; a stalled disk leaves the daemon thread behind)."""
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, max_page_count: int | None) -> None:
        db: sqlite3.Connection | None = None
        try:
            db = sqlite3.connect(self.db_path, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a commit is in the OS once written; survives a process kill
            db.execute("PRAGMA synchronous=NORMAL")
            if max_page_count:
                db.execute(f"PRAGMA max_page_count={int(max_page_count)}")
        except sqlite3.Error as exc:
            self._fail(exc, "open the database")
        stop = False
        while not stop:
            item = self._queue.get()
            flushes: list[_Flush] = []
            deadline = time.monotonic() + self.commit_interval
            if item is not _STOP and not isinstance(item, _Flush):
                time.sleep(BATCH_DELAY)  # let a batch gather: fewer commits and thread wake-ups
            while True:
                if item is _STOP:
                    stop = True
                elif isinstance(item, _Flush):
                    flushes.append(item)
                elif self.error is None and db is not None:
                    try:
                        item(db)
                    except (sqlite3.Error, OSError) as exc:
                        self._fail(exc, "write")
                    except BuildError as exc:
                        self._fail(exc.__cause__ or exc, "build a flow record for")
                if stop or time.monotonic() >= deadline:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if self.error is None and db is not None:
                try:
                    db.commit()
                except (sqlite3.Error, OSError) as exc:
                    self._fail(exc, "commit")
            for hook in self.commit_hooks:
                try:
                    hook()
                except Exception:  # noqa: BLE001 - a hook must not stop the writer
                    logger.exception("commit hook failed")
            for f in flushes:
                f.done.set()
        if db is not None:
            try:
                db.close()
            except sqlite3.Error:
                pass

    def _fail(self, exc: BaseException, what: str) -> None:
        if self.error is not None:
            return
        err = StoreError(f"cannot {what} {self.db_path}: {exc}",
                         fix="free disk space or fix permissions, then record a new run",
                         attempted="record into run store")
        self.error = err
        if self.on_error is not None:
            try:
                self.on_error(err)
            except Exception:  # noqa: BLE001 - the callback must not kill the writer
                pass
