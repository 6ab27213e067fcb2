"""``flows.mitm``: mitmproxy's own flow file, written off the proxy's event loop.

The file is a sequence of tnetstrings of ``flow.get_state()`` (what ``mitmproxy.io.FlowWriter``
writes), so ``mitmweb -r`` / ``mitmdump -r`` open it. The proxy thread only takes the state; the
encoding and the disk write happen in a writer thread that hands data to the OS at least every
200 ms. After a crash the last record may be torn: :func:`read_mitm` stops cleanly there.
"""

from __future__ import annotations

import copy
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mitmproxy import connection, exceptions, flow, http, io, version
from mitmproxy.io import tnetstring

from harness.errors import StoreError
from harness.fsutil import FILE_MODE

_STOP = object()
#: the writer waits this long after the first queued item before writing the batch (< 200 ms)
BATCH_DELAY = 0.05


class FlowStates:
    """``flow.get_state()`` for HTTP flows, reusing connection states per connection.

    Most of the cost of mitmproxy's ``get_state`` is serialising the client and server
    connections, which are the same for every request on a keep-alive connection. This builds the
    same dictionary (checked against ``get_state`` in the tests) but serialises a connection again
    only when its identity or lifecycle facts change. Anything unusual falls back to
    ``get_state``.
    """

    def __init__(self, max_conns: int = 4096) -> None:
        self._cache: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}
        self._max = max_conns

    def _conn(self, conn: connection.Connection) -> dict[str, Any]:
        key = (conn.state, conn.timestamp_end, conn.timestamp_tls_setup, conn.peername, conn.sockname,
               conn.sni, conn.alpn, conn.tls_version, conn.error,
               conn.address if isinstance(conn, connection.Server) else None)  # Client.address is deprecated
        hit = self._cache.get(conn.id)
        if hit is not None and hit[0] == key:
            return hit[1]
        state = conn.get_state()
        if len(self._cache) >= self._max:
            self._cache.clear()
        self._cache[conn.id] = (key, state)
        return state

    def forget(self, conn_id: str) -> None:
        self._cache.pop(conn_id, None)

    def state(self, f: flow.Flow) -> dict[str, Any]:
        if not isinstance(f, http.HTTPFlow) or f._backup is not None or version.FLOW_FORMAT_VERSION != 21:
            return f.get_state()
        return {
            "version": version.FLOW_FORMAT_VERSION,
            "type": f.type,
            "id": f.id,
            "error": f.error.get_state() if f.error else None,
            "client_conn": self._conn(f.client_conn),
            "server_conn": self._conn(f.server_conn),
            "intercepted": f.intercepted,
            "is_replay": f.is_replay,
            "marked": f.marked,
            "metadata": copy.deepcopy(f.metadata),
            "comment": f.comment,
            "timestamp_created": f.timestamp_created,
            "backup": None,
            "request": f.request.get_state(),
            "response": f.response.get_state() if f.response else None,
            "websocket": f.websocket.get_state() if f.websocket else None,
        }


