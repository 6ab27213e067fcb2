"""The :class:`RunStore` object: creating and opening a run's store, the write API, closing.

A store is built with :meth:`RunStore.create` (the writer: it takes the run's
:class:`~harness.capture.store.lock.WriterLock`, creates the database and starts a
:class:`~harness.capture.store.writer.StoreWriter` thread) or :meth:`RunStore.open` (read-only).
Every ``add_*``/``set_meta``/step call checks the store is writable, open and without a write
error, and queues the write; :meth:`RunStore.flush` waits for the commit. Reads come from
:class:`~harness.capture.store.reads.StoreReads`. Errors: :class:`~harness.errors.StoreError`.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from harness import __version__
from harness.capture.records import AgentEvent, FlowRecord, WsMessage
from harness.capture.store import status as _status
from harness.capture.store.artifacts import artifact_row, write_artifact
from harness.capture.store.lock import WriterLock
from harness.capture.store.reads import StoreReads
from harness.capture.store.schema import (
    ARTIFACTS_DIR,
    DB_NAME,
    END_STEP,
    INSERT_ARTIFACT,
    INSERT_EVENT,
    INSERT_FLOW,
    INSERT_META,
    INSERT_STEP,
    INSERT_WS,
    SCHEMA,
    SCHEMA_VERSION,
    event_row,
    flow_row,
    meta_text,
    read_meta,
    ws_row,
)
from harness.capture.store.writer import BuildError, ErrorCallback, StoreWriter
from harness.errors import StoreError
from harness.fsutil import private_dir, private_file

logger = logging.getLogger(__name__)


class RunStore(StoreReads):
    """A run's durable store. Build with :meth:`create` (writer) or :meth:`open` (read-only)."""

    def __init__(self, run_dir: Path, *, writable: bool) -> None:
        self.run_dir = run_dir
        self.db_path = run_dir / DB_NAME
        self.writable = writable
        self._meta_cache: dict[str, Any] = {}
        self._closed = False
        self._writer = StoreWriter(self.db_path)
        self._lock = WriterLock(run_dir)
        self._artifact_lock = threading.Lock()

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        run_dir: str | os.PathLike[str],
        meta: dict[str, Any] | None = None,
        *,
        on_error: ErrorCallback | None = None,
        commit_interval: float = 0.2,
        max_page_count: int | None = None,
    ) -> RunStore:
        """Create a new store in ``run_dir`` (made 0700) with status ``recording``.

        ``on_error`` is called (from the writer thread) with a :class:`StoreError` when a write
        fails. ``max_page_count`` caps the database size (SQLite then reports "database or disk
        is full"); tests use it to provoke a real write failure.
        """
        if not 0 < commit_interval <= 0.2:
            raise StoreError(f"commit_interval {commit_interval} out of range",
                             fix="use a value in (0, 0.2] seconds")
        path = Path(run_dir)
        try:
            private_dir(path)
            private_dir(path / ARTIFACTS_DIR)
            if (path / DB_NAME).exists():
                raise StoreError(f"{path / DB_NAME} already exists",
                                 fix="record into a new run directory", attempted="create run store")
            private_file(path / DB_NAME)
        except OSError as exc:
            raise StoreError(f"cannot create run directory {path}: {exc.strerror or exc}",
                             fix="choose a writable location with free space",
                             attempted="create run store") from exc
        store = cls(path, writable=True)
        store._writer.on_error = on_error
        store._writer.commit_interval = commit_interval
        store._lock.take()
        now = time.time()
        initial = {
            "schema_version": SCHEMA_VERSION,
            "run_id": path.name,
            "harness_version": __version__,
            "created_at": now,
            "writer_pid": os.getpid(),
            **(meta or {}),
            "status": "recording",
        }
        try:
            with closing(sqlite3.connect(store.db_path)) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(SCHEMA)
                db.executemany(INSERT_META, [(k, meta_text(v)) for k, v in initial.items()])
                db.commit()
        except sqlite3.Error as exc:
            store._lock.release()
            raise StoreError(f"cannot initialise {store.db_path}: {exc}",
                             fix="check free space and permissions of the run directory",
                             attempted="create run store") from exc
        store._meta_cache = dict(initial)
        store._writer.start(f"runstore-{path.name}", max_page_count)
        return store

    @classmethod
    def open(cls, run_dir: str | os.PathLike[str]) -> RunStore:
        """Open an existing store read-only (also one whose writer crashed)."""
        path = Path(run_dir)
        if not (path / DB_NAME).is_file():
            raise StoreError(f"no run store at {path}", fix="pass a run directory made by `harness record`",
                             attempted="open run store")
        store = cls(path, writable=False)
        try:
            with closing(store.connect_readonly()) as db:
                store._meta_cache = read_meta(db)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read {path / DB_NAME}: {exc}", fix="check the file is a harness run store",
                             attempted="open run store") from exc
        return store

    def writer_alive(self) -> bool:
        """True while some process holds this run's writer lock."""
        return self._lock.alive()

    # -- queueing -------------------------------------------------------------------------------

    def _submit(self, op: Callable[[sqlite3.Connection], object]) -> None:
        if not self.writable:
            raise StoreError(f"{self.run_dir} is open read-only", fix="use RunStore.create to record",
                             attempted="write to run store")
        if self._writer.error is not None:
            raise self._writer.error
        if self._closed:
            raise StoreError(f"run store {self.run_dir} is closed", attempted="write to run store")
        self._writer.put(op)

    def set_error_callback(self, on_error: ErrorCallback | None) -> None:
        """Call ``on_error`` (from the writer thread) when a write fails."""
        self._writer.on_error = on_error

    @property
    def error(self) -> StoreError | None:
        """The write error that stopped this store, if any."""
        return self._writer.error

    # -- writes ---------------------------------------------------------------------------------

    def add_flow(self, record: FlowRecord) -> None:
        self._submit(lambda db: db.execute(INSERT_FLOW, flow_row(record)))

    def add_flow_from(self, build: Callable[[], FlowRecord],
                      then: Callable[[FlowRecord], object] | None = None) -> None:
        """Like :meth:`add_flow`, but ``build()`` makes the record in the writer thread (so a
        proxy's event loop only queues it); ``then(record)`` runs there after the insert.

        ``build`` must only read objects nobody changes any more. If it raises, the store fails
        like on a write error (the recorder then stops the proxy): a flow is never dropped quietly.
        """
        def op(db: sqlite3.Connection) -> None:
            try:
                record = build()
            except Exception as exc:  # noqa: BLE001 - reported as a store failure, see above
                raise BuildError(exc) from exc
            db.execute(INSERT_FLOW, flow_row(record))
            if then is not None:
                try:
                    then(record)
                except Exception:  # noqa: BLE001 - a display callback must not stop recording
                    logger.exception("flow callback failed")

        self._submit(op)

    def call(self, fn: Callable[[], object]) -> None:
        """Run ``fn()`` in the writer thread, in order with the writes (its exceptions are logged)."""
        def op(_db: sqlite3.Connection) -> None:
            try:
                fn()
            except Exception:  # noqa: BLE001 - see above
                logger.exception("store call failed")

        self._submit(op)

    def add_commit_hook(self, hook: Callable[[], object]) -> None:
        """Call ``hook()`` in the writer thread after every commit (at least every 200 ms while
        writing, and before a :meth:`flush` returns); e.g. to hand a side file to the OS."""
        self._writer.commit_hooks.append(hook)

    def remove_commit_hook(self, hook: Callable[[], object]) -> None:
        if hook in self._writer.commit_hooks:
            self._writer.commit_hooks.remove(hook)

    def add_ws_message(self, msg: WsMessage) -> None:
        row = ws_row(msg)
        self._submit(lambda db: db.execute(INSERT_WS, row))

    def add_event(self, event: AgentEvent) -> None:
        self._submit(lambda db: db.execute(INSERT_EVENT, event_row(event)))

    def begin_step(
        self, step_id: str, name: str, action: str | None = None, info: dict[str, Any] | None = None,
        *, started_at: float | None = None,
    ) -> None:
        row = (step_id, name, action, json.dumps(info or {}, default=str), started_at or time.time())
        self._submit(lambda db: db.execute(INSERT_STEP, row))

    def end_step(self, step_id: str, *, ended_at: float | None = None) -> None:
        row = (ended_at or time.time(), step_id)
        self._submit(lambda db: db.execute(END_STEP, row))

    def set_meta(self, key: str, value: Any) -> None:
        text = meta_text(value)
        self._submit(lambda db: db.execute(INSERT_META, (key, text)))
        self._meta_cache[key] = json.loads(text)

    def add_artifact(
        self, name: str, data: bytes | str | os.PathLike[str], kind: str, step_id: str | None = None,
    ) -> Path:
        """Keep ``data`` (bytes, or the file at a path) as ``artifacts/<name>`` (0600); returns its path.

        An existing name gets a numeric suffix, never overwritten
        (:func:`~harness.capture.store.artifacts.write_artifact`).
        """
        target = write_artifact(self.run_dir, name, data, self._artifact_lock)
        row = artifact_row(target, kind, step_id)
        self._submit(lambda db: db.execute(INSERT_ARTIFACT, row))
        return target

    # -- flush and close ------------------------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything submitted so far is committed; raises the store's error if any."""
        if self.writable and not self._closed:
            if not self._writer.flush(timeout):
                raise StoreError(f"run store did not commit within {timeout} s",
                                 fix="check the disk is not stalled", attempted="flush run store")
        if self._writer.error is not None:
            raise self._writer.error

    def close(self, status: str = "complete", reason: str | None = None, timeout: float = 10.0) -> None:
        """Write the final status, commit everything and stop the writer. Idempotent."""
        if not self.writable or self._closed:
            return
        if status not in ("complete", "incomplete"):
            raise ValueError(f"close status must be 'complete' or 'incomplete', not {status!r}")
        if self._writer.error is not None:
            status, reason = "incomplete", reason or self._writer.error.reason
        try:
            self.set_meta("status", status)
            self.set_meta("closed_at", time.time())
            if reason is not None:
                self.set_meta("status_reason", reason)
        except StoreError:
            pass
        self._closed = True
        self._writer.stop(timeout)
        self._lock.release()
        _status.private_sidecars(self.db_path)

    @classmethod
    def mark_incomplete(cls, run_dir: str | os.PathLike[str], reason: str) -> bool:
        """Change a closed run's status from ``complete`` to ``incomplete`` with ``reason`` (the
        ``status_reason``): for a run whose session was stopped by a signal after the run had closed
        (a ``harness run`` session has one status everywhere), or a run whose writer died while
        ``recording`` (a crashed pytest-xdist worker). ``closed_at`` and everything recorded are
        kept. False (nothing changed) when the run is ``incomplete`` already or a writer still
        holds it. Raises :class:`~harness.errors.StoreError` when the store cannot be written."""
        return _status.mark_incomplete(run_dir, reason)

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.close("complete" if exc_type is None else "incomplete")

    # -- status and meta ------------------------------------------------------------------------

    @property
    def status(self) -> str:
        """``recording`` (a live writer), ``complete``, or ``incomplete`` (closed so, or crashed)."""
        if self.writable:
            return str(self._meta_cache.get("status", "recording")) if self._closed else "recording"
        return _status.stored_status(self.connect_readonly, self._meta_cache, self.writer_alive)

    def meta(self) -> dict[str, Any]:
        """The run's ``meta`` (the writer's own copy while writing, else read from the database)."""
        if self.writable:
            return dict(self._meta_cache)
        with closing(self.connect_readonly()) as db:
            return read_meta(db)
