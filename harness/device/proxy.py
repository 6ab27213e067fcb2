"""Point the device at the proxy: ``settings put global http_proxy`` plus ``adb reverse`` so the
phone reaches a proxy that listens on the host's loopback only."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.device.parse import parse_setting
from harness.device.paths import JOURNALED_SETTINGS
from harness.errors import DeviceError, UsageError

if TYPE_CHECKING:
    from harness.device.session import DeviceSession


@dataclass
class ProxySetup:
    #: what the device's ``http_proxy`` setting says
    device_address: str
    #: the host port the proxy listens on (loopback) when ``reverse`` is used
    host_port: int | None
    reverse: bool


def put_setting(session: DeviceSession, namespace: str, key: str, value: str) -> None:
    """``settings put`` with the old value journaled first, then read back."""
    device = session.device
    if key not in JOURNALED_SETTINGS.get(namespace, ()):
        raise UsageError(f"settings {namespace} {key} is not one the harness may change",
                         fix="add it to harness.device.paths.JOURNALED_SETTINGS (restore only undoes those)")
    old = parse_setting(device.sh(f"settings get {namespace} {shlex.quote(key)}").stdout)
    session.record("setting", f"settings {namespace} {key}={value} (was {old})",
                   {"namespace": namespace, "key": key, "old": old}, old=old)
    device.sh(f"settings put {namespace} {shlex.quote(key)} {shlex.quote(value)}", check=True,
              attempted=f"settings put {namespace} {key}")
    now = parse_setting(device.sh(f"settings get {namespace} {shlex.quote(key)}").stdout)
    if now != value:
        raise DeviceError(f"settings {namespace} {key} reads back {now!r}, not {value!r}",
                          serial=device.serial, attempted=f"settings put {namespace} {key}",
                          fix="a device policy (MDM, work profile) may block proxy settings")


def add_reverse(session: DeviceSession, device_port: int, host_port: int) -> None:
    device = session.device
    session.record("reverse", f"adb reverse tcp:{device_port} tcp:{host_port}",
                   {"device_port": device_port})
    device.reverse(device_port, host_port)
    if f"tcp:{device_port}" not in {r for r, _ in device.reverse_list()}:
        raise DeviceError(f"adb reverse tcp:{device_port} is not listed after adding it",
                          serial=device.serial, attempted="adb reverse",
                          fix="update adb (platform-tools) and the device; reverse needs Android 5+")


def parse_lab_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"bad proxy address {text[:80]!r}", fix="give it as HOST:PORT, e.g. 192.168.1.10:8080")
    return host.strip("[]"), int(port)


def lab_listen(text: str) -> dict[str, Any]:
    """``CaptureSession`` arguments for ``intercept --lab-proxy HOST:PORT``: the proxy listens on
    exactly the address the phone is told to use (binding fails with CaptureError when ``HOST``
    is not an address of this machine: the run is refused before the phone is touched), and the
    phone's network (HOST's /24, or /64 for IPv6) may use it without credentials, which Android's
    proxy setting cannot carry (issue 11 item 7; guard: harness.capture.exposure)."""
    import ipaddress

    from harness.capture.exposure import ProxyAccess

    host, port = parse_lab_address(text)
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(f"--lab-proxy {text[:80]!r}: give this machine's IP address on the lab network",
                         fix="e.g. --lab-proxy 192.168.1.10:8080 (see `ip addr`)") from None
    if addr.is_loopback or addr.is_unspecified:
        raise UsageError(f"--lab-proxy {text[:80]!r} is not an address a phone on the lab network can reach",
                         fix="omit --lab-proxy (adb reverse to loopback is the default) or give the LAN address")
    net = ipaddress.ip_network(f"{host}/{24 if addr.version == 4 else 64}", strict=False)
    return {"listen_host": host, "port": port, "access": ProxyAccess.make(None, [str(net)])}


def setup_proxy(session: DeviceSession, host_port: int, *, device_port: int | None = None,
                lab_address: str | None = None) -> ProxySetup:
    """Route the device's HTTP(S) through the proxy.

    By default the device uses ``127.0.0.1:<device_port>`` and ``adb reverse`` carries it to the
    proxy on the host's loopback ``host_port``. ``lab_address`` (``HOST:PORT`` on the lab network)
    is used as is, without reverse; only when explicitly asked for.
    """
    if lab_address:
        host, port = parse_lab_address(lab_address)
        put_setting(session, "global", "http_proxy", f"{host}:{port}")
        return ProxySetup(f"{host}:{port}", None, reverse=False)
    dport = device_port or host_port
    add_reverse(session, dport, host_port)
    put_setting(session, "global", "http_proxy", f"127.0.0.1:{dport}")
    return ProxySetup(f"127.0.0.1:{dport}", host_port, reverse=True)
