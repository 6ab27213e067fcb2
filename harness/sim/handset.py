"""A complete virtual handset: the Android personality served by the ADB daemon.

    with VirtualHandset(HandsetConfig(state_dir=tmp / "phone")) as phone:
        serial = phone.connect()           # adb connect; shows as "device"
        adbutils.adb.device(serial).shell("getprop ro.product.model")
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import DeviceNotFound, SimError
from harness.sim.android import AndroidDevice, DeviceConfig

if TYPE_CHECKING:
    from harness.sim.adb import AdbDaemon

log = logging.getLogger("harness.sim")


@dataclass
class HandsetConfig:
    state_dir: Path
    personality: str | None = None
    #: loopback address and port of the ADB daemon (0: a free port outside 5555-5585)
    host: str = "127.0.0.1"
    port: int = 0
    #: "device", "unauthorized" or "drop" (see harness.sim.adb.AdbDaemon)
    mode: str = "device"
    #: root mode override: "none", "su" or "magisk" (default: the personality's)
    root: str | None = None
    app_dirs: list[Path] = field(default_factory=list)
    cache_dir: Path | None = None
    #: hosts file of a virtual world (``-Djdk.net.hosts.file`` for apps)
    hosts_file: Path | None = None
    #: extra environment for app processes (the world may add settings)
    extra_launch_env: dict[str, str] = field(default_factory=dict)
    #: props a virtual world sets at boot (``World.props()``)
    extra_props: dict[str, str] = field(default_factory=dict)
    #: CA PEM files in the factory system store (``World.ca_cert_path``)
    extra_system_cas: list[Path] = field(default_factory=list)


class VirtualHandset:
    def __init__(self, config: HandsetConfig) -> None:
        self.config = config
        self.device: AndroidDevice | None = None
        self.daemon: AdbDaemon | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> VirtualHandset:
        from harness.sim.adb import AdbDaemon

        if self.device is not None:
            raise SimError("virtual handset already started", serial=self.serial)
        c = self.config
        self.device = AndroidDevice(DeviceConfig(
            state_dir=Path(c.state_dir), personality=c.personality, root=c.root, app_dirs=list(c.app_dirs),
            cache_dir=c.cache_dir, hosts_file=c.hosts_file, extra_launch_env=dict(c.extra_launch_env),
            extra_props=dict(c.extra_props), extra_system_cas=list(c.extra_system_cas),
        ))
        try:
            self.daemon = AdbDaemon(self.device, c.host, c.port, c.mode).start()
        except Exception:
            self.device.close()
            self.device = None
            raise
        log.info("virtual handset %s (%s) on %s", self.device.serial, self.device.personality.name, self.serial)
        return self

    def stop(self) -> None:
        """Stop the daemon and every app process; state stays on disk."""
        if self.daemon is not None:
            self.daemon.stop()
            self.daemon = None
        if self.device is not None:
            self.device.close()
            self.device = None

    def reboot(self) -> None:
        """Reboot as a phone does: connections drop, apps and tmpfs mounts are gone."""
        dev = self._require()
        dev.reboot()
        if self.daemon is not None:
            self.daemon.restart_adbd("reboot", down_for=self.daemon.reboot_delay)

    def reset(self) -> None:
        """Undo what a test did, keeping the adb connection: stop apps, forget runtime mounts,
        ``setprop`` values, stand-in processes, logcat and ``adb root``; remove the proxy setting.
        ``adb reverse`` rules belong to the adb server and stay. Settings and files otherwise stay (use a fresh state dir for a clean phone)."""
        dev = self._require()
        dev.apps.stop_all()
        dev.fs.boot()
        dev.state.boot()
        dev.procs.boot()
        dev.logcat.clear()
        dev.adb_root = False
        dev.state.settings_delete("global", "http_proxy")

    def __enter__(self) -> VirtualHandset:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _require(self) -> AndroidDevice:
        if self.device is None:
            raise SimError("virtual handset is not running", fix="call start() first")
        return self.device

    # -- facts ---------------------------------------------------------------------------------
    @property
    def serial(self) -> str:
        """The adb serial: ``127.0.0.1:PORT``."""
        if self.daemon is None:
            raise SimError("virtual handset is not running", fix="call start() first")
        return self.daemon.serial

    # -- adb server ----------------------------------------------------------------------------
    def connect(self, timeout: float = 20.0) -> str:
        """``adb connect`` this handset to the adb server (started if needed); wait for ``device``."""
        import adbutils

        serial = self.serial
        client = adbutils.AdbClient(port=int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037")))
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            try:
                last = client.connect(serial, timeout=min(10.0, timeout))
                for info in client.list():
                    if info.serial == serial and info.state == "device":
                        return serial
            except adbutils.AdbError as exc:
                last = str(exc)
            time.sleep(0.3)
        raise DeviceNotFound(f"adb server did not attach the virtual handset ({last})", serial=serial,
                             fix="check `adb devices`; the daemon mode must be 'device'")

    def disconnect(self) -> None:
        import adbutils

        client = adbutils.AdbClient(port=int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037")))
        try:
            client.disconnect(self.serial)
        except (adbutils.AdbError, OSError):
            pass
