"""A complete virtual handset: the Android personality served by the ADB daemon.

    with VirtualHandset(HandsetConfig(state_dir=tmp / "phone")) as phone:
        serial = phone.connect()           # adb connect; shows as "device"
        adbutils.adb.device(serial).shell("getprop ro.product.model")
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import DeviceNotFound, SimError
from harness.fsutil import private_dir
from harness.sim import statelock
from harness.sim.android import AndroidDevice, DeviceConfig

if TYPE_CHECKING:
    from harness.sim.adb import AdbDaemon

log = logging.getLogger("harness.sim")


@dataclass
class HandsetConfig(DeviceConfig):
    """The device (:class:`DeviceConfig`) plus where and how its ADB daemon listens."""

    #: loopback address and port of the ADB daemon (0: a free port outside 5555-5585)
    host: str = "127.0.0.1"
    port: int = 0
    #: "device", "unauthorized" or "drop" (see harness.sim.adb.AdbDaemon)
    mode: str = "device"
    #: adb public key files (``adbkey.pub``) trusted beside the starting user's ~/.android/adbkey
    adb_keys: list[Path] = field(default_factory=list)
    #: skip ADB AUTH: any local client may connect (and run code as this user); logged loudly
    insecure: bool = False


class VirtualHandset:
    def __init__(self, config: HandsetConfig) -> None:
        self.config = config
        self.device: AndroidDevice | None = None
        self.daemon: AdbDaemon | None = None
        #: the descriptor holding the state folder's lock while running (harness.sim.statelock)
        self._lock: int | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> VirtualHandset:
        from harness.sim.adb import AdbDaemon
        from harness.sim.adb.auth import TrustedKeys

        if self.device is not None:
            raise SimError("virtual handset already started", serial=self.serial)
        c = self.config
        # one handset per state folder, seen from every PID namespace (raises SimError when held)
        self._lock = statelock.hold(private_dir(c.state_dir))
        device_config = {f.name: getattr(c, f.name) for f in fields(DeviceConfig)}
        try:
            self.device = AndroidDevice(DeviceConfig(**{**device_config, "state_dir": Path(c.state_dir)}))
        except BaseException:
            statelock.release(self._lock)
            self._lock = None
            raise
        try:
            keys = TrustedKeys(files=tuple(Path(k) for k in c.adb_keys))
            self.daemon = AdbDaemon(self.device, c.host, c.port, c.mode, trusted_keys=keys,
                                    insecure=c.insecure).start()
        except Exception:
            self.device.close()
            self.device = None
            statelock.release(self._lock)
            self._lock = None
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
        statelock.release(self._lock)
        self._lock = None

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
        refused = self.daemon.refused_keys if self.daemon is not None else []
        if refused:  # the usual cause: an adb server started by another user, or under another HOME
            port = os.environ.get("ANDROID_ADB_SERVER_PORT", "5037")
            raise DeviceNotFound(f"the adb server on port {port} signs with an adb key the virtual handset does not "
                                 f"trust ({refused[-1][:60]}); it accepts only the key of the user who started it "
                                 "(~/.android/adbkey)", serial=serial,
                                 fix="use an adb server of your own: `export ANDROID_ADB_SERVER_PORT=15037` (any free "
                                     "port), or `adb kill-server` if the server on this port is yours")
        raise DeviceNotFound(f"adb server did not attach the virtual handset ({last})", serial=serial,
                             fix="check `adb devices`; the daemon mode must be 'device'")

    def disconnect(self) -> None:
        import adbutils

        client = adbutils.AdbClient(port=int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037")))
        try:
            client.disconnect(self.serial)
        except (adbutils.AdbError, OSError):
            pass
