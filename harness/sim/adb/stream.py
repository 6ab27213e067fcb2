"""One ADB stream (OPEN ... CLSE) with the transport's flow control.

Outbound: one WRTE in flight; the next waits for the peer's OKAY. Inbound: each WRTE from the
host is acknowledged with OKAY when a service has taken it off the queue, so a slow consumer
(a file being written) holds the host back instead of filling memory.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import TYPE_CHECKING

from harness.sim.adb.wire import A_CLSE, A_OKAY, A_WRTE, Packet

if TYPE_CHECKING:
    from harness.sim.adb.connection import Connection

log = logging.getLogger("harness.sim.adb")


class StreamClosed(BrokenPipeError):
    """The stream was closed (by the host, by the daemon, or with its connection)."""


class Stream:
    """A stream as seen from the device side.

    ``local_id`` is the daemon's id, ``remote_id`` the host's (0 until the host's first OKAY for a
    stream the device opened).
    """

    def __init__(
        self,
        conn: Connection,
        local_id: int,
        remote_id: int,
        service: str,
        *,
        stall_timeout: float,
    ) -> None:
        self.conn = conn
        self.local_id = local_id
        self.remote_id = remote_id
        self.service = service
        self.stall_timeout = stall_timeout
        #: set once either side closed the stream
        self.closed = threading.Event()
        #: set when the host answered a device-initiated OPEN (OKAY or CLSE)
        self.answered = threading.Event()
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._inbound: collections.deque[bytes] = collections.deque()
        # A host-opened stream may be written to at once (the OPEN is its READY).
        self._ready = remote_id != 0
        self._remote_closed = False
        self._local_closed = False
        if remote_id:
            self.answered.set()

    def __repr__(self) -> str:
        return f"<Stream {self.local_id}->{self.remote_id} {self.service!r}>"

    # ---- called by the connection's reader thread -------------------------------------------

    def deliver(self, data: bytes) -> None:
        """Queue a host WRTE. As adbd, one write per stream is outstanding: a host must wait for
        our OKAY before the next WRTE. A host that does not is held here, on the connection's
        reader thread, until the service took the previous write (or the stream closed), so the
        daemon reads nothing more from that connection meanwhile and its memory stays bounded
        (issue 12: 1.3 GB from unacknowledged writes before)."""
        with self._cond:
            while self._inbound and not (self._local_closed or self._remote_closed):
                self._cond.wait(1.0)
            if self._local_closed or self._remote_closed:
                return
            self._inbound.append(data)
            self._cond.notify_all()

    def on_okay(self, remote_id: int) -> None:
        with self._cond:
            if self.remote_id == 0:
                self.remote_id = remote_id
            self._ready = True
            self._cond.notify_all()
        self.answered.set()

    def on_remote_close(self) -> None:
        """The host sent CLSE. As adbd does, answer with our own CLSE unless we already closed
        (clients that talk to adbd directly wait for it before their next request)."""
        with self._cond:
            answer = not self._local_closed and not self._remote_closed and self.remote_id != 0
            self._remote_closed = True
            self.closed.set()
            self._cond.notify_all()
        self.answered.set()
        if answer:
            try:
                self.conn.send(Packet(A_CLSE, self.local_id, self.remote_id))
            except OSError as exc:
                log.debug("%r: could not answer CLSE: %s", self, exc)

    @property
    def remote_closed(self) -> bool:
        return self._remote_closed

    # ---- used by services -------------------------------------------------------------------

    def read(self, timeout: float | None = None) -> bytes:
        """Next chunk the host wrote; ``b""`` once the stream is closed and drained.

        Blocks until data or close (both come when the connection drops or the daemon stops);
        with ``timeout`` raises ``TimeoutError`` instead of waiting longer.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._inbound and not self.closed.is_set():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"no data on {self!r} within {timeout} s")
                self._cond.wait(remaining if remaining is not None else 1.0)
            if self._local_closed or not self._inbound:
                return b""
            data = self._inbound.popleft()
            self._cond.notify_all()  # a reader thread held in deliver() may go on
            acknowledge = not self.closed.is_set()
        if acknowledge:
            self._send(Packet(A_OKAY, self.local_id, self.remote_id))
        return data

    def write(self, data: bytes) -> None:
        """Send ``data`` in WRTE packets, each after the host acknowledged the previous one.

        Raises :class:`StreamClosed` if the stream is or becomes closed, or if the host did not
        acknowledge within ``stall_timeout`` seconds (the stream is then closed).
        """
        view = memoryview(data)
        with self._write_lock:
            for start in range(0, len(view), self.conn.max_write):
                chunk = bytes(view[start : start + self.conn.max_write])
                self._wait_ready()
                self._send(Packet(A_WRTE, self.local_id, self.remote_id, chunk))

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.stall_timeout
        with self._cond:
            while not self._ready and not self.closed.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            if self.closed.is_set():
                raise StreamClosed(f"{self!r} is closed")
            if not self._ready:
                stalled = True
            else:
                self._ready = False
                stalled = False
        if stalled:
            log.warning("closing %r: host sent no OKAY for %.0f s", self, self.stall_timeout)
            self.close()
            raise StreamClosed(f"{self!r} stalled: no OKAY from the host")

    def wait_acknowledged(self, timeout: float) -> bool:
        """Wait until the host acknowledged the last WRTE (or the stream closed)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._ready and not self.closed.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def close(self) -> None:
        """Close from the device side (sends CLSE unless the host closed first). Idempotent."""
        with self._cond:
            if self._local_closed:
                return
            self._local_closed = True
            tell_host = not self._remote_closed and self.remote_id != 0
            self.closed.set()
            self._cond.notify_all()
        self.answered.set()
        if tell_host:
            self._send(Packet(A_CLSE, self.local_id, self.remote_id))
        self.conn.forget(self)

    def abort(self) -> None:
        """The connection is gone: mark closed without sending anything."""
        with self._cond:
            self._remote_closed = True
            self._local_closed = True
            self.closed.set()
            self._cond.notify_all()
        self.answered.set()

    def _send(self, packet: Packet) -> None:
        try:
            self.conn.send(packet)
        except OSError as exc:
            self.abort()
            raise StreamClosed(f"{self!r}: connection lost ({exc})") from exc


class StreamReader:
    """Byte-exact reads over a stream's chunks (the sync protocol needs them)."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self._buf = bytearray()

    def read_exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            chunk = self.stream.read()
            if not chunk:
                raise EOFError(f"stream ended after {len(self._buf)} of {n} bytes")
            self._buf += chunk
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    def read_some(self) -> bytes:
        """Whatever is buffered, else the next chunk; ``b""`` at end of stream."""
        if self._buf:
            data = bytes(self._buf)
            self._buf.clear()
            return data
        return self.stream.read()


class BufferedWriter:
    """Coalesces small writes into full-size WRTE packets; call :meth:`flush` at message ends."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self._buf = bytearray()

    def write(self, data: bytes) -> None:
        self._buf += data
        limit = self.stream.conn.max_write
        if len(self._buf) >= limit:
            whole = len(self._buf) - len(self._buf) % limit
            self.stream.write(bytes(self._buf[:whole]))
            del self._buf[:whole]

    def flush(self) -> None:
        if self._buf:
            data = bytes(self._buf)
            self._buf.clear()
            self.stream.write(data)
