"""Which Frida device instruments a handset.

- the virtual handset: its apps are host processes, so the **local** device (``pidof`` gives a
  host pid);
- a phone on USB: Frida's own USB backend, by adb serial (``frida.get_device(serial)``);
- frida-server reached over ``adb forward tcp:N tcp:27042`` or any other ``host:port``: a
  **remote** device. The forward itself is the device layer's job; pass a callable that creates it
  and returns the local port.
"""

from __future__ import annotations

from collections.abc import Callable

import frida
from frida.core import Device

from harness.errors import InstrumentError

FRIDA_SERVER_PORT = 27042


def local_device() -> Device:
    return frida.get_local_device()


def usb_device(serial: str | None = None, timeout: float = 5.0) -> Device:
    """A phone over Frida's USB backend; ``serial`` is the adb serial."""
    try:
        if serial is None:
            return frida.get_usb_device(timeout=int(max(1, timeout)))
        return frida.get_device(serial, timeout=int(max(1, timeout)))
    except (frida.InvalidArgumentError, frida.TimedOutError) as exc:
        raise InstrumentError(
            f"Frida sees no USB device {serial or ''}".strip() + f" ({exc})",
            fix="check `adb devices`; for frida-server over adb forward use --frida forward, "
            "for the virtual handset --frida local",
            serial=serial,
            attempted="find Frida device",
        ) from None


def remote_device(address: str, serial: str | None = None, token: str | None = None) -> Device:
    """frida-server at ``host:port`` (e.g. an ``adb forward`` on 127.0.0.1); ``token`` is the one
    it was started with (``frida-server --token``), if any."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise InstrumentError(
            f"bad frida-server address {address!r}", fix="give HOST:PORT, e.g. 127.0.0.1:27042", serial=serial
        )
    try:
        kwargs = {"token": token} if token else {}
        return frida.get_device_manager().add_remote_device(address, **kwargs)
    except frida.InvalidArgumentError as exc:
        raise InstrumentError(f"cannot add frida-server {address}: {exc}", serial=serial) from None


def forwarded_device(forward: Callable[[int], int], serial: str | None = None,
                     server_port: int = FRIDA_SERVER_PORT, token: str | None = None) -> Device:
    """frida-server on the handset through an adb forward; ``forward(server_port)`` returns the
    local port (the caller removes the forward when done)."""
    port = forward(server_port)
    return remote_device(f"127.0.0.1:{port}", serial=serial, token=token)


def resolve(kind: str, serial: str | None = None, address: str | None = None,
            forward: Callable[[int], int] | None = None, server_port: int = FRIDA_SERVER_PORT,
            token: str | None = None) -> Device:
    """``kind``: ``local``, ``usb``, ``remote`` (needs ``address``) or ``forward`` (needs ``forward``)."""
    if kind == "local":
        return local_device()
    if kind == "usb":
        return usb_device(serial)
    if kind == "remote":
        if not address:
            raise InstrumentError("--frida remote needs an address", fix="--frida-address HOST:PORT", serial=serial)
        return remote_device(address, serial=serial, token=token)
    if kind == "forward":
        if forward is None:
            raise InstrumentError("no adb forward available for this device", serial=serial)
        return forwarded_device(forward, serial=serial, server_port=server_port, token=token)
    raise InstrumentError(f"unknown Frida device kind {kind!r}", fix="use local, usb, remote or forward")
