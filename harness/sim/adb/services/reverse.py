"""``reverse:``: ``adb reverse`` — device ports served by the host.

For ``reverse:forward:tcp:X;tcp:Y`` the daemon listens on a free host loopback port standing in
for the device's port X and tells the backend (``set_reverse(X, host_port)``) so the app host can
translate addresses. Each connection to that listener makes the daemon OPEN a stream *to* the
adb server with the service ``tcp:Y``; the server connects to its own port Y. Reverse forwards
belong to the connection: they end when it drops, as on a phone that is unplugged.

Replies use adbd's format: ``OKAY`` (plus a length-prefixed port for ``tcp:0``), ``FAIL`` plus a
length-prefixed message, and a length-prefixed listing for ``list-forward``.
"""

from __future__ import annotations

import logging
import socket
import threading
from typing import TYPE_CHECKING

from harness.sim.adb.services.base import Handler, pump
from harness.sim.adb.stream import Stream

if TYPE_CHECKING:
    from harness.sim.adb.connection import Connection

log = logging.getLogger("harness.sim.adb")

#: how long a device-initiated OPEN may wait for the adb server's answer
OPEN_TIMEOUT = 10.0


class ReverseError(Exception):
    """Sent to the host as ``FAIL``."""


def protocol_string(text: str) -> bytes:
    raw = text.encode()
    return f"{len(raw):04x}".encode() + raw


def _device_port(spec: str) -> int:
    kind, _, port_text = spec.partition(":")
    if kind != "tcp":
        raise ReverseError(f"cannot bind listener: the virtual handset only supports tcp: ({spec})")
    try:
        port = int(port_text)
    except ValueError:
        raise ReverseError(f"cannot bind listener: bad port in {spec}") from None
    if not 0 <= port < 65536:
        raise ReverseError(f"cannot bind listener: port out of range in {spec}")
    return port


def _close_listener(sock: socket.socket) -> None:
    # shutdown() makes Linux stop listening at once, even while accept() is blocked in a thread
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class ReverseListener:
    """A host loopback listener standing in for one device port."""

    def __init__(self, conn: Connection, device_port: int, target: str) -> None:
        self.conn = conn
        self.target = target
        self.closed = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.25)
        self.host_port: int = self.sock.getsockname()[1]
        self.device_port = device_port or self.host_port
        conn.daemon.spawn(f"adb-reverse-{self.device_port}", self._accept_loop)

    def _accept_loop(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            client.settimeout(None)
            self.conn.daemon.spawn(f"adb-reverse-conn-{self.device_port}", self._bridge, client)

    def _bridge(self, client: socket.socket) -> None:
        if self.closed.is_set():
            client.close()
            return
        stream = self.conn.open_device_stream(self.target)
        if not stream.answered.wait(OPEN_TIMEOUT) or stream.closed.is_set():
            log.warning(
                "%s: host refused or ignored reverse OPEN %r for device port %d",
                self.conn.name,
                self.target,
                self.device_port,
            )
            stream.close()
            client.close()
            return
        pump(self.conn, client, stream)

    def close(self) -> None:
        self.closed.set()
        _close_listener(self.sock)


class ReverseForwards:
    """The reverse forwards of one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()
        self._listeners: dict[str, ReverseListener] = {}

    def add(self, device_spec: str, target: str, *, norebind: bool) -> int:
        """Install (or retarget) a forward; return the device port."""
        port = _device_port(device_spec)
        with self._lock:
            existing = self._listeners.get(device_spec) if port else None
            if existing is not None:
                if norebind:
                    raise ReverseError("cannot rebind existing socket")
                existing.target = target
                return existing.device_port
            try:
                listener = ReverseListener(self.conn, port, target)
            except OSError as exc:
                raise ReverseError(f"cannot bind listener: {exc}") from exc
            self._listeners[f"tcp:{listener.device_port}"] = listener
        self._tell_backend(listener.device_port, listener.host_port)
        log.info(
            "%s: reverse tcp:%d (host 127.0.0.1:%d) -> %s",
            self.conn.name,
            listener.device_port,
            listener.host_port,
            target,
        )
        return listener.device_port

    def remove(self, device_spec: str) -> None:
        with self._lock:
            listener = self._listeners.pop(device_spec, None)
        if listener is None:
            raise ReverseError(f"listener '{device_spec}' not found")
        listener.close()
        self._tell_backend(listener.device_port, None)

    def remove_all(self) -> None:
        with self._lock:
            listeners = list(self._listeners.values())
            self._listeners.clear()
        for listener in listeners:
            listener.close()
            self._tell_backend(listener.device_port, None)

    def listing(self) -> str:
        with self._lock:
            return "".join(
                f"{self.conn.transport_name} {spec} {listener.target}\n"
                for spec, listener in self._listeners.items()
            )

    def _tell_backend(self, device_port: int, host_port: int | None) -> None:
        try:
            self.conn.daemon.backend.set_reverse(device_port, host_port)
        except Exception:
            log.exception("backend.set_reverse(%d, %r) failed", device_port, host_port)


def _answer(forwards: ReverseForwards, command: str) -> bytes:
    if command == "list-forward":
        return protocol_string(forwards.listing())
    if command == "killforward-all":
        forwards.remove_all()
        return b"OKAY"
    if command.startswith("killforward:"):
        spec = command[len("killforward:") :]
        if not spec or ";" in spec:
            raise ReverseError(f"bad killforward: {spec}")
        forwards.remove(spec)
        return b"OKAY"
    if command.startswith("forward:"):
        rest = command[len("forward:") :]
        norebind = rest.startswith("norebind:")
        if norebind:
            rest = rest[len("norebind:") :]
        pieces = rest.split(";")
        if len(pieces) != 2 or not pieces[0] or not pieces[1] or pieces[1].startswith("*"):
            raise ReverseError(f"bad forward: {rest}")
        device_port = forwards.add(pieces[0], pieces[1], norebind=norebind)
        if _device_port(pieces[0]) == 0:
            return b"OKAY" + protocol_string(str(device_port))
        return b"OKAY"
    raise ReverseError("not a reverse forwarding command")


def open_reverse(conn: Connection, command: str) -> Handler:
    def run(stream: Stream) -> None:
        try:
            reply = _answer(conn.reverse, command)
        except ReverseError as exc:
            log.warning("%s: reverse:%s failed: %s", conn.name, command, exc)
            reply = b"FAIL" + protocol_string(str(exc))
        stream.write(reply)
        stream.wait_acknowledged(2.0)

    return run
