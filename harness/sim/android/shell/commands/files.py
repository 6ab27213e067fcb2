"""File commands that read (toybox style): cat, echo, ls, stat, df; shared flag and error helpers.

Commands that change files are in :mod:`harness.sim.android.shell.commands.filemods`."""

from __future__ import annotations

import errno
import os
import posixpath
import stat as stat_mod
import time
from pathlib import Path

from harness.sim.android.fs import FileMeta, norm
from harness.sim.android.shell.commands import command
from harness.sim.android.shell.interp import CmdIO, Shell


def split_flags(argv: list[str], known: str) -> tuple[set[str], list[str]]:
    """Toybox-style short flags (``-rf``, ``-l -a``) and the remaining operands."""
    flags: set[str] = set()
    rest: list[str] = []
    only_operands = False
    for a in argv[1:]:
        if not only_operands and a == "--":
            only_operands = True
        elif not only_operands and a.startswith("-") and len(a) > 1 and all(c in known for c in a[1:]):
            flags.update(a[1:])
        else:
            rest.append(a)
    return flags, rest


def fail(io: CmdIO, cmd: str, path: str, exc: OSError, quote: bool = False) -> int:
    shown = f"'{path}'" if quote else path
    io.error(f"{cmd}: {shown}: {exc.strerror or os.strerror(exc.errno or errno.EIO)}")
    return 1


def _enoent(path: str) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)


def _abs(sh: Shell, path: str) -> str:
    return norm(path, sh.cwd)


# -- reading -------------------------------------------------------------------------------------
@command("cat")
def cat(sh: Shell, argv: list[str], io: CmdIO) -> int:
    _, paths = split_flags(argv, "uvtAe")
    if not paths:
        io.out(io.read_all())
        return 0
    status = 0
    for p in paths:
        if p == "-":
            io.out(io.read_all())
            continue
        try:
            host = sh.device.fs.check(_abs(sh, p), sh.uid)
            if host.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), p)
            if not host.exists():
                raise _enoent(p)
            io.out(host.read_bytes())
        except OSError as exc:
            status = fail(io, "cat", p, exc)
    return status


@command("echo")
def echo(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    newline = True
    escapes = False
    while args and args[0] in ("-n", "-e", "-ne", "-en"):
        newline = newline and "n" not in args[0]
        escapes = escapes or "e" in args[0]
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text = text.encode().decode("unicode_escape")
    io.out((text + ("\n" if newline else "")).encode())
    return 0


def effective_meta(sh: Shell, path: str, host: Path) -> FileMeta:
    """The device's mode, owners and label of ``path`` (see ``DeviceFS.effective_meta``)."""
    return sh.device.fs.effective_meta(path, host.is_dir())


def _mode_string(mode: int, is_dir: bool) -> str:
    return ("d" if is_dir else "-") + stat_mod.filemode(mode)[1:]


def _long_line(sh: Shell, path: str, host: Path, shown: str, label: bool) -> str:
    st = host.stat()
    meta = effective_meta(sh, path, host)
    is_dir = host.is_dir()
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(st.st_mtime))
    size = 3452 if is_dir else st.st_size
    ctx = f" {meta.label}" if label else ""
    return (f"{_mode_string(meta.mode or 0, is_dir)} {2 if is_dir else 1:>2} {meta.owner:<6} {meta.group:<6}{ctx}"
            f" {size:>8} {stamp} {shown}")


@command("ls")
def ls(sh: Shell, argv: list[str], io: CmdIO) -> int:
    flags, paths = split_flags(argv, "laAdZ1RhsnF")
    paths = paths or [sh.cwd]
    status = 0
    multiple = len(paths) > 1
    for p in paths:
        path = _abs(sh, p)
        try:
            host = sh.device.fs.check(path, sh.uid)
            if not host.exists():
                raise _enoent(p)
        except OSError as exc:
            status = fail(io, "ls", p, exc)
            continue
        if host.is_dir() and "d" not in flags:
            names = sorted(n.name for n in host.iterdir())
            if "a" in flags:
                names = [".", ".."] + names
            elif "A" not in flags:
                names = [n for n in names if not n.startswith(".")]
            if multiple:
                io.print(f"{p}:")
            for n in names:
                if "l" in flags:
                    child = path if n == "." else posixpath.dirname(path) if n == ".." else posixpath.join(path, n)
                    io.print(_long_line(sh, child, sh.device.fs.host_path(child), n, "Z" in flags))
                elif "Z" in flags:
                    child = posixpath.join(path, n)
                    io.print(f"{effective_meta(sh, child, sh.device.fs.host_path(child)).label} {n}")
                else:
                    io.print(n)
        elif "l" in flags:
            io.print(_long_line(sh, path, host, p, "Z" in flags))
        elif "Z" in flags:
            io.print(f"{effective_meta(sh, path, host).label} {p}")
        else:
            io.print(p)
    return status


@command("stat")
def stat_cmd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    fmt = None
    if len(args) >= 2 and args[0] in ("-c", "--format"):
        fmt, args = args[1], args[2:]
    elif args and args[0].startswith("-c") and len(args[0]) > 2:
        fmt, args = args[0][2:], args[1:]
    status = 0
    for p in args:
        path = _abs(sh, p)
        try:
            host = sh.device.fs.check(path, sh.uid)
            if not host.exists():
                raise _enoent(p)
        except OSError as exc:
            status = fail(io, "stat", p, exc, quote=True)
            continue
        st = host.stat()
        meta = effective_meta(sh, path, host)
        kind = "directory" if host.is_dir() else "regular file" if st.st_size else "regular empty file"
        values = {
            "a": f"{meta.mode:o}", "A": _mode_string(meta.mode or 0, host.is_dir()), "n": p,
            "s": str(st.st_size), "U": meta.owner or "", "G": meta.group or "", "C": meta.label or "", "F": kind,
            "Y": str(int(st.st_mtime)), "%": "%",
        }
        if fmt is not None:
            out, i = [], 0
            while i < len(fmt):
                if fmt[i] == "%" and i + 1 < len(fmt):
                    out.append(values.get(fmt[i + 1], "?"))
                    i += 2
                else:
                    out.append(fmt[i])
                    i += 1
            io.print("".join(out))
        else:
            io.print(f"  File: {p}\n  Size: {st.st_size}\t Blocks: {(st.st_size + 511) // 512}\t {kind}\n"
                     f"Access: (0{meta.mode:o}/{values['A']})\tUid: ({meta.owner})\tGid: ({meta.group})\n"
                     f"Modify: {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(st.st_mtime))}")
    return status


@command("df")
def df(sh: Shell, argv: list[str], io: CmdIO) -> int:
    io.print("Filesystem       1K-blocks    Used Available Use% Mounted on")
    io.print("/dev/block/dm-0    3030800 2980112     34304  99% /")
    io.print("tmpfs              3880716    1420   3879296   1% /dev")
    io.print("/dev/block/dm-7  113037040 9104584 103801384   9% /data")
    io.print("/dev/fuse        113037040 9104584 103801384   9% /storage/emulated")
    return 0
