"""Device facts: what the device is, and the identifiers the analysis searches traffic for.

Saved into each run as ``artifacts/facts.json`` (keys documented in docs/lab-guide.md).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from harness.device.adbbin import adb_binary
from harness.device.parse import parse_packages, parse_parcel_string, parse_setting
from harness.device.root import selinux_mode

if TYPE_CHECKING:
    from harness.device.adb import Device

_ADID = re.compile(r'name="adid_key">([0-9a-fA-F-]{36})<')


@dataclass
class DeviceFacts:
    #: the adb serial (for USB phones usually equal to ``serial``)
    adb_serial: str
    model: str
    manufacturer: str
    brand: str
    device: str
    build_fingerprint: str
    android_version: str
    api_level: int
    abi: str
    abi_list: list[str]
    #: MIUI ``ro.miui.region`` (None on other ROMs)
    miui_region: str | None
    #: ``persist.sys.country`` (None where absent)
    country: str | None
    locale: str | None
    root_method: str | None
    selinux: str
    #: identifiers the analysis searches for in traffic (known PII values)
    android_id: str | None
    advertising_id: str | None
    imei: str | None
    #: hardware serial ``ro.serialno`` (the analysis searches for it under this key)
    serial: str | None
    #: package name → versionCode
    packages: dict[str, str | None] = field(default_factory=dict)
    collected_at: float = 0.0
    #: the adb binary that talked to the device: ``path``, ``version``, ``source`` (adbbin)
    adb: dict[str, str | None] = field(default_factory=dict)

    def identifiers(self) -> dict[str, str]:
        """The known PII values, by name, that are set."""
        pairs = {
            "android_id": self.android_id, "advertising_id": self.advertising_id,
            "imei": self.imei, "serial": self.serial,
        }
        return {k: v for k, v in pairs.items() if v}

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["identifiers"] = self.identifiers()
        return data

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_json(), indent=2, sort_keys=True).encode()


def _opt(value: str | None) -> str | None:
    return value or None


def _advertising_id(device: Device) -> str | None:
    """Google Play services keeps the ad id in its shared prefs (root needed to read)."""
    if device.root_method is None:
        return None
    res = device.su("cat /data/data/com.google.android.gms/shared_prefs/adid_settings.xml")
    m = _ADID.search(res.stdout) if res.ok else None
    return m.group(1) if m else None


def _imei(device: Device, props: dict[str, str]) -> str | None:
    for key in ("persist.radio.imei", "ro.ril.oem.imei", "persist.radio.imei1"):
        if props.get(key):
            return props[key]
    if device.root_method is None:
        return None
    res = device.su("service call iphonesubinfo 1 s16 com.android.shell")
    return parse_parcel_string(res.stdout) if res.ok else None


def _hardware_serial(device: Device, props: dict[str, str]) -> str | None:
    if props.get("ro.serialno"):
        return props["ro.serialno"]
    if device.root_method is None:
        return None
    res = device.su("getprop ro.serialno")
    return _opt(res.stdout.strip()) if res.ok else None


def collect_facts(device: Device) -> DeviceFacts:
    props = device.props()
    api = props.get("ro.build.version.sdk", "0")
    packages = parse_packages(device.sh("pm list packages --show-versioncode", timeout=60).stdout)
    return DeviceFacts(
        adb_serial=device.serial,
        model=props.get("ro.product.model", ""),
        manufacturer=props.get("ro.product.manufacturer", ""),
        brand=props.get("ro.product.brand", ""),
        device=props.get("ro.product.device", ""),
        build_fingerprint=props.get("ro.build.fingerprint", ""),
        android_version=props.get("ro.build.version.release", ""),
        api_level=int(api) if api.isdigit() else 0,
        abi=props.get("ro.product.cpu.abi", ""),
        abi_list=[a for a in props.get("ro.product.cpu.abilist", "").split(",") if a],
        miui_region=_opt(props.get("ro.miui.region")),
        country=_opt(props.get("persist.sys.country")),
        locale=_opt(props.get("persist.sys.locale") or props.get("ro.product.locale")),
        root_method=device.root_method,
        selinux=selinux_mode(device),
        android_id=parse_setting(device.sh("settings get secure android_id").stdout),
        advertising_id=_advertising_id(device),
        imei=_imei(device, props),
        serial=_hardware_serial(device, props),
        packages=packages,
        collected_at=time.time(),
        adb=adb_binary().to_json(),
    )


def save_facts(facts: DeviceFacts, store: Any, step_id: str | None = None) -> Any:
    """Store the facts in a run (``RunStore.add_artifact``) as ``facts.json``."""
    return store.add_artifact("facts.json", facts.to_bytes(), kind="device_facts", step_id=step_id)
