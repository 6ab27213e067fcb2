"""Virtual apps do not run as root (issue 11 item 1, app half).

An app is Java code the virtual handset compiles and runs as a host process. When the handset runs
as root, each app runs instead as its own unprivileged uid, as on Android: Android gives app N the
uid ``10000 + N`` (``u0_aN``); here it is :data:`UID_BASE` plus that, so it never collides with a
real account of this machine (no passwd entry needed). The JVM cannot read the harness's private
folders (0700, root), so :class:`AppSandbox` gives it a folder of its own under the system temp
dir (owned by the app's uid, 0700) holding copies of what it reads: its compiled classes, the
trust store, its props file, the world's hosts file, and its data dir, which is copied in at
launch and back to the device's ``/data/data/PKG`` when the app stops. Frida attaches as root as
before (root may trace any uid).

Not root: apps run as the handset's own user, unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

#: host uid of Android app uid 10000 + N is UID_BASE + 10000 + N
UID_BASE = 10_000_000
#: JVM options whose value is a file the app reads
_FILE_OPTIONS = ("-Dvapp.props=", "-Djdk.net.hosts.file=", "-Djavax.net.ssl.trustStore=")


def sandbox_wanted() -> bool:
    return os.geteuid() == 0


def host_uid(app_user: str) -> int:
    """``u0_a123`` → UID_BASE + 10123; ``system`` → UID_BASE + 1000 (Android's system uid)."""
    if app_user.startswith("u0_a") and app_user[4:].isdigit():
        return UID_BASE + 10000 + int(app_user[4:])
    return UID_BASE + 1000


def _chown_tree(root: Path, uid: int) -> None:
    os.chown(root, uid, uid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, uid, follow_symlinks=False)


def owner_tag(state_dir: Path) -> str:
    """8 hex digits naming a handset's state folder: its sandboxes are ``vsim-<tag>-<pkg>-*``."""
    return hashlib.sha256(str(Path(state_dir).resolve()).encode()).hexdigest()[:8]


def remove_leftovers(tag: str) -> int:
    """Remove the sandboxes a killed handset of this state folder left (its apps died with it:
    a handset starting on the folder is the only one using it). Returns how many."""
    count = 0
    for folder in Path(tempfile.gettempdir()).glob(f"vsim-{tag}-*"):
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            count += 1
    return count


class AppSandbox:
    """The private folder one app process runs in; see the module docstring."""

    def __init__(self, package: str, uid: int, tag: str = "") -> None:
        self.package = package
        self.uid = uid
        self.root = Path(tempfile.mkdtemp(prefix=f"vsim-{tag}-{package}-" if tag else f"vsim-{package}-"))
        os.chmod(self.root, 0o700)
        self.data = self.root / "data"
        self.host_data: Path | None = None

    def prepare(self, cmd: list[str], host_data: Path) -> list[str]:
        """Copy what ``cmd`` reads into the sandbox and return the command rewritten to use the
        copies (classpath entries that are not world-readable, the file options, the data dir)."""
        self.host_data = host_data
        out: list[str] = []
        i = 0
        while i < len(cmd):
            arg = cmd[i]
            if arg == "-cp" and i + 1 < len(cmd):
                entries = [self._copy(Path(p), f"cp{n}") for n, p in enumerate(cmd[i + 1].split(os.pathsep))]
                out += ["-cp", os.pathsep.join(entries)]
                i += 2
                continue
            if arg.startswith("-Dvapp.data="):
                if self.data.exists():
                    shutil.rmtree(self.data)
                shutil.copytree(host_data, self.data, symlinks=True) if host_data.is_dir() else self.data.mkdir()
                arg = f"-Dvapp.data={self.data}"
            for opt in _FILE_OPTIONS:
                if arg.startswith(opt):
                    arg = opt + self._copy(Path(arg[len(opt):]), opt.strip("-=").rsplit(".", 1)[-1])
            out.append(arg)
            i += 1
        out.insert(1, "-XX:-UsePerfData")  # no hsperfdata file for a uid without a home
        _chown_tree(self.root, self.uid)
        return out

    def _copy(self, src: Path, name: str) -> str:
        if str(src).startswith(("/usr/", "/etc/")) or not src.exists():
            return str(src)  # system files are world-readable already
        dst = self.root / name
        if dst.exists():
            shutil.rmtree(dst) if dst.is_dir() else dst.unlink()
        if src.is_dir():
            shutil.copytree(src, dst, symlinks=True)
        else:
            shutil.copy2(src, dst)
        return str(dst)

    def save_data(self) -> None:
        """Copy the app's data back to the device's ``/data/data/PKG`` (the app has stopped)."""
        if self.host_data is None or not self.data.is_dir():
            return
        if self.host_data.exists():
            shutil.rmtree(self.host_data)
        shutil.copytree(self.data, self.host_data, symlinks=True)  # new files: ours again
        os.chmod(self.host_data, 0o700)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
