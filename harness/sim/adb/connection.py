"""One transport connection from an adb server: handshake, packet dispatch, stream table."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.sim.adb import services
from harness.sim.adb.auth import AdbKeyError, decode_pubkey
from harness.sim.adb.stream import Stream, StreamClosed
from harness.sim.adb.wire import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_VERSION,
    A_VERSION_MIN,
    A_VERSION_SKIP_CHECKSUM,
    A_WRTE,
    AUTH_RSAPUBLICKEY,
    AUTH_SIGNATURE,
    AUTH_TOKEN,
    AUTH_TOKEN_SIZE,
    MAX_PAYLOAD,
    AdbProtocolError,
    Packet,
    command_name,
    read_packet,
)

if TYPE_CHECKING:
    from harness.sim.adb.daemon import AdbDaemon

log = logging.getLogger("harness.sim.adb")

#: signatures a host may try on one connection (adb hosts have a handful of keys)
MAX_AUTH_ATTEMPTS = 16


class Connection:
    """A TCP connection from the adb server, served by one reader thread."""

    def __init__(self, daemon: AdbDaemon, sock: socket.socket, index: int) -> None:
        self.daemon = daemon
        self.sock = sock
        self.index = index
        peer = sock.getpeername()
        self.name = f"adb connection #{index} from {peer[0]}:{peer[1]}"
        #: ``adbd`` names TCP transports ``host-N``; ``reverse --list`` shows it
        self.transport_name = f"host-{index}"
        self.version = A_VERSION_MIN
        #: largest WRTE payload both sides accept (known after CNXN)
        self.max_write = 4096
        self.online = False
        self.host_banner = ""
        self.closed = threading.Event()
        self._send_lock = threading.Lock()
        self._streams: dict[int, Stream] = {}
        self._streams_lock = threading.Lock()
        self._next_id = 1
        #: OPENs accepted whose service thread has not registered its stream yet
        self._opening = 0
        #: device-opened streams closed before the host answered; their OKAY gets a CLSE
        self._abandoned: set[int] = set()
        self._cnxn_seen = False
        #: the AUTH token we sent last (None: none outstanding)
        self._token: bytes | None = None
        self._auth_attempts = 0
        #: a trusted key signed one of our tokens on this connection
        self.authorized = False
        self.reverse = services.ReverseForwards(self)

    def __repr__(self) -> str:
        return f"<{self.name}>"

    # ---- sending ----------------------------------------------------------------------------

    def send(self, packet: Packet) -> None:
        """Send one packet (thread-safe). Raises ``OSError`` if the connection is gone."""
        data = packet.encode(with_checksum=self.version < A_VERSION_SKIP_CHECKSUM)
        with self._send_lock:
            if self.closed.is_set():
                raise ConnectionAbortedError(f"{self.name} is closed")
            try:
                self.sock.sendall(data)
            except OSError as exc:
                self.daemon.spawn(f"adb-close-{self.index}", self.close, f"send failed: {exc}")
                raise

    # ---- reader loop ------------------------------------------------------------------------

    def run(self) -> None:
        reason = "host closed the connection"
        try:
            self.sock.settimeout(self.daemon.handshake_timeout)
            while not self.closed.is_set():
                packet = read_packet(self.sock, max_payload=MAX_PAYLOAD)
                self._dispatch(packet)
        except AdbProtocolError as exc:
            reason = f"protocol error: {exc}"
            log.warning("%s: closing: %s", self.name, reason)
        except TimeoutError:
            reason = f"no CNXN within {self.daemon.handshake_timeout} s"
            log.warning("%s: closing: %s", self.name, reason)
        except (ConnectionError, OSError) as exc:
            if not self.closed.is_set():
                reason = f"connection lost: {exc}"
                log.info("%s: %s", self.name, reason)
        finally:
            self.close(reason)

    def _dispatch(self, p: Packet) -> None:
        handler: dict[int, Callable[[Packet], None]] = {
            A_CNXN: self._on_cnxn,
            A_AUTH: self._on_auth,
            A_OPEN: self._on_open,
            A_OKAY: self._on_okay,
            A_WRTE: self._on_wrte,
            A_CLSE: self._on_clse,
        }
        fn = handler.get(p.command)
        if fn is None:
            log.warning("%s: ignoring unsupported command %s", self.name, p)
            return
        if p.command not in (A_CNXN, A_AUTH) and not self.online:
            log.warning("%s: ignoring %s before the connection is online", self.name, p)
            return
        fn(p)

    def _on_cnxn(self, p: Packet) -> None:
        self._cnxn_seen = True
        self.sock.settimeout(None)
        if self.online:
            log.info("%s: host sent CNXN again; resetting streams", self.name)
            self._abort_streams()
            self.reverse.remove_all()
        self.version = min(max(p.arg0, A_VERSION_MIN), A_VERSION)
        self.max_write = max(1, min(p.arg1, MAX_PAYLOAD))
        self.host_banner = p.data.rstrip(b"\0").decode("utf-8", "replace")
        log.info(
            "%s: CNXN version=%#x maxdata=%d banner=%r",
            self.name,
            p.arg0,
            p.arg1,
            self.host_banner,
        )
        if self.daemon.mode == "unauthorized" or not (self.authorized or self.daemon.insecure):
            self._send_auth_token()
            return
        self._go_online()

    def _go_online(self) -> None:
        self.online = True
        self.send(Packet(A_CNXN, A_VERSION, MAX_PAYLOAD, self.daemon.banner().encode()))
        self.daemon.note_online(self)

    def _send_auth_token(self) -> None:
        self._token = os.urandom(AUTH_TOKEN_SIZE)
        self.send(Packet(A_AUTH, AUTH_TOKEN, 0, self._token))

    def _on_auth(self, p: Packet) -> None:
        """adbd's AUTH: a SIGNATURE of our token by a trusted key brings the connection online;
        otherwise a new token (the host tries its next key, then offers its public key)."""
        if self._token is None or self.online:
            log.warning("%s: ignoring unexpected %s", self.name, p)
            return
        if p.arg0 == AUTH_SIGNATURE:
            self._auth_attempts += 1
            if self.daemon.mode != "unauthorized" and self.daemon.trusted_keys.verify(self._token, p.data):
                log.info("%s: host signed with a trusted adb key", self.name)
                self.authorized = True
                self._token = None
                self._go_online()
            elif self._auth_attempts >= MAX_AUTH_ATTEMPTS:
                raise AdbProtocolError(f"{MAX_AUTH_ATTEMPTS} signatures without a trusted key")
            else:
                self._send_auth_token()
        elif p.arg0 == AUTH_RSAPUBLICKEY:
            self._on_public_key(p.data)
        else:
            log.warning("%s: ignoring AUTH type %d", self.name, p.arg0)

    def _on_public_key(self, data: bytes) -> None:
        # A phone would now ask its user; this daemon never accepts a key without a signature.
        try:
            key = decode_pubkey(data)
        except AdbKeyError as exc:
            log.warning("%s: host offered a bad public key: %s", self.name, exc.reason)
            return
        comment = data.rstrip(b"\0").decode("utf-8", "replace").partition(" ")[2][:80]
        if self.daemon.mode == "unauthorized":
            log.info("%s: host offered its public key (%s); unauthorized mode never accepts", self.name, comment)
        elif self.daemon.trusted_keys.knows(self.daemon.trusted_keys.keys(), key):
            log.warning("%s: host offered a trusted public key (%s) without signing with it; refused "
                        "(a public key proves nothing)", self.name, comment)
        else:
            self.daemon.refused_keys.append(comment or "no comment")
            log.warning("%s: refused an untrusted adb key (%s): the handset accepts only the starting "
                        "user's ~/.android/adbkey and keys given with --adb-key", self.name, comment)

    def _on_open(self, p: Packet) -> None:
        if p.arg0 == 0:
            log.warning("%s: ignoring OPEN with local-id 0", self.name)
            return
        if p.arg1 != 0:
            # delayed-ack OPEN; this daemon does not advertise delayed_ack
            log.warning("%s: refusing OPEN with send-buffer %d (no delayed_ack)", self.name, p.arg1)
            self._send_quietly(Packet(A_CLSE, 0, p.arg0))
            return
        name = p.data.rstrip(b"\0").decode("utf-8", "replace")
        if self.stream_count() + self._opening >= self.daemon.max_streams:
            log.warning("%s: refusing %r: %d streams open (limit %d)", self.name, name[:80],
                        self.stream_count() + self._opening, self.daemon.max_streams)
            self._send_quietly(Packet(A_CLSE, 0, p.arg0))
            return
        with self._streams_lock:
            self._opening += 1
        self.daemon.spawn(f"adb-svc-{self.index}-{p.arg0}", self._serve, name, p.arg0)

    def _serve(self, name: str, remote_id: int) -> None:
        try:
            try:
                handler = services.open_service(self, name)
            except services.ServiceRefused as exc:
                log.warning("%s: refusing service %r: %s", self.name, name[:80], exc)
                self._send_quietly(Packet(A_CLSE, 0, remote_id))
                return
            stream = self._new_stream(remote_id, name)
        finally:
            with self._streams_lock:
                self._opening -= 1
        try:
            self.send(Packet(A_OKAY, stream.local_id, remote_id))
            handler(stream)
        except StreamClosed as exc:
            log.debug("%s: %r ended: %s", self.name, stream, exc)
        except Exception:
            log.exception("%s: service %r failed", self.name, name)
        finally:
            try:
                stream.close()
            except StreamClosed:
                pass

    def _on_okay(self, p: Packet) -> None:
        stream = self._find(p.arg1)
        if stream is not None:
            stream.on_okay(p.arg0)
            return
        with self._streams_lock:
            abandoned = p.arg1 in self._abandoned
            self._abandoned.discard(p.arg1)
        if abandoned and p.arg0:
            self._send_quietly(Packet(A_CLSE, p.arg1, p.arg0))

    def _on_wrte(self, p: Packet) -> None:
        stream = self._find(p.arg1)
        if stream is None or (stream.remote_id and stream.remote_id != p.arg0):
            log.debug("%s: dropping %s for unknown stream", self.name, p)
            return
        stream.deliver(p.data)

    def _on_clse(self, p: Packet) -> None:
        stream = self._find(p.arg1)
        if stream is None:
            return
        stream.on_remote_close()
        self.forget(stream)

    # ---- streams ----------------------------------------------------------------------------

    def _new_stream(self, remote_id: int, service: str) -> Stream:
        with self._streams_lock:
            local_id = self._next_id
            self._next_id += 1
            stream = Stream(self, local_id, remote_id, service, stall_timeout=self.daemon.stall_timeout)
            self._streams[local_id] = stream
        return stream

    def open_device_stream(self, service: str) -> Stream:
        """OPEN a stream from the device to the host (reverse forwarding); the caller waits for
        ``stream.answered`` and then checks ``stream.closed``."""
        stream = self._new_stream(0, service)
        try:
            self.send(Packet(A_OPEN, stream.local_id, 0, service.encode() + b"\0"))
        except OSError:
            stream.abort()
            self.forget(stream)
        return stream

    def _find(self, local_id: int) -> Stream | None:
        with self._streams_lock:
            return self._streams.get(local_id)

    def forget(self, stream: Stream) -> None:
        with self._streams_lock:
            if self._streams.get(stream.local_id) is stream:
                del self._streams[stream.local_id]
                if stream.remote_id == 0 and not self.closed.is_set():
                    self._abandoned.add(stream.local_id)

    def stream_count(self) -> int:
        with self._streams_lock:
            return len(self._streams)

    def _abort_streams(self) -> None:
        with self._streams_lock:
            streams = list(self._streams.values())
            self._streams.clear()
        for stream in streams:
            stream.abort()

    def _send_quietly(self, packet: Packet) -> None:
        try:
            self.send(packet)
        except OSError as exc:
            log.debug("%s: could not send %s: %s", self.name, command_name(packet.command), exc)

    # ---- teardown ---------------------------------------------------------------------------

    def close(self, reason: str) -> None:
        """Drop the connection (idempotent): streams end, reverse listeners go away."""
        with self._send_lock:
            if self.closed.is_set():
                return
            self.closed.set()
        log.info("%s: closed: %s", self.name, reason)
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.online = False
        self._abort_streams()
        self.reverse.remove_all()
        self.daemon.forget_connection(self)
