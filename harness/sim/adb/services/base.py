"""Shared pieces of the device services."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.sim.adb.stream import Stream, StreamClosed

if TYPE_CHECKING:
    from harness.sim.adb.connection import Connection

log = logging.getLogger("harness.sim.adb")

#: A service body: runs in the stream's thread; the daemon closes the stream afterwards.
Handler = Callable[[Stream], None]


class ServiceRefused(Exception):
    """The OPEN is answered with CLSE; the message is logged."""


def pump(conn: Connection, sock: socket.socket, stream: Stream) -> None:
    """Copy bytes both ways between a TCP socket and a stream until either side ends.

    The socket-to-stream half runs in a helper thread; this call returns when both ended.
    """
    done = threading.Event()

    def upstream() -> None:
        try:
            while True:
                data = sock.recv(conn.max_write)
                if not data:
                    break
                stream.write(data)
        except (OSError, StreamClosed) as exc:
            log.debug("%r: socket side ended: %s", stream, exc)
        finally:
            stream.close()
            done.set()

    conn.daemon.spawn(f"adb-pump-{conn.index}-{stream.local_id}", upstream)
    try:
        while True:
            data = stream.read()
            if not data:
                break
            sock.sendall(data)
    except OSError as exc:
        log.debug("%r: stream side ended: %s", stream, exc)
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
        stream.close()
        done.wait(timeout=5.0)
