"""Device personalities: what a virtual handset claims to be.

A personality is the fixed, factory part of a device: its build props, Android version, where its
system CA store lives and how it can be rooted. Per-device values (serial number, Android ID) are
generated once when a state directory is created and then persist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from harness.errors import UsageError

#: how the shell user can become root: no way, AOSP-style ``su`` (emulators/userdebug), Magisk
RootMode = Literal["none", "su", "magisk"]
ROOT_MODES: tuple[str, ...] = ("none", "su", "magisk")


@dataclass(frozen=True)
class Personality:
    name: str
    description: str
    sdk: int
    props: dict[str, str]
    root: RootMode = "magisk"
    #: ``adb root`` works (userdebug/eng builds, emulators)
    adb_root: bool = False
    #: Android 14+: the system CA store apps use is the Conscrypt APEX, not /system
    apex_cacerts: bool = False
    screen: tuple[int, int] = (1080, 2400)
    density: int = 440
    #: default ``settings`` values (namespace -> key -> value), before generated ones
    settings: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def model(self) -> str:
        return self.props["ro.product.model"]


_MIUI_FINGERPRINT = "Xiaomi/apollo_global/apollo:10/QKQ1.200419.002/V12.0.10.0.QJDMIXM:user/release-keys"

MIUI_ANDROID10 = Personality(
    name="miui-android10",
    description="Xiaomi Mi 10T 5G-like, MIUI Global 12.0.10, Android 10 (the 2021 NCSC test device)",
    sdk=29,
    root="magisk",
    adb_root=False,
    apex_cacerts=False,
    props={
        "ro.product.model": "M2007J3SG",
        "ro.product.name": "apollo_global",
        "ro.product.device": "apollo",
        "ro.product.brand": "Xiaomi",
        "ro.product.manufacturer": "Xiaomi",
        "ro.product.marketname": "Mi 10T",
        "ro.product.cpu.abi": "arm64-v8a",
        "ro.product.cpu.abilist": "arm64-v8a,armeabi-v7a,armeabi",
        "ro.product.locale": "en-GB",
        "ro.build.version.sdk": "29",
        "ro.build.version.release": "10",
        "ro.build.version.security_patch": "2020-11-01",
        "ro.build.version.incremental": "V12.0.10.0.QJDMIXM",
        "ro.build.id": "QKQ1.200419.002",
        "ro.build.display.id": "QKQ1.200419.002",
        "ro.build.type": "user",
        "ro.build.tags": "release-keys",
        "ro.build.fingerprint": _MIUI_FINGERPRINT,
        "ro.build.characteristics": "nosdcard",
        "ro.debuggable": "0",
        "ro.secure": "1",
        "ro.hardware": "qcom",
        "ro.board.platform": "kona",
        "ro.miui.ui.version.name": "V12",
        "ro.miui.ui.version.code": "10",
        "ro.miui.region": "LT",
        "ro.miui.build.region": "global",
        "ro.miui.cust_variant": "lt",
        "persist.sys.country": "LT",
        "persist.sys.locale": "lt-LT",
        "persist.sys.timezone": "Europe/Vilnius",
        "gsm.operator.numeric": "24601",
        "gsm.sim.operator.iso-country": "lt",
        "ro.crypto.state": "encrypted",
        "sys.boot_completed": "1",
        "init.svc.adbd": "running",
    },
    settings={
        "global": {"adb_enabled": "1", "development_settings_enabled": "1", "airplane_mode_on": "0",
                   "device_name": "Mi 10T"},
        "secure": {"default_input_method": "com.android.inputmethod.latin/.LatinIME"},
        "system": {"screen_brightness": "102", "time_12_24": "24"},
    },
)

ANDROID14 = Personality(
    name="android14",
    description="Pixel-like Android 14 (API 34) userdebug build with the Conscrypt APEX CA store",
    sdk=34,
    root="su",
    adb_root=True,
    apex_cacerts=True,
    screen=(1080, 2400),
    density=420,
    props={
        "ro.product.model": "Pixel 7",
        "ro.product.name": "panther",
        "ro.product.device": "panther",
        "ro.product.brand": "google",
        "ro.product.manufacturer": "Google",
        "ro.product.cpu.abi": "arm64-v8a",
        "ro.product.cpu.abilist": "arm64-v8a",
        "ro.product.locale": "en-US",
        "ro.build.version.sdk": "34",
        "ro.build.version.release": "14",
        "ro.build.version.security_patch": "2024-05-05",
        "ro.build.version.incremental": "11583682",
        "ro.build.id": "AP1A.240505.004",
        "ro.build.display.id": "AP1A.240505.004",
        "ro.build.type": "userdebug",
        "ro.build.tags": "dev-keys",
        "ro.build.fingerprint": "google/panther/panther:14/AP1A.240505.004/11583682:userdebug/dev-keys",
        "ro.debuggable": "1",
        "ro.secure": "1",
        "ro.hardware": "panther",
        "ro.board.platform": "gs201",
        "persist.sys.country": "US",
        "persist.sys.locale": "en-US",
        "persist.sys.timezone": "America/New_York",
        "ro.crypto.state": "encrypted",
        "sys.boot_completed": "1",
        "init.svc.adbd": "running",
    },
    settings={
        "global": {"adb_enabled": "1", "development_settings_enabled": "1", "airplane_mode_on": "0",
                   "device_name": "Pixel 7"},
        "secure": {"default_input_method": "com.google.android.inputmethod.latin/.LatinIME"},
        "system": {"screen_brightness": "128", "time_12_24": "12"},
    },
)

PERSONALITIES: dict[str, Personality] = {p.name: p for p in (MIUI_ANDROID10, ANDROID14)}
DEFAULT_PERSONALITY = MIUI_ANDROID10.name


def get_personality(name: str) -> Personality:
    try:
        return PERSONALITIES[name]
    except KeyError:
        raise UsageError(
            f"unknown personality {name!r}",
            fix=f"use one of: {', '.join(sorted(PERSONALITIES))}",
        ) from None
