"""``sync:``: the file transfer protocol (``adb push/pull/ls``, adbutils ``device.sync``).

Requests are ``[id:4][path length:4 LE][path]``. Supported: ``STAT`` (lstat, v1), ``STA2`` and
``LST2`` (stat/lstat, v2), ``LIST``/``LIS2``, ``SEND`` (``path,mode`` then ``DATA`` chunks of
at most 64 KiB and ``DONE`` with the mtime), ``RECV`` and ``QUIT``. Files stream through in
64 KiB pieces, never whole in memory. Device paths are mapped to host paths by the backend, which
raises the errors a device would (``EROFS`` for ``/system``...); they reach the host as ``FAIL``
messages with the device's wording, e.g. ``couldn't create file: Read-only file system``.
"""

from __future__ import annotations

import errno
import logging
import os
import posixpath
import stat as stat_mod
import struct
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn

from harness.sim.adb.services.base import Handler
from harness.sim.adb.stream import BufferedWriter, Stream, StreamReader
from harness.sim.hostfs import make_dirs

if TYPE_CHECKING:
    from harness.sim.adb.connection import Connection

log = logging.getLogger("harness.sim.adb")

SYNC_DATA_MAX = 64 * 1024
MAX_PATH = 1024

REQUEST = struct.Struct("<4sI")
STAT_V1 = struct.Struct("<4sIII")
STAT_V2 = struct.Struct("<4sIQQIIIIQqqq")
DENT_V1 = struct.Struct("<4sIIII")
DENT_V2 = struct.Struct("<4sIQQIIIIQqqqI")
STATUS = struct.Struct("<4sI")


def open_sync(conn: Connection, rest: str) -> Handler:
    return lambda stream: SyncSession(conn, stream).run()


def _errno_of(exc: OSError) -> int:
    if exc.errno:
        return exc.errno
    if isinstance(exc, FileNotFoundError):
        return errno.ENOENT
    if isinstance(exc, PermissionError):
        return errno.EACCES
    return errno.EIO


class _Abort(Exception):
    """End the sync session (after a FAIL or on a protocol error), as adbd does."""


