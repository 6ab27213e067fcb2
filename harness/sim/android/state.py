"""The persistent state of a virtual handset: identity, props, settings, installed packages.

Everything lives in one state directory (0700, files 0600) so a handset survives restarts like a
phone survives reboots: ``persist.*`` props, settings and packages stay; other props set with
``setprop`` are lost at boot.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.errors import SimError
from harness.fsutil import private_dir, write_private
from harness.sim.personality import Personality, get_personality

SETTINGS_NAMESPACES = ("global", "secure", "system")


@dataclass
class Identity:
    personality: str
    serial: str
    android_id: str
    created_at: float


@dataclass
class PackageRecord:
    package: str
    #: device path of the APK (``pm path``)
    apk_path: str
    version_name: str
    version_code: int
    system: bool
    #: folder of a runnable virtual app (None for inert framework packages)
    app_dir: str | None = None
    first_install: float = 0.0
    #: runtime permissions granted with ``pm grant``
    granted: list[str] = field(default_factory=list)


#: framework packages every handset lists; they are not runnable (Play services keeps the
#: advertising ID, see harness.sim.android.playservices)
FRAMEWORK_PACKAGES = ("android", "com.android.shell", "com.android.settings", "com.android.providers.settings",
                      "com.google.android.gms")


class DeviceState:
    """Identity, props, settings and packages of one handset, persisted in ``state_dir``."""

    def __init__(self, state_dir: Path, personality: str | None = None,
                 extra_props: dict[str, str] | None = None) -> None:
        self.dir = private_dir(state_dir)
        #: props a virtual world sets at every boot (region, app-side switches), over the factory ones
        self.extra_props = dict(extra_props or {})
        self.lock = threading.RLock()
        ident_file = self.dir / "device.json"
        if ident_file.exists():
            self.identity = Identity(**json.loads(ident_file.read_text()))
            if personality and personality != self.identity.personality:
                raise SimError(
                    f"state directory {self.dir} belongs to personality {self.identity.personality!r},"
                    f" not {personality!r}",
                    fix="use another --state-dir, or omit --personality",
                )
        else:
            from harness.sim.personality import DEFAULT_PERSONALITY

            name = personality or DEFAULT_PERSONALITY
            get_personality(name)  # validate
            self.identity = Identity(
                personality=name,
                serial=secrets.token_hex(4),
                android_id=secrets.token_hex(8),
                created_at=time.time(),
            )
            write_private(ident_file, json.dumps(asdict(self.identity), indent=1))
        self.personality: Personality = get_personality(self.identity.personality)
        self._persist_props: dict[str, str] = self._load("props.json", {})
        self.settings: dict[str, dict[str, str]] = self._load("settings.json", {})
        if not self.settings:
            self.settings = {ns: dict(self.personality.settings.get(ns, {})) for ns in SETTINGS_NAMESPACES}
            self.settings["secure"]["android_id"] = self.identity.android_id
            self._save("settings.json", self.settings)
        raw_pkgs = self._load("packages.json", {})
        self.packages: dict[str, PackageRecord] = {k: PackageRecord(**v) for k, v in raw_pkgs.items()}
        self.props: dict[str, str] = {}
        self.boot()

    # -- persistence -------------------------------------------------------------------------
    def _load(self, name: str, default):
        path = self.dir / name
        if not path.exists():
            return default
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise SimError(f"corrupt state file {path}: {exc}", fix="delete the state directory") from exc

    def _save(self, name: str, data) -> None:
        write_private(self.dir / name, json.dumps(data, indent=1, sort_keys=True))

    # -- boot ----------------------------------------------------------------------------------
    def boot(self) -> None:
        """Recompute runtime props as at boot: factory props + persisted ``persist.*`` ones."""
        with self.lock:
            props = dict(self.personality.props)
            props["ro.serialno"] = self.identity.serial
            props["ro.boot.serialno"] = self.identity.serial
            props["sys.boot_completed"] = "1"
            props.update(self.extra_props)
            props.update(self._persist_props)
            self.props = props

    # -- props ---------------------------------------------------------------------------------
    def getprop(self, key: str) -> str:
        with self.lock:
            return self.props.get(key, "")

    def setprop(self, key: str, value: str) -> bool:
        """Set a prop as init would: ``ro.*`` only once; ``persist.*`` survives reboots."""
        with self.lock:
            if key.startswith("ro.") and key in self.props:
                return False
            if len(value) > 91 and not key.startswith("ro."):
                return False
            self.props[key] = value
            if key.startswith("persist."):
                self._persist_props[key] = value
                self._save("props.json", self._persist_props)
            return True

    # -- settings ------------------------------------------------------------------------------
    def settings_get(self, ns: str, key: str) -> str | None:
        with self.lock:
            return self.settings[ns].get(key)

    def settings_put(self, ns: str, key: str, value: str) -> None:
        with self.lock:
            self.settings[ns][key] = value
            self._save("settings.json", self.settings)

    def settings_delete(self, ns: str, key: str) -> bool:
        with self.lock:
            existed = self.settings[ns].pop(key, None) is not None
            self._save("settings.json", self.settings)
            return existed

    # -- packages ------------------------------------------------------------------------------
    def add_package(self, rec: PackageRecord) -> None:
        with self.lock:
            old = self.packages.get(rec.package)
            rec.first_install = old.first_install if old else time.time()
            if old and not rec.granted:
                rec.granted = old.granted
            self.packages[rec.package] = rec
            self._save_packages()

    def remove_package(self, package: str) -> bool:
        with self.lock:
            existed = self.packages.pop(package, None) is not None
            self._save_packages()
            return existed

    def permissions(self, package: str) -> set[str]:
        with self.lock:
            rec = self.packages.get(package)
            return set(rec.granted) if rec else set()

    def set_permission(self, package: str, permission: str, granted: bool) -> None:
        with self.lock:
            rec = self.packages[package]
            perms = set(rec.granted)
            (perms.add if granted else perms.discard)(permission)
            rec.granted = sorted(perms)
            self._save_packages()

    def _save_packages(self) -> None:
        self._save("packages.json", {k: asdict(v) for k, v in self.packages.items()})
