"""The virtual handset's adbd: a loopback TCP server speaking the ADB transport protocol.

The stock adb server attaches it with ``adb connect 127.0.0.1:PORT``; from then on adb and
adbutils use it like a phone. Everything Android-specific is asked of a
:class:`~harness.sim.backend.DeviceBackend`.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from harness.errors import SimError
from harness.sim.adb.auth import TrustedKeys
from harness.sim.adb.connection import Connection
from harness.sim.adb.features import filter_banner
from harness.sim.adb.threads import ThreadGroup
from harness.sim.backend import DeviceBackend

log = logging.getLogger("harness.sim.adb")

MODES = ("device", "unauthorized", "drop")
#: adb probes these ports for emulators; a daemon there would show up twice
EMULATOR_PORTS = range(5555, 5586)


class AdbDaemon:
    """Serve ``backend`` as an ADB device on ``host:port``.

    ``mode``: ``"device"`` (a host that signs the AUTH token with a trusted key gets in),
    ``"unauthorized"`` (sends AUTH tokens and never accepts a key: ``adb devices`` shows
    ``unauthorized``) or ``"drop"`` (closes every connection at once: a device that is gone).
    ``trusted_keys``: who may connect (default: the starting user's ``~/.android/adbkey``, see
    :mod:`harness.sim.adb.auth`). ``insecure=True`` skips AUTH for every client (tests that drive
    the protocol by hand); it is logged as a warning. ``on_reboot(target)`` is called for
    ``adb reboot`` (default: ``backend.reboot`` if the backend has one).
    """

    def __init__(
        self,
        backend: DeviceBackend,
        host: str = "127.0.0.1",
        port: int = 0,
        mode: str = "device",
        *,
        on_reboot: Callable[[str], Any] | None = None,
        handshake_timeout: float = 10.0,
        stall_timeout: float = 120.0,
        restart_delay: float = 0.5,
        reboot_delay: float = 2.0,
        trusted_keys: TrustedKeys | None = None,
        insecure: bool = False,
        max_streams: int = 256,
        max_connections: int = 64,
    ) -> None:
        _check_mode(mode)
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise SimError(
                f"ADB daemon address {host!r} is not a loopback address",
                fix="use 127.0.0.1 (or another 127.x.y.z); the virtual handset never listens on a network",
            )
        if port in EMULATOR_PORTS:
            raise SimError(
                f"port {port} is in adb's emulator scan range 5555-5585",
                fix="use port=0 (a free port) or a port outside 5555-5585",
            )
        self.backend = backend
        self.host = host
        self._requested_port = port
        self._mode = mode
        self._on_reboot = on_reboot
        self.handshake_timeout = handshake_timeout
        self.stall_timeout = stall_timeout
        self.restart_delay = restart_delay
        self.reboot_delay = reboot_delay
        self.trusted_keys = trusted_keys or TrustedKeys()
        #: the comments (user@host) of adb keys this daemon refused, newest last (for a clear error)
        self.refused_keys: list[str] = []
        self.insecure = insecure
        #: open streams allowed per connection (adbd has no such cap; a fuzzer made 1 500 threads)
        self.max_streams = max_streams
        #: connections served at once (each has a reader thread); more are closed at once
        self.max_connections = max_connections
        self._threads = ThreadGroup()
        self._lock = threading.Condition()
        self._connections: set[Connection] = set()
        self._online: set[Connection] = set()
        self._counter = 0
        self._down_until = 0.0
        self._sock: socket.socket | None = None
        self._port = 0
        self._stopping = threading.Event()
        self._logged_dropped: tuple[str, ...] | None = None
        #: threads still running after the last :meth:`stop` (should be empty)
        self.leaked_threads: list[str] = []

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> AdbDaemon:
        if self._sock is not None:
            raise SimError("ADB daemon already started", serial=self.serial)
        self._stopping.clear()
        self._sock = self._bind()
        self._port = self._sock.getsockname()[1]
        self._threads.spawn(f"adb-accept-{self._port}", self._accept_loop, self._sock)
        log.info("adbd listening on %s (mode %s)", self.serial, self._mode)
        if self.insecure:
            log.warning("adbd %s: INSECURE: any local client may connect without an adb key "
                        "(apps it installs run as this user)", self.serial)
        return self

    def _bind(self) -> socket.socket:
        for _ in range(8):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, self._requested_port))
            except OSError as exc:
                sock.close()
                raise SimError(
                    f"cannot listen on {self.host}:{self._requested_port}: {exc.strerror}",
                    fix="choose another port or stop what is using it",
                    attempted="start ADB daemon",
                ) from exc
            if sock.getsockname()[1] not in EMULATOR_PORTS:
                sock.listen(16)
                sock.settimeout(0.25)
                return sock
            sock.close()
        raise SimError("no free port outside adb's emulator range", attempted="start ADB daemon")

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listener and every connection; join all threads within ``timeout``."""
        self._stopping.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # stop listening now, not at the next poll
            except OSError:
                pass
            sock.close()
        self.drop_connections("daemon stopped")
        leaked = self._threads.join(timeout)
        self.leaked_threads = [t.name for t in leaked]
        if leaked:
            log.warning("adbd %s: threads still running after stop: %s", self.serial, self.leaked_threads)

    def __enter__(self) -> AdbDaemon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- facts ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port or self._requested_port

    @property
    def serial(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def reboot_hook(self) -> Callable[[str], Any] | None:
        return self._on_reboot or getattr(self.backend, "reboot", None)

    def banner(self) -> str:
        text, dropped = filter_banner(self.backend.banner())
        if dropped and tuple(dropped) != self._logged_dropped:
            self._logged_dropped = tuple(dropped)
            log.info("adbd %s: not advertising unimplemented features %s", self.serial, dropped)
        return text

    def online_connections(self) -> int:
        with self._lock:
            return len(self._online)

    def wait_online(self, timeout: float = 10.0) -> bool:
        """Wait until an adb server has completed the handshake (CNXN) with this daemon."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._online:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    # ---- test controls ----------------------------------------------------------------------

    def set_mode(self, mode: str, *, drop: bool = True) -> None:
        """Switch mode; by default drop current connections so the host sees the new mode."""
        _check_mode(mode)
        self._mode = mode
        log.info("adbd %s: mode %s", self.serial, mode)
        if drop:
            self.drop_connections(f"mode changed to {mode}")

    def drop_connections(self, reason: str = "dropped on request") -> int:
        """Close every connection now (the device disappears mid-operation); return how many."""
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            conn.close(reason)
        return len(conns)

    def restart_adbd(self, reason: str, down_for: float | None = None) -> None:
        """adbd restarts: connections drop and new ones are refused for ``down_for`` seconds.
        The adb server retries TCP devices 250 ms after a drop and then every 3 s."""
        delay = self.restart_delay if down_for is None else down_for
        self._down_until = time.monotonic() + delay
        log.info("adbd %s restarting (%s), down for %.1f s", self.serial, reason, delay)
        self.drop_connections(f"adbd restarting ({reason})")

    # ---- internals used by connections ------------------------------------------------------

    def spawn(self, name: str, target: Callable[..., Any], *args: Any) -> threading.Thread:
        return self._threads.spawn(name, target, *args)

    def note_online(self, conn: Connection) -> None:
        with self._lock:
            if conn in self._connections:
                self._online.add(conn)
            self._lock.notify_all()

    def forget_connection(self, conn: Connection) -> None:
        with self._lock:
            self._connections.discard(conn)
            self._online.discard(conn)
            self._lock.notify_all()

    def _accept_loop(self, sock: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            client.settimeout(None)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            refuse = None
            if self._stopping.is_set():
                refuse = "daemon stopping"
            elif self._mode == "drop":
                refuse = "drop mode"
            elif time.monotonic() < self._down_until:
                refuse = "adbd restarting"
            elif len(self._connections) >= self.max_connections:
                refuse = f"{self.max_connections} connections already"
            if refuse:
                log.info("adbd %s: closing new connection at once (%s)", self.serial, refuse)
                client.close()
                continue
            with self._lock:
                self._counter += 1
                conn = Connection(self, client, self._counter)
                self._connections.add(conn)
            self._threads.spawn(f"adb-conn-{self._port}-{conn.index}", conn.run)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise SimError(f"unknown ADB daemon mode {mode!r}", fix=f"use one of {', '.join(MODES)}")
