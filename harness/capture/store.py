"""The durable run store: one SQLite database (WAL mode) per run directory.

Writes are thread-safe: every ``add_*`` call enqueues to one writer thread which commits at least
every ``commit_interval`` seconds (200 ms by default; sooner whenever its queue runs empty), so a
flow handed to the store one second before the process is killed is on disk. Readers use a
read-only connection: they never repair, checkpoint or block the writer, and they work on the
store of a crashed run (its status reads ``incomplete``).

Whether a writer is alive is decided by an advisory lock (``RUN_DIR/.store.lock``) that the writing
process holds for the lifetime of the store; the kernel drops it when that process dies.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import queue
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

from harness import __version__
from harness.capture.records import AgentEvent, Artifact, FlowRecord, Step, WsMessage
from harness.errors import StoreError
from harness.fsutil import FILE_MODE, private_dir, private_file

logger = logging.getLogger(__name__)

DB_NAME = "store.sqlite"
MITM_NAME = "flows.mitm"
ARTIFACTS_DIR = "artifacts"
LOCK_NAME = ".store.lock"
SCHEMA_VERSION = 1

#: columns of the ``flows`` table, in order (also the Parquet/CSV export schema)
FLOW_COLUMNS = (
    "seq", "id", "kind", "step_id", "started_at", "ended_at", "client_ip", "client_port",
    "server_host", "server_ip", "server_port", "sni", "tls_version", "alpn", "http_version",
    "method", "scheme", "host", "port", "path", "url", "status_code", "reason",
    "request_headers", "response_headers", "request_body", "response_body",
    "request_body_size", "response_body_size", "request_body_truncated",
    "response_body_truncated", "body_cap", "error", "extra",
)
EVENT_COLUMNS = ("seq", "id", "type", "source", "step_id", "timestamp", "pid", "thread", "payload", "data")
WS_COLUMNS = ("seq", "flow_id", "step_id", "timestamp", "from_client", "is_text", "content", "size", "truncated")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS flows (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, step_id TEXT,
    started_at REAL, ended_at REAL, client_ip TEXT, client_port INTEGER,
    server_host TEXT, server_ip TEXT, server_port INTEGER, sni TEXT, tls_version TEXT, alpn TEXT,
    http_version TEXT, method TEXT, scheme TEXT, host TEXT, port INTEGER, path TEXT, url TEXT,
    status_code INTEGER, reason TEXT, request_headers TEXT NOT NULL, response_headers TEXT NOT NULL,
    request_body BLOB, response_body BLOB, request_body_size INTEGER, response_body_size INTEGER,
    request_body_truncated INTEGER NOT NULL, response_body_truncated INTEGER NOT NULL,
    body_cap INTEGER NOT NULL, error TEXT, extra TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ws_messages (
    seq INTEGER PRIMARY KEY, flow_id TEXT NOT NULL, step_id TEXT, timestamp REAL NOT NULL,
    from_client INTEGER NOT NULL, is_text INTEGER NOT NULL, content BLOB, size INTEGER NOT NULL,
    truncated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL,
    step_id TEXT, timestamp REAL NOT NULL, pid INTEGER, thread TEXT, payload TEXT NOT NULL, data BLOB
);
CREATE TABLE IF NOT EXISTS steps (
    ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, action TEXT,
    info TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL
);
CREATE TABLE IF NOT EXISTS artifacts (
    seq INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL,
    size INTEGER NOT NULL, created_at REAL NOT NULL, step_id TEXT
);
"""

_INSERT_FLOW = f"INSERT INTO flows ({', '.join(FLOW_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(FLOW_COLUMNS) - 1))})"
_INSERT_WS = f"INSERT INTO ws_messages ({', '.join(WS_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(WS_COLUMNS) - 1))})"
_INSERT_EVENT = f"INSERT INTO events ({', '.join(EVENT_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(EVENT_COLUMNS) - 1))})"

STATUSES = ("recording", "complete", "incomplete")

ErrorCallback = Callable[[StoreError], None]


def _flow_row(r: FlowRecord) -> tuple[Any, ...]:
    return (
        r.id, r.kind, r.step_id, r.started_at, r.ended_at, r.client_ip, r.client_port,
        r.server_host, r.server_ip, r.server_port, r.sni, r.tls_version, r.alpn, r.http_version,
        r.method, r.scheme, r.host, r.port, r.path, r.url, r.status_code, r.reason,
        json.dumps(r.request_headers), json.dumps(r.response_headers),
        r.request_body, r.response_body, r.request_body_size, r.response_body_size,
        int(r.request_body_truncated), int(r.response_body_truncated), r.body_cap, r.error,
        json.dumps(r.extra, default=str),
    )


