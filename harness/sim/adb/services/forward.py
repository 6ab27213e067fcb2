"""``tcp:PORT``: a stream to a TCP port on the device's own loopback (``adb forward``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.sim.adb.services.base import Handler, ServiceRefused, pump

if TYPE_CHECKING:
    from harness.sim.adb.connection import Connection


def open_tcp(conn: Connection, rest: str) -> Handler:
    # "tcp:PORT" or, from old hosts, "tcp:PORT:HOST"; only the device's loopback is reachable
    port_text, _, host = rest.partition(":")
    if host and host not in ("localhost", "127.0.0.1", "::1"):
        raise ServiceRefused(f"tcp:{rest}: the virtual handset only reaches its own loopback")
    try:
        port = int(port_text)
    except ValueError:
        raise ServiceRefused(f"bad port in tcp:{rest}") from None
    if not 0 < port < 65536:
        raise ServiceRefused(f"port {port} out of range")
    try:
        sock = conn.daemon.backend.connect_device_port(port)
    except OSError as exc:
        raise ServiceRefused(f"cannot connect to device port {port}: {exc}") from exc
    return lambda stream: pump(conn, sock, stream)
