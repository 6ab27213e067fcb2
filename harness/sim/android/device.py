"""The Android personality of the virtual handset: the :class:`~harness.sim.backend.DeviceBackend`
the ADB daemon serves."""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import UsageError
from harness.fsutil import private_dir
from harness.sim.android.apphost import AppHost
from harness.sim.android.appspec import BUILTIN_APPS_DIR, AppSpec, discover
from harness.sim.android.fs import OWNER_UIDS, DeviceFS, norm
from harness.sim.android.javabuild import default_cache_dir
from harness.sim.android.logcat import LogBuffer
from harness.sim.android.playservices import ensure_advertising_id
from harness.sim.android.processes import ProcessTable
from harness.sim.android.shell.interp import CmdIO, Shell
from harness.sim.android.state import FRAMEWORK_PACKAGES, DeviceState, PackageRecord
from harness.sim.backend import ShellIO
from harness.sim.personality import ROOT_MODES

DEFAULT_FEATURES = ("shell_v2", "cmd", "stat_v2", "ls_v2", "fixed_push_mkdir", "apex", "abb", "abb_exec",
                    "remount_shell", "track_app", "sendrecv_v2")


@dataclass
class DeviceConfig:
    state_dir: Path
    personality: str | None = None
    #: override the personality's root mode: "none", "su" or "magisk"
    root: str | None = None
    #: extra folders holding virtual apps (vendor apps, test apps); built-ins are always there
    app_dirs: list[Path] = field(default_factory=list)
    cache_dir: Path | None = None
    #: hosts file of the virtual world, passed to apps as ``-Djdk.net.hosts.file``
    hosts_file: Path | None = None
    extra_launch_env: dict[str, str] = field(default_factory=dict)
    #: props a virtual world sets at boot (harness.sim.world.World.props())
    extra_props: dict[str, str] = field(default_factory=dict)
    #: PEM files of CAs in the factory system store (a virtual world's CA)
    extra_system_cas: list[Path] = field(default_factory=list)
    features: tuple[str, ...] = DEFAULT_FEATURES