def flow_from_row(row: sqlite3.Row) -> FlowRecord:
    d = dict(row)
    d["request_headers"] = [tuple(p) for p in json.loads(d["request_headers"])]
    d["response_headers"] = [tuple(p) for p in json.loads(d["response_headers"])]
    d["request_body_truncated"] = bool(d["request_body_truncated"])
    d["response_body_truncated"] = bool(d["response_body_truncated"])
    d["extra"] = json.loads(d["extra"])
    return FlowRecord(**d)


class _Flush:
    """Queue marker: the writer commits, then sets the event."""

    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()


class _BuildError(Exception):
    """A record builder given to :meth:`RunStore.add_flow_from` raised (its cause)."""


#: the writer waits this long after the first queued item before writing the batch (< 200 ms)
BATCH_DELAY = 0.05


class RunStore:
    """A run's durable store. Build with :meth:`create` (writer) or :meth:`open` (read-only)."""

    def __init__(self, run_dir: Path, *, writable: bool) -> None:
        self.run_dir = run_dir
        self.db_path = run_dir / DB_NAME
        self.writable = writable
        self._meta_cache: dict[str, Any] = {}
        self._error: StoreError | None = None
        self._closed = False
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock_fd: int | None = None
        self._on_error: ErrorCallback | None = None
        self._commit_interval = 0.2
        self._artifact_lock = threading.Lock()
        self._commit_hooks: list[Callable[[], object]] = []

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
        store._on_error = on_error
        store._commit_interval = commit_interval
        store._take_lock()
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
                db.executescript(_SCHEMA)
                db.executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    [(k, json.dumps(v, default=str)) for k, v in initial.items()],
                )
                db.commit()
        except sqlite3.Error as exc:
            store._release_lock()
            raise StoreError(f"cannot initialise {store.db_path}: {exc}",
                             fix="check free space and permissions of the run directory",
                             attempted="create run store") from exc
        store._meta_cache = dict(initial)
        store._thread = threading.Thread(
            target=store._writer, args=(max_page_count,), name=f"runstore-{path.name}", daemon=True
        )
        store._thread.start()
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
                store._meta_cache = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read {path / DB_NAME}: {exc}", fix="check the file is a harness run store",
                             attempted="open run store") from exc
        return store

    def connect_readonly(self) -> sqlite3.Connection:
        """A new read-only connection (rows as :class:`sqlite3.Row`); the caller closes it."""
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, check_same_thread=False, timeout=5.0)
        db.row_factory = sqlite3.Row
        return db

    # -- writer lock ----------------------------------------------------------------------------

    def _take_lock(self) -> None:
        fd = os.open(self.run_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise StoreError(f"another process is recording into {self.run_dir}",
                             fix="record into a new run directory", attempted="create run store") from exc
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def writer_alive(self) -> bool:
        """True while some process holds this run's writer lock."""
        if self._lock_fd is not None:
            return True
        try:
            fd = os.open(self.run_dir / LOCK_NAME, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    # -- writer thread --------------------------------------------------------------------------

    def _writer(self, max_page_count: int | None) -> None:
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
            deadline = time.monotonic() + self._commit_interval
            if item is not _STOP and not isinstance(item, _Flush):
                time.sleep(BATCH_DELAY)  # let a batch gather: fewer commits and thread wake-ups
            while True:
                if item is _STOP:
                    stop = True
                elif isinstance(item, _Flush):
                    flushes.append(item)
                elif self._error is None and db is not None:
                    try:
                        item(db)
                    except (sqlite3.Error, OSError) as exc:
                        self._fail(exc, "write")
                    except _BuildError as exc:
                        self._fail(exc.__cause__ or exc, "build a flow record for")
                if stop or time.monotonic() >= deadline:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if self._error is None and db is not None:
                try:
                    db.commit()
                except (sqlite3.Error, OSError) as exc:
                    self._fail(exc, "commit")
            for hook in self._commit_hooks:
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
        if self._error is not None:
            return
        err = StoreError(f"cannot {what} {self.db_path}: {exc}",
                         fix="free disk space or fix permissions, then record a new run",
                         attempted="record into run store")
        self._error = err
        if self._on_error is not None:
            try:
                self._on_error(err)
            except Exception:  # noqa: BLE001 - the callback must not kill the writer
                pass

    def _submit(self, op: Callable[[sqlite3.Connection], object]) -> None:
        if not self.writable:
            raise StoreError(f"{self.run_dir} is open read-only", fix="use RunStore.create to record",
                             attempted="write to run store")
        if self._error is not None:
            raise self._error
        if self._closed:
            raise StoreError(f"run store {self.run_dir} is closed", attempted="write to run store")
        self._queue.put(op)

    def set_error_callback(self, on_error: ErrorCallback | None) -> None:
        """Call ``on_error`` (from the writer thread) when a write fails."""
        self._on_error = on_error

    @property
    def error(self) -> StoreError | None:
        """The write error that stopped this store, if any."""
        return self._error

    # -- writes ---------------------------------------------------------------------------------

    def add_flow(self, record: FlowRecord) -> None:
        self._submit(lambda db: db.execute(_INSERT_FLOW, _flow_row(record)))

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
                raise _BuildError(exc) from exc
            db.execute(_INSERT_FLOW, _flow_row(record))
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
        self._commit_hooks.append(hook)

    def remove_commit_hook(self, hook: Callable[[], object]) -> None:
        if hook in self._commit_hooks:
            self._commit_hooks.remove(hook)

    def add_ws_message(self, msg: WsMessage) -> None:
        row = (msg.flow_id, msg.step_id, msg.timestamp, int(msg.from_client), int(msg.is_text),
               msg.content, msg.size, int(msg.truncated))
        self._submit(lambda db: db.execute(_INSERT_WS, row))

    def add_event(self, event: AgentEvent) -> None:
        def op(db: sqlite3.Connection) -> None:
            db.execute(_INSERT_EVENT, (
                event.id, event.type, event.source, event.step_id, event.timestamp, event.pid,
                event.thread, json.dumps(event.payload, default=str), event.data,
            ))
        self._submit(op)

    def begin_step(
        self, step_id: str, name: str, action: str | None = None, info: dict[str, Any] | None = None,
        *, started_at: float | None = None,
    ) -> None:
        row = (step_id, name, action, json.dumps(info or {}, default=str), started_at or time.time())
        self._submit(lambda db: db.execute(
            "INSERT OR REPLACE INTO steps (id, name, action, info, started_at) VALUES (?, ?, ?, ?, ?)", row))

    def end_step(self, step_id: str, *, ended_at: float | None = None) -> None:
        row = (ended_at or time.time(), step_id)
        self._submit(lambda db: db.execute("UPDATE steps SET ended_at = ? WHERE id = ?", row))

    def set_meta(self, key: str, value: Any) -> None:
        text = json.dumps(value, default=str)
        self._submit(lambda db: db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, text)))
        self._meta_cache[key] = json.loads(text)

    def add_artifact(
        self, name: str, data: bytes | str | os.PathLike[str], kind: str, step_id: str | None = None,
    ) -> Path:
        """Keep ``data`` (bytes, or the file at a path) as ``artifacts/<name>`` (0600); returns its path.

        An existing name gets a numeric suffix, never overwritten.
        """
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).name).lstrip(".") or "artifact"
        folder = self.run_dir / ARTIFACTS_DIR
        with self._artifact_lock:
            target = folder / safe
            n = 1
            while target.exists():
                stem, dot, suffix = safe.partition(".")
                target = folder / f"{stem}-{n}{dot}{suffix}"
                n += 1
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
                with os.fdopen(fd, "wb") as out:
                    if isinstance(data, bytes):
                        out.write(data)
                    else:
                        with open(data, "rb") as src:
                            shutil.copyfileobj(src, out)
            except OSError as exc:
                raise StoreError(f"cannot write artifact {target}: {exc.strerror or exc}",
                                 fix="free disk space or fix permissions", attempted="add artifact") from exc
        row = (target.name, kind, f"{ARTIFACTS_DIR}/{target.name}", target.stat().st_size, time.time(), step_id)
        self._submit(lambda db: db.execute(
            "INSERT INTO artifacts (name, kind, path, size, created_at, step_id) VALUES (?, ?, ?, ?, ?, ?)", row))
        return target

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything submitted so far is committed; raises the store's error if any."""
        if self.writable and not self._closed:
            marker = _Flush()
            self._queue.put(marker)
            if not marker.done.wait(timeout):
                raise StoreError(f"run store did not commit within {timeout} s",
                                 fix="check the disk is not stalled", attempted="flush run store")
        if self._error is not None:
            raise self._error

    def close(self, status: str = "complete", reason: str | None = None, timeout: float = 10.0) -> None:
        """Write the final status, commit everything and stop the writer. Idempotent."""
        if not self.writable or self._closed:
            return
        if status not in ("complete", "incomplete"):
            raise ValueError(f"close status must be 'complete' or 'incomplete', not {status!r}")
        if self._error is not None:
            status, reason = "incomplete", reason or self._error.reason
        try:
            self.set_meta("status", status)
            self.set_meta("closed_at", time.time())
            if reason is not None:
                self.set_meta("status_reason", reason)
        except StoreError:
            pass
        self._closed = True
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join(timeout)
        self._release_lock()
        for suffix in ("-wal", "-shm"):
            extra = Path(f"{self.db_path}{suffix}")
            if extra.exists():
                os.chmod(extra, FILE_MODE)

    @classmethod
    def mark_incomplete(cls, run_dir: str | os.PathLike[str], reason: str) -> bool:
        """Change a closed run's status from ``complete`` to ``incomplete`` with ``reason`` (the
        ``status_reason``): for a run whose session was stopped by a signal after the run had closed
        (a ``harness run`` session has one status everywhere), or a run whose writer died while
        ``recording`` (a crashed pytest-xdist worker). ``closed_at`` and everything recorded
        are kept. False (nothing changed) when the run is ``incomplete`` already or a writer still
        holds it. Raises :class:`~harness.errors.StoreError` when the store cannot be written."""
        store = cls(Path(run_dir), writable=False)
        try:
            store._take_lock()  # the writer's lock: no writer may be running
        except (StoreError, OSError):
            return False
        try:
            with closing(sqlite3.connect(store.db_path, timeout=5.0)) as db:
                changed = db.execute("UPDATE meta SET value = ? WHERE key = 'status' AND value IN (?, ?)",
                                     (json.dumps("incomplete"), json.dumps("complete"),
                                      json.dumps("recording"))).rowcount  # recording: its writer died
                if changed:
                    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('status_reason', ?)",
                               (json.dumps(reason),))
                db.commit()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write {store.db_path}: {exc}", fix="check the run directory's permissions",
                             attempted="mark run incomplete") from exc
        finally:
            store._release_lock()
            for suffix in ("-wal", "-shm"):
                extra = Path(f"{store.db_path}{suffix}")
                if extra.exists():
                    os.chmod(extra, FILE_MODE)
        return bool(changed)

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.close("complete" if exc_type is None else "incomplete")

    # -- reads ----------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        """``recording`` (a live writer), ``complete``, or ``incomplete`` (closed so, or crashed)."""
        if self.writable:
            return str(self._meta_cache.get("status", "recording")) if self._closed else "recording"
        try:
            with closing(self.connect_readonly()) as db:
                row = db.execute("SELECT value FROM meta WHERE key = 'status'").fetchone()
            status = json.loads(row[0]) if row else "incomplete"
        except sqlite3.Error:
            status = self._meta_cache.get("status", "incomplete")
        if status == "recording" and not self.writer_alive():
            return "incomplete"
        return str(status)

    def meta(self) -> dict[str, Any]:
        if self.writable:
            return dict(self._meta_cache)
        with closing(self.connect_readonly()) as db:
            return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[sqlite3.Row]:
        with closing(self.connect_readonly()) as db:
            yield from db.execute(sql, params)

    def iter_flows(self, kind: str | None = None) -> Iterator[FlowRecord]:
        """Flows in completion order (``seq``); optionally only one kind."""
        if kind is None:
            rows = self._rows("SELECT * FROM flows ORDER BY seq")
        else:
            rows = self._rows("SELECT * FROM flows WHERE kind = ? ORDER BY seq", (kind,))
        for row in rows:
            yield flow_from_row(row)

    def get_flow(self, flow_id: str) -> FlowRecord | None:
        for row in self._rows("SELECT * FROM flows WHERE id = ? ORDER BY seq DESC LIMIT 1", (flow_id,)):
            return flow_from_row(row)
        return None

    def count_flows(self) -> int:
        for row in self._rows("SELECT count(*) FROM flows"):
            return int(row[0])
        return 0

    def iter_ws_messages(self, flow_id: str | None = None) -> Iterator[WsMessage]:
        if flow_id is None:
            rows = self._rows("SELECT * FROM ws_messages ORDER BY seq")
        else:
            rows = self._rows("SELECT * FROM ws_messages WHERE flow_id = ? ORDER BY seq", (flow_id,))
        for row in rows:
            d = dict(row)
            for b in ("from_client", "is_text", "truncated"):
                d[b] = bool(d[b])
            yield WsMessage(**d)

    def iter_events(self, type_prefix: str | None = None) -> Iterator[AgentEvent]:
        """Events in arrival order; ``type_prefix`` e.g. ``"crypto:"`` filters by type."""
        if type_prefix is None:
            rows = self._rows("SELECT * FROM events ORDER BY seq")
        else:
            rows = self._rows("SELECT * FROM events WHERE type LIKE ? ORDER BY seq",
                              (type_prefix.replace("%", r"\%") + "%",))
        for row in rows:
            d = dict(row)
            d["payload"] = json.loads(d["payload"])
            yield AgentEvent(**d)

    def steps(self) -> list[Step]:
        out = []
        for row in self._rows("SELECT * FROM steps ORDER BY ord"):
            d = dict(row)
            d.pop("ord")
            d["info"] = json.loads(d["info"])
            out.append(Step(**d))
        return out

    def artifacts(self) -> list[Artifact]:
        out = []
        for row in self._rows("SELECT * FROM artifacts ORDER BY seq"):
            d = dict(row)
            d.pop("seq")
            out.append(Artifact(**d))
        return out
