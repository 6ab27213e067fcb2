"""Run parsed shell lines against the virtual device, like ``/system/bin/sh`` (mksh) would."""

from __future__ import annotations

import fnmatch
import io as _io
import posixpath
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from harness.sim.android.shell.parser import Command, ListItem, ShellSyntaxError, Word, parse

if TYPE_CHECKING:
    from harness.sim.android.device import AndroidDevice

SH = "/system/bin/sh"
#: folders whose ``X`` resolves to the built-in command ``X``
BIN_DIRS = ("/system/bin", "/system/xbin", "/bin", "/vendor/bin", "/sbin", "/product/bin")
_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


class _Empty:
    def read(self, n: int = -1) -> bytes:
        return b""


@dataclass
class CmdIO:
    """The three streams of one command, plus the "host went away" event."""

    stdin: object
    out: Callable[[bytes], object]
    err: Callable[[bytes], object]
    closed: threading.Event = field(default_factory=threading.Event)

    def print(self, text: str = "") -> None:
        self.out((text + "\n").encode())

    def error(self, text: str) -> None:
        self.err((text + "\n").encode())

    def read_all(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            chunk = self.stdin.read(65536)  # type: ignore[attr-defined]
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def null_io() -> CmdIO:
    return CmdIO(_Empty(), lambda b: None, lambda b: None)


class Shell:
    """One shell session: a user id, variables and the last exit status."""

    def __init__(self, device: AndroidDevice, uid: int = 2000, cwd: str = "/") -> None:
        self.device = device
        self.uid = uid
        self.cwd = cwd
        self.status = 0
        self.vars: dict[str, str] = {
            "PATH": "/product/bin:/apex/com.android.runtime/bin:/system/bin:/system/xbin:/vendor/bin",
            "HOME": "/",
            "SHELL": SH,
            "ANDROID_DATA": "/data",
            "ANDROID_ROOT": "/system",
            "EXTERNAL_STORAGE": "/sdcard",
            "TMPDIR": "/data/local/tmp",
            "USER": "root" if uid == 0 else "shell",
        }

    @property
    def user(self) -> str:
        return "root" if self.uid == 0 else "shell"

    def child(self, uid: int | None = None) -> Shell:
        sub = Shell(self.device, self.uid if uid is None else uid, self.cwd)
        sub.vars.update({k: v for k, v in self.vars.items() if k != "USER"})
        return sub

    # -- entry points ------------------------------------------------------------------------
    def run(self, text: str, io: CmdIO) -> int:
        try:
            return self._run(text, io)
        except ShellExit as exc:
            self.status = exc.status
            return exc.status

    def _run(self, text: str, io: CmdIO) -> int:
        try:
            items = parse(text)
        except ShellSyntaxError as exc:
            io.error(f"{SH}: {exc}")
            self.status = 2
            return 2
        for item in items:
            if item.joiner == "&&" and self.status != 0:
                continue
            if item.joiner == "||" and self.status == 0:
                continue
            if item.background:
                self._background(item)
                self.status = 0
            else:
                self.status = self._pipeline(item, io)
            if io.closed.is_set():
                break
        return self.status

    def _background(self, item: ListItem) -> None:
        sub = self.child()
        t = threading.Thread(
            target=sub._pipeline, args=(replace(item, background=False), null_io()),
            name="vsim-sh-bg", daemon=True,
        )
        t.start()

    def _pipeline(self, item: ListItem, io: CmdIO) -> int:
        commands = item.pipeline.commands
        stdin = io.stdin
        status = 0
        for i, cmd in enumerate(commands):
            last = i == len(commands) - 1
            if last:
                status = self._simple(cmd, replace(io, stdin=stdin))
            else:
                buf = _io.BytesIO()
                self._simple(cmd, CmdIO(stdin, buf.write, io.err, io.closed))
                stdin = _io.BytesIO(buf.getvalue())
        return status

    # -- expansion ---------------------------------------------------------------------------
    def expand(self, word: Word, *, glob: bool = True) -> list[str]:
        fields: list[str] = []
        cur: list[str] = []
        started = False
        has_glob = False
        for part in word.parts:
            if part.kind == "lit":
                cur.append(part.value)
                started = True
                if not part.quoted and any(c in part.value for c in "*?["):
                    has_glob = True
                continue
            value = self._var(part.value) if part.kind == "var" else self._substitute(part.value)
            if part.quoted:
                cur.append(value)
                started = True
                continue
            pieces = value.split()
            if not pieces:
                continue
            if value[:1].isspace() and started:
                fields.append("".join(cur))
                cur = []
            cur.append(pieces[0])
            started = True
            for piece in pieces[1:]:
                fields.append("".join(cur))
                cur = [piece]
            if value[-1:].isspace():
                fields.append("".join(cur))
                cur, started = [], False
        if started:
            fields.append("".join(cur))
        if glob and has_glob and len(fields) == 1:
            matches = self._glob(fields[0])
            if matches:
                return matches
        return fields

    def _var(self, name: str) -> str:
        if name == "?":
            return str(self.status)
        if name == "$":
            return "900"
        if name == "#":
            return "0"
        if name == "0":
            return SH
        return self.vars.get(name, "")

    def _substitute(self, source: str) -> str:
        buf = _io.BytesIO()
        sub = self.child()
        sub.run(source, CmdIO(_Empty(), buf.write, lambda b: None))
        self.status = sub.status
        return buf.getvalue().decode(errors="replace").rstrip("\n")

    def _glob(self, pattern: str) -> list[str]:
        """Expand ``*``/``?`` in the last path component only (enough for ``cp DIR/* DEST``)."""
        folder, name = posixpath.split(pattern)
        if any(c in folder for c in "*?["):
            return []
        abs_folder = posixpath.join(self.cwd, folder) if not folder.startswith("/") else folder
        try:
            host = self.device.fs.check(abs_folder or "/", self.uid)
            names = sorted(p.name for p in host.iterdir())
        except OSError:
            return []
        return [posixpath.join(folder, n) if folder else n for n in names
                if fnmatch.fnmatchcase(n, name) and (name.startswith(".") or not n.startswith("."))]

    # -- simple commands ---------------------------------------------------------------------
    def _simple(self, cmd: Command, io: CmdIO) -> int:
        argv: list[str] = []
        for w in cmd.words:
            argv.extend(self.expand(w))
        opened: list[object] = []
        try:
            io = self._redirect(cmd, io, opened)
        except _RedirectError as exc:
            io.error(f"{SH}: {exc}")
            return 1
        try:
            while argv and _ASSIGN.match(argv[0]):
                name, _, value = argv.pop(0).partition("=")
                self.vars[name] = value
            if not argv:
                return 0
            return self.exec(argv, io)
        finally:
            for fh in opened:
                fh.close()  # type: ignore[attr-defined]

    def _redirect(self, cmd: Command, io: CmdIO, opened: list[object]) -> CmdIO:
        fds: dict[int, Callable[[bytes], object]] = {1: io.out, 2: io.err}
        stdin = io.stdin
        for r in cmd.redirects:
            targets = self.expand(r.target, glob=False)
            target = targets[0] if targets else ""
            if r.op == ">&":
                if target == "-":
                    fds[r.fd] = lambda b: None
                elif target.isdigit() and int(target) in fds:
                    fds[r.fd] = fds[int(target)]
                else:
                    raise _RedirectError(f"{target}: bad file descriptor")
                continue
            path = target if target.startswith("/") else posixpath.join(self.cwd, target)
            if r.op == "<":
                if path == "/dev/null":
                    stdin = _Empty()
                    continue
                try:
                    host = self.device.fs.check(path, self.uid)
                    stdin = _io.BytesIO(host.read_bytes())
                except OSError as exc:
                    raise _RedirectError(f"can't open {target}: {exc.strerror}") from None
                continue
            if path == "/dev/null":
                fds[r.fd] = lambda b: None
                continue
            try:
                self.device.fs.write_file(path, b"", self.uid, append=(r.op == ">>"))
                host = self.device.fs.host_path(path)
                fh = open(host, "ab")  # noqa: SIM115 - closed by _simple
            except OSError as exc:
                raise _RedirectError(f"can't create {target}: {exc.strerror}") from None
            opened.append(fh)

            def write(b: bytes, fh=fh) -> None:
                fh.write(b)
                fh.flush()

            fds[r.fd] = write
        return CmdIO(stdin, fds[1], fds.get(2, io.err), io.closed)

    def exec(self, argv: list[str], io: CmdIO) -> int:
        """Run one command (built-in, or a file on the device) with arguments."""
        from harness.sim.android.shell.commands import COMMANDS
        from harness.sim.android.shell.executables import run_file

        name = argv[0]
        if "/" in name:
            folder, base = posixpath.split(name)
            if folder in BIN_DIRS and base in COMMANDS and self.device.has_command(base):
                return COMMANDS[base](self, argv, io)
            return run_file(self, argv, io)
        if name in COMMANDS and self.device.has_command(name):
            return COMMANDS[name](self, argv, io)
        io.error(f"{SH}: {name}: inaccessible or not found")
        return 127


class _RedirectError(Exception):
    pass


class ShellExit(Exception):  # noqa: N818 - control flow, like SystemExit
    """``exit N``: ends the shell that runs the current line."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status
