"""``shell:``, ``shell,v2,...:`` and ``exec:``: run a command in the backend's shell.

Raw (``shell:``/``exec:``): stdout and stderr go to the stream unframed, no exit code; the host
closing the stream is the end of stdin. Shell protocol (``v2`` argument): every chunk is a packet
``[id:1][length:4 LE][data]`` with ids 0 stdin, 1 stdout, 2 stderr, 3 exit (one byte),
4 close-stdin, 5 window-size change.
"""

from __future__ import annotations

import logging
import struct
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.sim.adb.services.base import Handler, ServiceRefused
from harness.sim.adb.stream import Stream, StreamClosed, StreamReader
from harness.sim.backend import ShellIO

if TYPE_CHECKING:
    from harness.sim.adb.connection import Connection

log = logging.getLogger("harness.sim.adb")

ID_STDIN = 0
ID_STDOUT = 1
ID_STDERR = 2
ID_EXIT = 3
ID_CLOSE_STDIN = 4
ID_WINDOW_SIZE = 5
PACKET_HEADER = struct.Struct("<BI")

#: stdin bytes buffered for a command that is not reading; beyond this the host is held back
STDIN_BUFFER = 1024 * 1024
#: shell-protocol packets are read at most this much at a time
STDIN_PIECE = 64 * 1024


def open_shell(conn: Connection, spec: str) -> Handler:
    """``spec`` is what follows ``shell``: ``[,arg...]:command``."""
    args, sep, command = spec.partition(":")
    if not sep:
        raise ServiceRefused(f"no ':' in shell service arguments {spec!r}")
    flags = [a for a in args.split(",") if a]
    for flag in flags:
        if flag not in ("v2", "raw", "pty") and not flag.startswith("TERM="):
            log.warning("ignoring unknown shell service argument %r", flag)
    if "v2" in flags:
        return lambda stream: run_shell_protocol(conn, stream, command)
    return lambda stream: run_raw(conn, stream, command)


def open_exec(conn: Connection, command: str) -> Handler:
    return lambda stream: run_raw(conn, stream, command)


class _RawStdin:
    """stdin of a raw session: the stream's inbound bytes; EOF when the host closes it."""

    def __init__(self, stream: Stream) -> None:
        self._reader = StreamReader(stream)
        self._pending = b""

    def read(self, n: int = -1) -> bytes:
        data = self._pending or self._reader.read_some()
        if n is None or n < 0 or len(data) <= n:
            self._pending = b""
            return data
        self._pending = data[n:]
        return data[:n]


class _StdinPipe:
    """stdin of a shell-protocol session, fed by the packet demultiplexer."""

    def __init__(self, closed: threading.Event) -> None:
        self._buf = bytearray()
        self._eof = False
        self._closed = closed
        self._cond = threading.Condition()

    def feed(self, data: bytes) -> None:
        with self._cond:
            while len(self._buf) >= STDIN_BUFFER and not self._eof and not self._closed.is_set():
                self._cond.wait(0.5)
            self._buf += data
            self._cond.notify_all()

    def finish(self) -> None:
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def read(self, n: int = -1) -> bytes:
        with self._cond:
            while not self._buf and not self._eof and not self._closed.is_set():
                self._cond.wait(0.5)
            if n is None or n < 0:
                n = len(self._buf)
            data = bytes(self._buf[:n])
            del self._buf[:n]
            self._cond.notify_all()
            return data


def _writer(stream: Stream, packet_id: int | None) -> Callable[[bytes], None]:
    """A ``write_stdout``/``write_stderr`` for ShellIO. After the host closed the stream the
    output is discarded (the command is expected to notice ``io.closed``)."""
    limit = max(1, stream.conn.max_write - PACKET_HEADER.size)

    def write(data: bytes) -> None:
        raw = data.encode() if isinstance(data, str) else bytes(data)
        try:
            if packet_id is None:
                stream.write(raw)
                return
            for start in range(0, len(raw), limit):
                chunk = raw[start : start + limit]
                stream.write(PACKET_HEADER.pack(packet_id, len(chunk)) + chunk)
        except StreamClosed:
            pass

    return write


def _run_backend(conn: Connection, command: str, io: ShellIO, stderr: Callable[[bytes], None]) -> int:
    try:
        return int(conn.daemon.backend.shell(command, io))
    except Exception as exc:
        log.exception("backend shell failed on %r", command)
        stderr(f"{command.split(' ', 1)[0] or 'sh'}: internal error: {exc}\n".encode())
        return 255


def run_raw(conn: Connection, stream: Stream, command: str) -> None:
    out = _writer(stream, None)
    io = ShellIO(
        stdin=_RawStdin(stream),
        write_stdout=out,
        write_stderr=out,
        closed=stream.closed,
        separate_stderr=False,
    )
    _run_backend(conn, command, io, out)


def run_shell_protocol(conn: Connection, stream: Stream, command: str) -> None:
    stdin = _StdinPipe(stream.closed)

    def demux() -> None:
        reader = StreamReader(stream)
        try:
            while True:
                packet_id, length = PACKET_HEADER.unpack(reader.read_exact(PACKET_HEADER.size))
                if packet_id == ID_STDIN:
                    while length:  # in pieces: a packet may announce up to 4 GiB
                        piece = reader.read_exact(min(length, STDIN_PIECE))
                        stdin.feed(piece)
                        length -= len(piece)
                    continue
                data = reader.read_exact(min(length, STDIN_PIECE))
                if length > STDIN_PIECE:
                    log.warning("%r: shell packet id %d of %d bytes; closing", stream, packet_id, length)
                    break
                if packet_id == ID_STDIN:
                    stdin.feed(data)
                elif packet_id == ID_CLOSE_STDIN:
                    stdin.finish()
                elif packet_id == ID_WINDOW_SIZE:
                    log.debug("%r: window size %r (no pty)", stream, data)
                else:
                    log.warning("%r: ignoring shell packet id %d", stream, packet_id)
        except (EOFError, StreamClosed):
            pass
        finally:
            stdin.finish()

    conn.daemon.spawn(f"adb-shell-in-{conn.index}-{stream.local_id}", demux)
    err = _writer(stream, ID_STDERR)
    io = ShellIO(
        stdin=stdin,
        write_stdout=_writer(stream, ID_STDOUT),
        write_stderr=err,
        closed=stream.closed,
        separate_stderr=True,
    )
    code = _run_backend(conn, command, io, err)
    if not stream.closed.is_set():
        stream.write(PACKET_HEADER.pack(ID_EXIT, 1) + bytes([code & 0xFF]))