class MitmFileWriter:
    """Appends flow states to a ``.mitm`` file from a background thread.

    ``threaded=False``: no thread of its own; the owner calls :meth:`write_state` and
    :meth:`flush_buffer` from one thread (the recorder does so from the run store's writer thread,
    flushing after each store commit, so one thread wakes up per batch instead of two).
    """

    def __init__(
        self, path: str | os.PathLike[str], *, on_error: Callable[[StoreError], None] | None = None,
        flush_interval: float = 0.2, threaded: bool = True,
    ) -> None:
        self.path = Path(path)
        self._closed = False
        self._on_error = on_error
        self._flush_interval = flush_interval
        self.error: StoreError | None = None
        self.written = 0
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
            if self.path.is_file():
                os.fchmod(fd, FILE_MODE)
            self._fo = os.fdopen(fd, "ab", buffering=256 * 1024)
        except OSError as exc:
            raise StoreError(f"cannot open {self.path}: {exc.strerror or exc}",
                             fix="choose a writable run directory with free space",
                             attempted="open flows.mitm") from exc
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._memo: dict[int, tuple[dict[str, Any], bytes]] = {}
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="mitmfile-writer", daemon=True)
            self._thread.start()

    def write_state(self, state: dict[str, Any]) -> None:
        """Encode and write one state now (``threaded=False``); an error stops the writer, never raises."""
        if self.error is not None or self._closed:
            return
        try:
            self._fo.write(self.encode(state))
            self.written += 1
        except (OSError, ValueError) as exc:
            self._fail(exc)

    def flush_buffer(self) -> None:
        """Hand what was written to the OS (``threaded=False``); an error stops the writer."""
        if not self._closed:
            self._flush()

    def add_state(self, state: dict[str, Any]) -> None:
        """Queue one ``flow.get_state()`` for writing (cheap; call from the event loop); with
        ``threaded=False`` write it now. Raises the writer's error, if any."""
        if self.error is not None:
            raise self.error
        if self._thread is None:
            self.write_state(state)
        else:
            self._queue.put(state)

    def add(self, f: flow.Flow) -> None:
        self.add_state(f.get_state())

    def _run(self) -> None:
        stop = False
        while not stop:
            item = self._queue.get()
            deadline = time.monotonic() + self._flush_interval
            if item is not _STOP and not isinstance(item, threading.Event):
                time.sleep(BATCH_DELAY)  # let a batch gather: fewer writes and thread wake-ups
            while True:
                if item is _STOP:
                    stop = True
                elif isinstance(item, threading.Event):
                    self._flush()
                    item.set()
                elif self.error is None:
                    try:
                        self._fo.write(self.encode(item))
                        self.written += 1
                    except (OSError, ValueError) as exc:
                        self._fail(exc)
                if stop or time.monotonic() >= deadline:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            self._flush()
        try:
            self._fo.close()
        except OSError as exc:
            self._fail(exc)

    def encode(self, state: dict[str, Any]) -> bytes:
        """``tnetstring.dumps(state)``, reusing the encoding of connection states seen before.

        :class:`FlowStates` hands out the same connection-state object while a connection is
        unchanged; its encoding is memoised by identity (the memo keeps the object alive).
        """
        if not isinstance(state, dict) or state.get("type") != "http":
            return tnetstring.dumps(state)
        parts = []
        for key, value in reversed(state.items()):  # tnetstring writes dict items last to first
            parts.append(tnetstring.dumps(key))
            if key in ("client_conn", "server_conn") and isinstance(value, dict):
                hit = self._memo.get(id(value))
                if hit is None or hit[0] is not value:
                    if len(self._memo) >= 4096:
                        self._memo.clear()
                    hit = (value, tnetstring.dumps(value))
                    self._memo[id(value)] = hit
                parts.append(hit[1])
            else:
                parts.append(tnetstring.dumps(value))
        body = b"".join(parts)
        return b"%d:%s}" % (len(body), body)

    def _flush(self) -> None:
        if self.error is not None:
            return
        try:
            self._fo.flush()
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if self.error is not None:
            return
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.error = StoreError(f"cannot write {self.path}: {reason}",
                                fix="free disk space or fix permissions, then record a new run",
                                attempted="record into flows.mitm")
        if self._on_error is not None:
            try:
                self._on_error(self.error)
            except Exception:  # noqa: BLE001 - the callback must not kill the writer
                pass

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything queued is handed to the OS; raises the write error, if any.
        (``threaded=False``: flushes the buffer in the calling thread.)"""
        if self._thread is None:
            self.flush_buffer()
            if self.error is not None:
                raise self.error
            return
        done = threading.Event()
        self._queue.put(done)
        if not done.wait(timeout):
            raise StoreError(f"{self.path} was not written within {timeout} s", attempted="flush flows.mitm")
        if self.error is not None:
            raise self.error

    def close(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            if not self._closed:
                self._closed = True
                try:
                    self._fo.close()
                except OSError as exc:
                    self._fail(exc)
            return
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)


@dataclass
class MitmReadResult:
    flows: list[flow.Flow]
    #: True if the file ends in a partial record (a crash while writing)
    torn: bool
    error: str | None = None


def iter_mitm(path: str | os.PathLike[str], torn: list[str] | None = None) -> Iterator[flow.Flow]:
    """Yield the flows of a ``.mitm`` file, stopping cleanly at a torn last record.

    If ``torn`` is given, the read error at the tear (if any) is appended to it.
    """
    with open(path, "rb") as fo:
        reader = io.FlowReader(fo)
        try:
            yield from reader.stream()
        except exceptions.FlowReadException as exc:
            if torn is not None:
                torn.append(str(exc))


def read_mitm(path: str | os.PathLike[str]) -> MitmReadResult:
    """All complete flows of a ``.mitm`` file and whether it ended in a tear."""
    errors: list[str] = []
    flows = list(iter_mitm(path, errors))
    return MitmReadResult(flows=flows, torn=bool(errors), error=errors[0] if errors else None)