class AndroidDevice:
    """State, filesystem, processes, logcat and apps of one virtual handset."""

    def __init__(self, config: DeviceConfig) -> None:
        self.config = config
        self.state = DeviceState(Path(config.state_dir), config.personality, config.extra_props)
        self.personality = self.state.personality
        if config.root is not None and config.root not in ROOT_MODES:
            raise UsageError(f"unknown root mode {config.root!r}", fix=f"use one of {', '.join(ROOT_MODES)}")
        self.root_mode = config.root or self.personality.root
        self.fs = DeviceFS(self.state.dir, self.personality)
        self.fs.add_factory_cas(config.extra_system_cas)
        self.procs = ProcessTable()
        self.procs.kill_app = lambda proc, sig: self.apps.force_stop(proc.package or proc.name)
        self.logcat = LogBuffer(self.state.dir / "logcat.jsonl")
        self.reverse: dict[int, int] = {}
        self.adb_root = False
        self.selinux_enforcing = True
        self.boot_time = time.time()
        self.lock = threading.RLock()
        catalog = discover([BUILTIN_APPS_DIR, *config.app_dirs, self.state.dir / "installed"])
        self.apps = AppHost(self, catalog, config.cache_dir or default_cache_dir(), self.state.dir / "run",
                            config.hosts_file, config.extra_launch_env)
        self._install_catalog()
        ensure_advertising_id(self.fs)  # Play services' first start on a fresh handset
        self._boot_log()

    # -- lifecycle -----------------------------------------------------------------------------
    def _install_catalog(self) -> None:
        for name in FRAMEWORK_PACKAGES:
            if name not in self.state.packages:
                self.state.add_package(PackageRecord(name, "/system/framework/framework-res.apk" if name == "android"
                                                     else f"/system/priv-app/{name.split('.')[-1]}/{name}.apk",
                                                     self.personality.props["ro.build.version.release"],
                                                     self.personality.sdk, True))
        for spec in self.apps.apps.values():
            rec = self.state.packages.get(spec.package)
            if rec is None or rec.version_code != spec.version_code or rec.app_dir != str(spec.dir):
                self.register_app(spec)

    def register_app(self, spec: AppSpec) -> PackageRecord:
        """Make ``spec`` an installed package with an APK file (a zip of its sources) on the device."""
        apk = (f"/system/app/{spec.label.replace(' ', '')}/{spec.label.replace(' ', '')}.apk" if spec.system
               else f"/data/app/{spec.package}-1/base.apk")
        host = self.fs.host_path(apk)
        private_dir(host.parent)
        with zipfile.ZipFile(host, "w") as z:
            for f in [spec.dir / "app.json", *spec.own_sources()]:
                z.write(f, f.relative_to(spec.dir).as_posix())
        host.chmod(0o600)
        rec = PackageRecord(spec.package, apk, spec.version_name, spec.version_code, spec.system, str(spec.dir))
        self.state.add_package(rec)
        self.apps.apps[spec.package] = spec
        return rec

    def _boot_log(self) -> None:
        self.logcat.add("I", "vsim", f"boot {self.personality.name} serial {self.state.identity.serial}", pid=1)
        self.logcat.add("I", "ActivityManager", "System now ready", pid=1210)

    def reboot(self, target: str = "") -> None:
        """Kill apps, forget tmpfs mounts, runtime props, logcat and ``adb root``; keep the rest.

        ``target`` (``bootloader``, ``recovery``...) is accepted and ignored: the handset comes
        back up as a normal boot."""
        with self.lock:
            self.apps.stop_all()
            self.fs.boot()
            self.state.boot()
            self.procs.boot()
            self.logcat.clear()
            self.adb_root = False
            self.selinux_enforcing = True
            self.boot_time = time.time()
            ensure_advertising_id(self.fs)
            self._boot_log()

    def close(self) -> None:
        """Stop every app and stand-in process (their shell threads end with them)."""
        self.apps.close()
        self.procs.boot()

    def has_command(self, name: str) -> bool:
        if name == "su":
            return self.root_mode != "none"
        if name == "magisk":
            return self.root_mode == "magisk"
        return True

    @property
    def serial(self) -> str:
        return self.state.identity.serial

    @property
    def advertising_id(self) -> str:
        """Play services' advertising ID (a new one if its data was cleared since)."""
        return ensure_advertising_id(self.fs)

    # -- DeviceBackend -------------------------------------------------------------------------
    def banner(self) -> str:
        p = self.state.props
        return (f"device::ro.product.name={p['ro.product.name']};ro.product.model={p['ro.product.model']};"
                f"ro.product.device={p['ro.product.device']};features={','.join(self.config.features)}")

    def shell(self, command: str, io: ShellIO) -> int:
        cmd_io = CmdIO(io.stdin, io.write_stdout, io.write_stderr if io.separate_stderr else io.write_stdout,
                       io.closed)
        sh = Shell(self, uid=0 if self.adb_root else 2000)
        try:
            if command.strip() == "":
                from harness.sim.android.shell.commands.procs import _interactive

                return _interactive(sh, cmd_io) & 0xFF
            return sh.run(command, cmd_io) & 0xFF
        except (BrokenPipeError, ConnectionError):
            return 255

    def run(self, command: str, *, root: bool = False, timeout: float = 30.0) -> tuple[int, str, str]:
        """Run a shell line in-process and collect output (for tests and the CLI; bounded)."""
        out: list[bytes] = []
        err: list[bytes] = []

        class _NoInput:
            def read(self, n: int = -1) -> bytes:
                return b""

        io = ShellIO(_NoInput(), out.append, err.append)
        result: list[int] = []
        sh = Shell(self, uid=0 if root or self.adb_root else 2000)
        worker = threading.Thread(target=lambda: result.append(sh.run(command, CmdIO(io.stdin, out.append,
                                                                                     err.append, io.closed))),
                                  daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            io.closed.set()
            worker.join(5)
        return (result[0] if result else 124), b"".join(out).decode(errors="replace"), \
            b"".join(err).decode(errors="replace")

    def resolve_path(self, device_path: str, *, write: bool = False) -> Path:
        path = norm(device_path)
        uid = 0 if self.adb_root else 2000
        host = self.fs.check(path, uid, write=write)
        if write:
            if host.is_dir():
                raise IsADirectoryError(errno.EISDIR, "Is a directory", path)
            parent = path.rsplit("/", 1)[0] or "/"
            if not self.fs.host_path(parent).is_dir():
                self.fs.makedirs(parent, uid)
        elif not host.exists():
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        return host

    def file_attributes(self, device_path: str, st: os.stat_result) -> tuple[int, int, int]:
        """``(st_mode, uid, gid)`` of a device path as ``ls -l`` shows it (``DeviceFS.effective_meta``)."""
        meta = self.fs.effective_meta(norm(device_path), stat.S_ISDIR(st.st_mode))
        mode = stat.S_IFMT(st.st_mode) | ((meta.mode if meta.mode is not None else st.st_mode) & 0o7777)
        return mode, OWNER_UIDS.get(meta.owner or "", 0), OWNER_UIDS.get(meta.group or "", 0)

    def record_mode(self, device_path: str, permission_bits: int) -> None:
        """A push sets the file's mode (adbd ``chmod``s to the pushed mode)."""
        self.fs.set_meta(device_path, mode=permission_bits & 0o7777)

    def connect_device_port(self, port: int) -> socket.socket:
        # apps are host processes: the device's loopback is the host's loopback
        return socket.create_connection(("127.0.0.1", port), timeout=5)

    def set_reverse(self, device_port: int, host_port: int | None) -> None:
        with self.lock:
            if host_port is None:
                self.reverse.pop(device_port, None)
            else:
                self.reverse[device_port] = host_port

    def set_adb_root(self, root: bool) -> str:
        if not root:
            if not self.adb_root:
                return "adbd not running as root\n"
            self.adb_root = False
            return "restarting adbd as non root\n"
        if not self.personality.adb_root:
            return "adbd cannot run as root in production builds\n"
        if self.adb_root:
            return "adbd is already running as root\n"
        self.adb_root = True
        return "restarting adbd as root\n"
