"""Private files and folders: captures, CA keys and journals are sensitive evidence.

Folders are created 0700 and files 0600, whatever the process umask says (every missing parent
too, not only the last folder). A folder or file the harness uses must belong to the user running
it: one that belongs to someone else (another local user swapped ``ca/`` or planted a journal in
a folder left open by an older harness or umask 000) raises :class:`UnsafePathError`; a folder of
ours that is open to others is closed again (0700). Files are opened without following a symlink
in their last component, so a planted link cannot make the harness overwrite its target
(issue 11 item 3; threat model in docs/security.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import stat
from pathlib import Path
from typing import IO

from harness.errors import UnsafePathError, UsageError

DIR_MODE = 0o700
FILE_MODE = 0o600


def _check_owner(p: Path, st: os.stat_result, what: str) -> None:
    if st.st_uid != os.geteuid():
        raise UnsafePathError(
            f"{what} {p} belongs to uid {st.st_uid}, not to you (uid {os.geteuid()}); refusing to use it",
            attempted=f"check {what}",
            fix="another user may have planted it: inspect it, remove it (or give it back to "
                "yourself) and keep HARNESS_HOME mode 0700",
        )


def check_private_dir(path: str | os.PathLike[str]) -> Path:
    """``path`` is a folder of ours (a symlink to one must be ours too); close it to others
    (0700) if it is open. Raises UnsafePathError otherwise."""
    p = Path(path)
    lst = os.lstat(p)
    if stat.S_ISLNK(lst.st_mode):
        _check_owner(p, lst, "symlink")
    st = os.stat(p)
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafePathError(f"{p} is not a folder", attempted="check folder",
                              fix="move the file away or choose another path")
    _check_owner(p, st, "folder")
    if stat.S_IMODE(st.st_mode) != DIR_MODE:
        os.chmod(p, DIR_MODE)
    return p


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` and every missing parent 0700 (umask ignored); check the folder is ours and
    make it 0700. Existing parents are left as they are. Raises UnsafePathError, OSError."""
    p = Path(path)
    missing: list[Path] = []
    probe = p
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:  # created meanwhile (another thread): checked below
            pass
        else:
            os.chmod(folder, DIR_MODE)
    return check_private_dir(p)


def make_parents(path: str | os.PathLike[str]) -> Path:
    """Create the missing parents of the file ``path`` 0700; existing ones are left alone."""
    parent = Path(path).parent
    if not os.path.lexists(parent):
        private_dir(parent)
    return Path(path)


def _check_file(p: Path, fd: int) -> None:
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise UnsafePathError(f"{p} is not a regular file", attempted="open file",
                              fix="remove it or choose another path")
    _check_owner(p, st, "file")


def _open_nofollow(p: Path, flags: int) -> int:
    try:
        return os.open(p, flags | os.O_NOFOLLOW | os.O_NONBLOCK, FILE_MODE)
    except OSError as exc:
        if os.path.islink(p):
            raise UnsafePathError(f"{p} is a symlink; the harness does not write through one",
                                  attempted="open file",
                                  fix="remove the link (someone may have planted it) or choose another path") from exc
        raise


def open_private(path: str | os.PathLike[str], mode: str = "wb") -> IO:
    """Open ``path`` for writing (``"wb"``, ``"w"``; ``"ab"``/``"a"`` to append) as a 0600 file of
    ours, created if missing, never through a symlink (UnsafePathError). Text modes are UTF-8."""
    p = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else 0)
    fd = _open_nofollow(p, flags)
    try:
        _check_file(p, fd)
        if not mode.startswith("a"):
            os.ftruncate(fd, 0)
        os.fchmod(fd, FILE_MODE)
        os.set_blocking(fd, True)
        if "b" in mode:
            return os.fdopen(fd, mode)
        return os.fdopen(fd, mode, encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def check_private_file(path: str | os.PathLike[str], mode: int | None = FILE_MODE) -> Path:
    """``path`` is a regular file of ours, not a symlink; set its mode to ``mode`` (None: leave
    it). Raises UnsafePathError, FileNotFoundError."""
    p = Path(path)
    lst = os.lstat(p)
    if stat.S_ISLNK(lst.st_mode) or not stat.S_ISREG(lst.st_mode):
        raise UnsafePathError(f"{p} is not a regular file (a symlink or a device?)", attempted="check file",
                              fix="remove it (someone may have planted it); the harness makes a new one")
    _check_owner(p, lst, "file")
    if mode is not None and stat.S_IMODE(lst.st_mode) != mode:
        os.chmod(p, mode)
    return p


def private_file(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` empty if missing and make it 0600 (ours, not a symlink)."""
    p = Path(path)
    fd = _open_nofollow(p, os.O_WRONLY | os.O_CREAT)
    try:
        _check_file(p, fd)
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return p


def write_private(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` atomically to a 0600 file (a new temp file + rename: a symlink at ``path``
    is replaced, its target is never written). On any failure (``path`` is a folder, the disk is
    full, a signal) the temp file is removed: no hidden copy is left beside ``path``. Raises
    OSError (for a path a user named, :func:`write_output` words it)."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.tmp{os.getpid()}.{secrets.token_hex(4)}")
    raw = data.encode() if isinstance(data, str) else data
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
    try:  # from here on the temp file is ours: it goes whatever happens
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fd, FILE_MODE)
            fh.write(raw)
            fh.flush()
            os.fsync(fd)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return p


def check_output_file(path: str | os.PathLike[str], option: str, *, make_folder: bool = False) -> Path:
    """Check a file path a user named for output (``harness report -o/--junit``, ``harness bundle
    -o``, ``harness export -o``, ``--ready-file``) before any work is done: it is not a folder and
    its folder exists (``make_folder``: or can be made). Raises UsageError naming ``option`` and at
    most ~80 characters of the path."""
    from harness.parsing import short_path

    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{option} {short_path(p)} is a folder", fix="give a file path, not a folder")
    probe = p.parent
    while make_folder and not os.path.lexists(probe) and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        what = "is not a folder" if os.path.lexists(probe) else "does not exist"
        raise UsageError(f"{option} {short_path(p)}: folder {short_path(probe)} {what}",
                         fix="give a path in an existing folder")
    return p


def write_output(path: str | os.PathLike[str], data: bytes | str, option: str) -> Path:
    """:func:`write_private` to a path a user named (``option``): an OS error (a folder, a missing
    folder, no permission, a full disk) becomes one UsageError line naming it, exit 2; no temp file
    is left."""
    from harness.parsing import short_path

    try:
        return write_private(path, data)
    except UnsafePathError:
        raise
    except OSError as exc:
        raise UsageError(f"{option}: cannot write {short_path(path)}: {exc.strerror or type(exc).__name__}",
                         fix="choose a writable output path (a file in an existing folder)") from None


def flock_held(path: str | os.PathLike[str]) -> bool:
    """True while some other open file description holds an exclusive ``flock`` on ``path`` (a
    writer, a session, a handset); False when the file is missing or nobody holds it. Probes with a
    shared, non-blocking lock, dropped at once."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock taken here
    return False
