"""A run's status: how a reader decides it, and marking a closed run ``incomplete`` afterwards.

Statuses (:data:`STATUSES`): ``recording`` while a writer holds the run (its
:class:`~harness.capture.store.lock.WriterLock`), ``complete`` or ``incomplete`` as the writer
closed it (with ``status_reason`` in ``meta``). A store whose ``meta`` still says ``recording`` but
whose writer lock nobody holds was left by a crashed writer: it reads ``incomplete``. Readers
never repair the store to say so. Errors: reading the status raises nothing (an unreadable
database gives the cached status); :func:`mark_incomplete` raises
:class:`~harness.errors.StoreError` when the store cannot be written.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from harness.capture.store.lock import WriterLock
from harness.capture.store.schema import DB_NAME
from harness.errors import StoreError
from harness.fsutil import FILE_MODE

STATUSES = ("recording", "complete", "incomplete")


def stored_status(connect: Callable[[], sqlite3.Connection], cached: dict[str, Any],
                  writer_alive: Callable[[], bool]) -> str:
    """The status a reader sees: ``meta.status`` read through ``connect()`` (a read-only
    connection; ``cached["status"]`` when the database cannot be read, ``incomplete`` when the key
    is missing), with ``recording`` turned ``incomplete`` when ``writer_alive()`` is False."""
    try:
        with closing(connect()) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'status'").fetchone()
        status = json.loads(row[0]) if row else "incomplete"
    except sqlite3.Error:
        status = cached.get("status", "incomplete")
    if status == "recording" and not writer_alive():
        return "incomplete"
    return str(status)


def private_sidecars(db_path: Path) -> None:
    """Make SQLite's ``-wal`` and ``-shm`` files of ``db_path`` 0600 (SQLite creates them with the
    umask's mode), where they exist."""
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{db_path}{suffix}")
        if extra.exists():
            os.chmod(extra, FILE_MODE)


def mark_incomplete(run_dir: str | os.PathLike[str], reason: str) -> bool:
    """See :meth:`harness.capture.store.RunStore.mark_incomplete`: ``complete`` (or ``recording``
    whose writer died: a crashed pytest-xdist worker) → ``incomplete`` with ``status_reason`` =
    ``reason``, only while no writer holds the run. Returns whether the
    status changed; raises :class:`StoreError` when the store cannot be written."""
    db_path = Path(run_dir) / DB_NAME
    lock = WriterLock(Path(run_dir))
    try:
        lock.take()  # the writer's lock: no writer may be running
    except (StoreError, OSError):
        return False
    try:
        with closing(sqlite3.connect(db_path, timeout=5.0)) as db:
            changed = db.execute("UPDATE meta SET value = ? WHERE key = 'status' AND value IN (?, ?)",
                                 (json.dumps("incomplete"), json.dumps("complete"),
                                  json.dumps("recording"))).rowcount  # recording: its writer died
            if changed:
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('status_reason', ?)",
                           (json.dumps(reason),))
            db.commit()
    except sqlite3.Error as exc:
        raise StoreError(f"cannot write {db_path}: {exc}", fix="check the run directory's permissions",
                         attempted="mark run incomplete") from exc
    finally:
        lock.release()
        private_sidecars(db_path)
    return bool(changed)
