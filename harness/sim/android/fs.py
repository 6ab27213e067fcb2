"""The handset's filesystem: device paths mapped onto a host folder, with mounts and permissions.

Device ``/x/y`` lives at ``STATE/root/x/y``. The mount table has the factory mounts (``/`` read-only
as on system-as-root Android, ``/data`` read-write, the Conscrypt APEX read-only on Android 14)
plus runtime mounts made with ``mount``: a ``tmpfs`` mount hides the folder's content behind an empty
host folder under ``STATE/tmpfs``; ``--bind A B`` shows A's content at B. Runtime mounts and
``remount,rw`` are forgotten at boot, as on a phone.

Permission model: root may do anything a writable mount allows; the ``shell`` user (uid 2000) may
write only below ``/data/local/tmp``, ``/sdcard`` and ``/storage``, and may not read app data. The
fixed layout behind it (folders, CA stores, the shell user's trees, default owners and labels) is
:mod:`harness.sim.android.layout`; its names are importable from here too.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.fsutil import DIR_MODE, FILE_MODE, private_dir, write_private
from harness.sim.android.layout import (
    APEX_CACERTS,
    BASE_DIRS,
    OWNER_UIDS,
    SEED_CA_NAMES,
    SHELL_UNLISTABLE,
    SHELL_UNREADABLE,
    SHELL_WRITABLE,
    SYSTEM_CACERTS,
    USER_CACERTS,
    FileMeta,
    default_meta,
    norm,
    seed_certificates,
    under,
)
from harness.sim.hostfs import make_dirs
from harness.sim.personality import Personality

__all__ = [
    "APEX_CACERTS", "BASE_DIRS", "OWNER_UIDS", "SEED_CA_NAMES", "SHELL_UNLISTABLE", "SHELL_UNREADABLE",
    "SHELL_WRITABLE", "SYSTEM_CACERTS", "USER_CACERTS", "DeviceFS", "FileMeta", "FsState", "Mount",
    "default_meta", "norm", "seed_certificates", "under",
]

@dataclass
class Mount:
    target: str
    fstype: str
    source: str
    options: list[str]
    #: host folder shown at ``target`` (None: the ordinary tree under STATE/root)
    host: str | None = None
    factory: bool = False
    #: factory mounts that cannot be made writable (APEX images)
    immutable: bool = False

    @property
    def readonly(self) -> bool:
        return "ro" in self.options


def _err(code: int, path: str) -> OSError:
    cls = {errno.ENOENT: FileNotFoundError, errno.EACCES: PermissionError, errno.EPERM: PermissionError}.get(
        code, OSError
    )
    return cls(code, os.strerror(code), path)


@dataclass
class FsState:
    mounts: list[Mount] = field(default_factory=list)
    remounted_rw: list[str] = field(default_factory=list)


class DeviceFS:
    def __init__(self, state_dir: Path, personality: Personality) -> None:
        self.personality = personality
        self.root = private_dir(state_dir / "root")
        self.tmpfs_dir = state_dir / "tmpfs"
        self._table_file = state_dir / "mounts.json"
        self._meta_file = state_dir / "filemeta.json"
        self.lock = threading.RLock()
        self.meta: dict[str, FileMeta] = {}
        if self._meta_file.exists():
            self.meta = {k: FileMeta(**v) for k, v in json.loads(self._meta_file.read_text()).items()}
        self.runtime = FsState()
        self._seed()
        self.boot()

    # -- lifecycle -----------------------------------------------------------------------------
    def _seed(self) -> None:
        for d in BASE_DIRS:
            private_dir(self.root / d.lstrip("/"))
        if self.personality.apex_cacerts:
            private_dir(self.root / APEX_CACERTS.lstrip("/"))
        marker = self.root / ".seeded"
        if marker.exists():
            return
        for name, pem in seed_certificates():
            write_private(self.root / SYSTEM_CACERTS.lstrip("/") / name, pem)
            if self.personality.apex_cacerts:
                write_private(self.root / APEX_CACERTS.lstrip("/") / name, pem)
        write_private(self.root / "system/build.prop", "".join(
            f"{k}={v}\n" for k, v in sorted(self.personality.props.items()) if k.startswith("ro.")
        ))
        write_private(marker, "")

    def add_factory_cas(self, pem_files: list[Path]) -> None:
        """Put CA certificates into the factory system store (as ``<subject_hash_old>.0``), as a
        public CA that shipped with the firmware: a virtual world's CA."""
        from cryptography import x509

        from harness.device.cacert import android_cert_name

        for pem_file in pem_files:
            pem = Path(pem_file).read_bytes()
            name = android_cert_name(x509.load_pem_x509_certificate(pem))
            write_private(self.root / SYSTEM_CACERTS.lstrip("/") / name, pem)
            if self.personality.apex_cacerts:
                write_private(self.root / APEX_CACERTS.lstrip("/") / name, pem)

    def boot(self) -> None:
        """Forget runtime mounts and tmpfs content, as a reboot does."""
        with self.lock:
            if self.tmpfs_dir.exists():
                shutil.rmtree(self.tmpfs_dir)
            private_dir(self.tmpfs_dir)
            self.runtime = FsState()
            self._save_table()

    def factory_mounts(self) -> list[Mount]:
        mounts = [
            Mount("/", "ext4", "/dev/block/dm-0", ["ro", "seclabel", "relatime"], factory=True),
            Mount("/dev", "tmpfs", "tmpfs", ["rw", "seclabel", "nosuid", "relatime", "mode=755"], factory=True),
            Mount("/proc", "proc", "proc", ["rw", "relatime", "gid=3009", "hidepid=2"], factory=True),
            Mount("/data", "f2fs", "/dev/block/dm-7", ["rw", "lazytime", "seclabel", "nosuid", "nodev"],
                  factory=True),
            Mount("/storage/emulated", "fuse", "/dev/fuse", ["rw", "lazytime", "nosuid", "nodev", "noexec"],
                  factory=True),
            Mount("/sdcard", "fuse", "/dev/fuse", ["rw", "lazytime", "nosuid", "nodev", "noexec"],
                  factory=True),
            Mount("/mnt", "tmpfs", "tmpfs", ["rw", "seclabel", "nosuid", "nodev", "noexec"], factory=True),
            Mount("/cache", "ext4", "/dev/block/by-name/cache", ["rw", "seclabel", "nosuid", "nodev"],
                  factory=True),
        ]
        if self.personality.apex_cacerts:
            mounts.append(Mount("/apex/com.android.conscrypt", "ext4", "/dev/block/loop6",
                                ["ro", "dirsync", "seclabel", "nodev", "noatime"], factory=True, immutable=True))
        return mounts

    def mounts(self) -> list[Mount]:
        with self.lock:
            out = []
            for m in self.factory_mounts():
                if m.target in self.runtime.remounted_rw:
                    m.options = ["rw" if o == "ro" else o for o in m.options]
                out.append(m)
            return out + list(self.runtime.mounts)

    def _save_table(self) -> None:
        write_private(self._table_file, json.dumps(asdict(self.runtime), indent=1))

    def _save_meta(self) -> None:
        write_private(self._meta_file, json.dumps({k: asdict(v) for k, v in self.meta.items()}, indent=1))

    # -- resolution ----------------------------------------------------------------------------
    def governing_mount(self, path: str) -> Mount:
        best: Mount | None = None
        for m in self.mounts():  # later mounts on the same target win
            if under(path, m.target) and (best is None or len(m.target) >= len(best.target)):
                best = m
        assert best is not None
        return best

    def host_path(self, path: str) -> Path:
        """Host path behind an absolute device path, following mounts (no permission checks)."""
        path = norm(path)
        m = self.governing_mount(path)
        if m.host is not None:
            rest = path[len(m.target):].lstrip("/") if m.target != "/" else path.lstrip("/")
            host = Path(m.host) / rest if rest else Path(m.host)
        else:
            host = self.root / path.lstrip("/") if path != "/" else self.root
        return host

    def readonly(self, path: str) -> bool:
        return self.governing_mount(norm(path)).readonly

    def check(self, path: str, uid: int, *, write: bool = False) -> Path:
        """Host path for ``path`` if ``uid`` may read (or write) it; else raise OSError like Android."""
        path = norm(path)
        if write:
            if self.readonly(path):
                raise _err(errno.EROFS, path)
            if uid != 0 and not any(under(path, t) for t in SHELL_WRITABLE):
                raise _err(errno.EACCES, path)
        elif uid != 0 and (path in SHELL_UNLISTABLE or any(under(path, t) for t in SHELL_UNREADABLE)):
            raise _err(errno.EACCES, path)
        return self.host_path(path)

    # -- mount operations ----------------------------------------------------------------------
    def mount_tmpfs(self, target: str, options: list[str] | None = None) -> None:
        target = norm(target)
        with self.lock:
            if not self.host_path(target).is_dir():
                raise _err(errno.ENOENT, target)
            n = len(list(self.tmpfs_dir.iterdir()))
            host = private_dir(self.tmpfs_dir / f"t{n}")
            opts = ["rw", "seclabel", "relatime"] + [o for o in (options or []) if o not in ("rw", "ro")]
            if options and "ro" in options:
                opts[0] = "ro"
            self.runtime.mounts.append(Mount(target, "tmpfs", "tmpfs", opts, host=str(host)))
            self._save_table()

    def mount_bind(self, source: str, target: str) -> None:
        source, target = norm(source), norm(target)
        with self.lock:
            src_host = self.host_path(source)
            if not src_host.exists():
                raise _err(errno.ENOENT, source)
            if not self.host_path(target).exists():
                raise _err(errno.ENOENT, target)
            ro = self.governing_mount(source).readonly
            fstype = self.governing_mount(source).fstype
            self.runtime.mounts.append(
                Mount(target, fstype, source, ["ro" if ro else "rw", "seclabel", "relatime"], host=str(src_host))
            )
            self._save_table()

    def remount(self, target: str, rw: bool) -> None:
        target = norm(target)
        with self.lock:
            for m in reversed(self.runtime.mounts):
                if m.target == target:
                    m.options = ["rw" if rw else "ro"] + [o for o in m.options if o not in ("rw", "ro")]
                    self._save_table()
                    return
            if target == "/system":  # system-as-root: /system lives on /
                target = "/"
            factory = {m.target: m for m in self.factory_mounts()}
            if target not in factory:
                raise _err(errno.EINVAL, target)
            if factory[target].immutable and rw:
                raise _err(errno.EROFS, target)
            if rw and target not in self.runtime.remounted_rw:
                self.runtime.remounted_rw.append(target)
            if not rw and target in self.runtime.remounted_rw:
                self.runtime.remounted_rw.remove(target)
            self._save_table()

    def umount(self, target: str) -> None:
        target = norm(target)
        with self.lock:
            for i in range(len(self.runtime.mounts) - 1, -1, -1):
                if self.runtime.mounts[i].target == target:
                    del self.runtime.mounts[i]
                    self._save_table()
                    return
            if any(m.target == target for m in self.factory_mounts()):
                raise _err(errno.EBUSY, target)
            raise _err(errno.EINVAL, target)

    # -- metadata ------------------------------------------------------------------------------
    def get_meta(self, path: str) -> FileMeta:
        return self.meta.get(norm(path), FileMeta())

    def effective_meta(self, path: str, is_dir: bool) -> FileMeta:
        """Mode (permission bits), owner, group and SELinux label of a device path: what
        chmod/chown/chcon (or a push) recorded, else the defaults of where it lives. The one
        source of truth for ``ls -l``, ``stat`` and the sync service's STAT/LIST."""
        base = default_meta(path, is_dir)
        rec = self.get_meta(path)
        return FileMeta(
            rec.mode if rec.mode is not None else base.mode,
            rec.owner or base.owner,
            rec.group or base.group,
            rec.label or base.label,
        )

    def set_meta(self, path: str, **changes) -> None:
        path = norm(path)
        with self.lock:
            meta = self.meta.setdefault(path, FileMeta())
            for k, v in changes.items():
                setattr(meta, k, v)
            self._save_meta()

    def forget_meta(self, path: str) -> None:
        path = norm(path)
        with self.lock:
            gone = [k for k in self.meta if under(k, path)]
            for k in gone:
                del self.meta[k]
            if gone:
                self._save_meta()

    # -- helpers for commands ------------------------------------------------------------------
    def write_file(self, path: str, data: bytes, uid: int, *, append: bool = False) -> None:
        host = self.check(path, uid, write=True)
        if not host.parent.is_dir():
            raise _err(errno.ENOENT, path)
        if host.is_dir():
            raise _err(errno.EISDIR, path)
        fd = os.open(host, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC), FILE_MODE)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    def makedirs(self, path: str, uid: int) -> None:
        host = self.check(path, uid, write=True)
        make_dirs(host, DIR_MODE)
