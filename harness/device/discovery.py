"""Which devices an adb server offers, with a one-line summary each (``harness devices``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from harness.device.adb import AdbServer, Device, ensure_server
from harness.errors import DeviceError


@dataclass
class DeviceSummary:
    serial: str
    state: str
    server: str
    model: str | None = None
    android_version: str | None = None
    api_level: int | None = None
    abi: str | None = None
    miui_region: str | None = None
    country: str | None = None
    root_method: str | None = None
    frida_server: str | None = None  # "running 17.2.3", "stopped", or None when unknown
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def summarize(device: Device, state: str = "device") -> DeviceSummary:
    from harness.device.frida_server import server_pids

    s = DeviceSummary(device.serial, state, str(device.server))
    props = device.props()
    s.model = props.get("ro.product.model")
    s.android_version = props.get("ro.build.version.release")
    sdk = props.get("ro.build.version.sdk", "")
    s.api_level = int(sdk) if sdk.isdigit() else None
    s.abi = props.get("ro.product.cpu.abi")
    s.miui_region = props.get("ro.miui.region") or None
    s.country = props.get("persist.sys.country") or None
    s.root_method = device.root_method
    s.frida_server = "running" if server_pids(device) else "stopped"
    return s


def list_devices(server: AdbServer, connect: list[str] | None = None) -> list[DeviceSummary]:
    """Every device on ``server`` (after ``adb connect`` of each address in ``connect``)."""
    from harness.device.adb import connect_tcp_device

    client = ensure_server(server)
    for address in connect or []:
        connect_tcp_device(client, address)
    out = []
    for info in client.list():
        if info.state != "device":
            out.append(DeviceSummary(info.serial, info.state, str(server)))
            continue
        try:
            out.append(summarize(Device(client, info.serial, server)))
        except DeviceError as exc:
            out.append(DeviceSummary(info.serial, info.state, str(server), error=exc.reason))
    return out