class SyncSession:
    def __init__(self, conn: Connection, stream: Stream) -> None:
        self.conn = conn
        self.backend = conn.daemon.backend
        self.stream = stream
        self.reader = StreamReader(stream)
        self.out = BufferedWriter(stream)

    def run(self) -> None:
        try:
            while self._one_request():
                self.out.flush()
        except _Abort as exc:
            log.info("%r: sync session ended: %s", self.stream, exc)
        except EOFError:
            log.debug("%r: host ended the sync session", self.stream)
        self.out.flush()

    def _one_request(self) -> bool:
        req_id, length = REQUEST.unpack(self.reader.read_exact(REQUEST.size))
        if length > MAX_PATH:
            self._fail("path too long")
        path = self.reader.read_exact(length).decode("utf-8", "surrogateescape")
        log.debug("%r: sync %s %r", self.stream, req_id.decode("latin-1"), path)
        if req_id == b"STAT":
            self._stat_v1(path)
        elif req_id in (b"STA2", b"LST2"):
            self._stat_v2(path, follow=req_id == b"STA2")
        elif req_id == b"LIST":
            self._list(path, v2=False)
        elif req_id == b"LIS2":
            self._list(path, v2=True)
        elif req_id == b"SEND":
            self._send(path)
        elif req_id == b"RECV":
            self._recv(path)
        elif req_id == b"QUIT":
            return False
        else:
            self._fail(f"unknown command {int.from_bytes(req_id, 'little'):08x}")
        return True

    # ---- helpers ----------------------------------------------------------------------------

    def _fail(self, message: str) -> NoReturn:
        raw = message.encode()
        self.out.write(STATUS.pack(b"FAIL", len(raw)) + raw)
        self.out.flush()
        raise _Abort(message)

    def _host(self, path: str, *, write: bool = False) -> Path:
        return Path(self.backend.resolve_path(path, write=write))

    def _lstat(self, path: str, *, follow: bool = False) -> os.stat_result:
        host = self._host(path)
        return self._device_view(path, os.stat(host) if follow else os.lstat(host))

    def _device_view(self, path: str, st: os.stat_result) -> os.stat_result:
        """``st`` with the device's mode bits, uid and gid (``backend.file_attributes``) instead
        of the host file's, so sync and the shell agree (``/data/local/tmp`` is 0771 in both)."""
        attributes = getattr(self.backend, "file_attributes", None)
        if attributes is None:
            return st
        mode, uid, gid = attributes(path, st)
        fields = list(st)
        fields[0], fields[4], fields[5] = mode, uid, gid
        return os.stat_result(fields)

    # ---- requests ---------------------------------------------------------------------------

    def _stat_v1(self, path: str) -> None:
        try:
            st = self._lstat(path)
            mode, size, mtime = st.st_mode, st.st_size & 0xFFFFFFFF, int(st.st_mtime) & 0xFFFFFFFF
        except OSError:
            mode = size = mtime = 0
        self.out.write(STAT_V1.pack(b"STAT", mode, size, mtime))

    @staticmethod
    def _v2_fields(st: os.stat_result) -> tuple[int, ...]:
        return (
            st.st_dev,
            st.st_ino,
            st.st_mode,
            st.st_nlink,
            st.st_uid,
            st.st_gid,
            st.st_size,
            int(st.st_atime),
            int(st.st_mtime),
            int(st.st_ctime),
        )

    def _stat_v2(self, path: str, *, follow: bool) -> None:
        req = b"STA2" if follow else b"LST2"
        try:
            st = self._lstat(path, follow=follow)
        except OSError as exc:
            self.out.write(STAT_V2.pack(req, _errno_of(exc), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
            return
        self.out.write(STAT_V2.pack(req, 0, *self._v2_fields(st)))

    def _list(self, path: str, *, v2: bool) -> None:
        try:
            host = self._host(path)
            names = [".", ".."] + sorted(os.listdir(host))
        except OSError as exc:
            log.debug("%r: LIST %r: %s", self.stream, path, exc)
            names = []
            host = Path("/nonexistent")
        for name in names:
            raw_name = os.fsencode(name)
            try:
                child = path if name == "." else posixpath.dirname(path.rstrip("/")) or "/" if name == ".." \
                    else posixpath.join(path, name)
                st = self._device_view(posixpath.normpath(child), os.lstat(host / name))
            except OSError as exc:
                if v2:
                    fields = (0,) * 10
                    self.out.write(DENT_V2.pack(b"DNT2", _errno_of(exc), *fields, len(raw_name)))
                    self.out.write(raw_name)
                continue
            if v2:
                self.out.write(DENT_V2.pack(b"DNT2", 0, *self._v2_fields(st), len(raw_name)))
            else:
                self.out.write(
                    DENT_V1.pack(
                        b"DENT",
                        st.st_mode,
                        st.st_size & 0xFFFFFFFF,
                        int(st.st_mtime) & 0xFFFFFFFF,
                        len(raw_name),
                    )
                )
            self.out.write(raw_name)
        if v2:
            self.out.write(DENT_V2.pack(b"DONE", *(0,) * 12))
        else:
            self.out.write(DENT_V1.pack(b"DONE", 0, 0, 0, 0))

    def _send(self, spec: str) -> None:
        path, comma, mode_text = spec.rpartition(",")
        if not comma:
            self._fail("missing , in ID_SEND_V1")
        try:
            mode = int(mode_text, 0)
        except ValueError:
            self._fail("bad mode")
        if stat_mod.S_ISLNK(mode):
            self._drain_and_fail("symlink failed: Operation not supported")
        # as adbd: copy the user permission bits to group and other
        perm = mode & 0o777
        perm |= (perm >> 3) & 0o070
        perm |= (perm >> 3) & 0o007
        try:
            host = self._host(path, write=True)
            fd = self._open_for_write(host, 0o600)  # host files stay private; the device mode is recorded
        except OSError as exc:
            self._drain_and_fail(f"couldn't create file: {os.strerror(_errno_of(exc))}")
        complete = False
        try:
            with os.fdopen(fd, "wb", buffering=0) as fh:
                mtime = self._receive_data(fh)
            os.utime(host, (mtime, mtime))
            record = getattr(self.backend, "record_mode", None)
            if record is not None:
                record(path, perm)
            complete = True
        finally:
            if not complete:
                host.unlink(missing_ok=True)
        self.out.write(STATUS.pack(b"OKAY", 0))

    @staticmethod
    def _open_for_write(host: Path, perm: int) -> int:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
        try:
            return os.open(host, flags, perm)
        except FileNotFoundError:
            make_dirs(host.parent, 0o700)
            return os.open(host, flags, perm)

    def _receive_data(self, fh: BinaryIO) -> int:
        """Write DATA chunks to ``fh`` until DONE; return DONE's mtime."""
        while True:
            msg_id, size = STATUS.unpack(self.reader.read_exact(STATUS.size))
            if msg_id == b"DONE":
                return size
            if msg_id != b"DATA":
                self._fail("invalid data message")
            if size > SYNC_DATA_MAX:
                self._fail("oversize data message")
            data = self.reader.read_exact(size)
            try:
                fh.write(data)
            except OSError as exc:
                self._drain_and_fail(f"write failed: {os.strerror(_errno_of(exc))}")

    def _drain_and_fail(self, message: str) -> NoReturn:
        """Report FAIL, then swallow the DATA the host is still sending up to DONE (adbd does
        this so old hosts that do not read while writing see the error)."""
        raw = message.encode()
        self.out.write(STATUS.pack(b"FAIL", len(raw)) + raw)
        self.out.flush()
        try:
            while True:
                msg_id, size = STATUS.unpack(self.reader.read_exact(STATUS.size))
                if msg_id != b"DATA" or size > SYNC_DATA_MAX:
                    break
                self.reader.read_exact(size)
        except EOFError:
            pass
        raise _Abort(message)

    def _recv(self, path: str) -> None:
        try:
            fh = open(self._host(path), "rb")  # noqa: SIM115
        except OSError as exc:
            self._fail(f"open failed: {os.strerror(_errno_of(exc))}")
        with fh:
            while True:
                try:
                    chunk = fh.read(SYNC_DATA_MAX)
                except OSError as exc:
                    self._fail(f"read failed: {os.strerror(_errno_of(exc))}")
                if not chunk:
                    break
                self.out.write(STATUS.pack(b"DATA", len(chunk)))
                self.out.write(chunk)
        self.out.write(STATUS.pack(b"DONE", 0))
