"""Which state folder a running virtual handset owns: an ``flock`` on ``STATE/handset.lock``.

A running handset holds an exclusive ``flock(2)`` on that file for as long as it runs; the kernel
drops it when the process ends, however it ends (SIGKILL included). Unlike a pid in a record, a
lock is seen the same way from every PID namespace sharing the file system (a container sharing
``HARNESS_HOME``, ``unshare -p``), so "lock held" is what liveness rests on
(:func:`harness.sim.service.status`), and a second handset on a state folder whose lock is held is
refused (trial 6 finding 4). Linux ``flock`` semantics: locks belong to open file descriptions, so
a probe from the holding process itself also sees it held.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from pathlib import Path

from harness.errors import SimError
from harness.fsutil import FILE_MODE

LOCK_NAME = "handset.lock"
#: how long :func:`hold` retries while a probe (:func:`held`) briefly holds the lock, seconds
PROBE_GRACE = 2.0


def lock_path(state_dir: str | os.PathLike[str]) -> Path:
    return Path(state_dir) / LOCK_NAME


def _open(path: Path, create: bool) -> int:
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    return os.open(path, flags, FILE_MODE)


def held(state_dir: str | os.PathLike[str]) -> bool:
    """Whether a running handset holds the lock of ``state_dir`` (False when there is no lock file).
    Read-only for the record: the probe takes a shared lock for an instant and releases it."""
    try:
        fd = _open(lock_path(state_dir), create=False)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def hold(state_dir: str | os.PathLike[str]) -> int:
    """Take the lock of ``state_dir`` for this process; returns the descriptor to keep open (close it
    with :func:`release`). Raises :class:`SimError` when another handset holds it."""
    path = lock_path(state_dir)
    fd = _open(path, create=True)
    deadline = time.monotonic() + PROBE_GRACE
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                os.close(fd)
                raise
            if time.monotonic() >= deadline:  # not a passing probe: a handset runs on this folder
                os.close(fd)
                raise SimError(f"another virtual handset is running on the state folder {Path(state_dir)} "
                               f"(it holds {path})",
                               fix="use that handset, stop it (`harness sim stop`), or give this one "
                                   "another --state-dir / --name") from None
            time.sleep(0.05)


def release(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def holder(state_dir: str | os.PathLike[str]) -> int | None:
    """The pid, in this PID namespace, of the process holding the lock of ``state_dir``, or None
    (not held, or held by a process this namespace cannot see: the kernel lists in ``/proc/locks``
    only locks whose holder the reader's namespace sees, with the pid as seen from there)."""
    try:
        st = os.stat(lock_path(state_dir))
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in lines:
        parts = line.split()
        # "1: FLOCK  ADVISORY  WRITE 16360 fe:00:2147211 0 EOF" ("->" marks a waiter, not a holder)
        if len(parts) >= 6 and parts[1] == "FLOCK" and parts[3] == "WRITE" and parts[5] == key:
            return int(parts[4]) or None
    return None
