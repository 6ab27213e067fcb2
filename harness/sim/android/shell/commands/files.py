"""File commands (toybox style): cat, echo, ls, mkdir, rm, chmod, chown, chcon, cp, mv, touch, stat, df."""

from __future__ import annotations

import errno
import os
import posixpath
import shutil
import stat as stat_mod
import time
from pathlib import Path

from harness.fsutil import DIR_MODE, FILE_MODE
from harness.sim.android.fs import FileMeta, norm, under
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


def _default_meta(path: str, is_dir: bool) -> FileMeta:
    if under(path, "/data/local/tmp") or under(path, "/sdcard") or under(path, "/storage"):
        owner = group = "shell"
        label = "u:object_r:shell_data_file:s0"
    elif under(path, "/data"):
        owner = "system" if not under(path, "/data/local") else "shell"
        group = owner
        label = "u:object_r:system_data_file:s0"
    else:
        owner = group = "root"
        label = "u:object_r:system_file:s0"
    if under(path, "/system/etc/security/cacerts") or under(path, "/apex"):
        label = "u:object_r:system_security_cacerts_file:s0" if not under(path, "/apex") else \
            "u:object_r:system_file:s0"
    mode = (0o771 if under(path, "/data") else 0o755) if is_dir else 0o644
    return FileMeta(mode, owner, group, label)


def effective_meta(sh: Shell, path: str, host: Path) -> FileMeta:
    base = _default_meta(path, host.is_dir())
    rec = sh.device.fs.get_meta(path)
    return FileMeta(
        rec.mode if rec.mode is not None else base.mode,
        rec.owner or base.owner,
        rec.group or base.group,
        rec.label or base.label,
    )


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


# -- writing -------------------------------------------------------------------------------------
@command("mkdir")
def mkdir(sh: Shell, argv: list[str], io: CmdIO) -> int:
    flags, paths = split_flags(argv, "pv")
    status = 0
    for p in paths:
        path = _abs(sh, p)
        try:
            host = sh.device.fs.check(path, sh.uid, write=True)
            if host.exists():
                if "p" in flags and host.is_dir():
                    continue
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), p)
            if "p" not in flags and not host.parent.is_dir():
                raise _enoent(p)
            host.mkdir(parents=True, mode=DIR_MODE)
        except OSError as exc:
            status = fail(io, "mkdir", p, exc, quote=True)
    return status


@command("touch")
def touch(sh: Shell, argv: list[str], io: CmdIO) -> int:
    _, paths = split_flags(argv, "acm")
    status = 0
    for p in paths:
        path = _abs(sh, p)
        try:
            host = sh.device.fs.check(path, sh.uid, write=True)
            if host.exists():
                os.utime(host)
            else:
                sh.device.fs.write_file(path, b"", sh.uid)
        except OSError as exc:
            status = fail(io, "touch", p, exc, quote=True)
    return status


@command("rm")
def rm(sh: Shell, argv: list[str], io: CmdIO) -> int:
    flags, paths = split_flags(argv, "rRfv")
    status = 0
    for p in paths:
        path = _abs(sh, p)
        try:
            host = sh.device.fs.check(path, sh.uid, write=True)
            if not host.exists():
                if "f" in flags:
                    continue
                raise _enoent(p)
            if host.is_dir():
                if not flags & {"r", "R"}:
                    raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), p)
                if any(m.target != path and under(m.target, path) for m in sh.device.fs.mounts()):
                    raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), p)
                shutil.rmtree(host)
            else:
                host.unlink()
            sh.device.fs.forget_meta(path)
        except OSError as exc:
            status = fail(io, "rm", p, exc)
    return status


def _copy_one(sh: Shell, src: str, dst: str, recursive: bool, move: bool, keep_meta: bool) -> None:
    fs = sh.device.fs
    src_host = fs.check(src, sh.uid, write=move)
    if not src_host.exists():
        raise _enoent(src)
    dst_host = fs.check(dst, sh.uid, write=True)
    if dst_host.is_dir():
        dst = posixpath.join(dst, posixpath.basename(src))
        dst_host = fs.check(dst, sh.uid, write=True)
    if not dst_host.parent.is_dir():
        raise _enoent(dst)
    if src_host.is_dir():
        if not recursive and not move:
            raise IsADirectoryError(errno.EISDIR, "Is a directory (use -r)", src)
        if move:
            shutil.move(str(src_host), str(dst_host))
        else:
            shutil.copytree(src_host, dst_host, dirs_exist_ok=True, copy_function=shutil.copyfile)
        for d in [dst_host, *dst_host.rglob("*")]:
            os.chmod(d, DIR_MODE if d.is_dir() else FILE_MODE)
    else:
        if move:
            shutil.move(str(src_host), str(dst_host))
        else:
            shutil.copyfile(src_host, dst_host)
        os.chmod(dst_host, FILE_MODE)
    meta = fs.get_meta(src)
    if move or keep_meta:
        if meta != FileMeta():
            fs.set_meta(dst, **vars(meta))
    if move:
        fs.forget_meta(src)


@command("cp")
def cp(sh: Shell, argv: list[str], io: CmdIO) -> int:
    flags, paths = split_flags(argv, "rRapfv")
    return _copy_cmd(sh, "cp", flags, paths, io, move=False)


@command("mv")
def mv(sh: Shell, argv: list[str], io: CmdIO) -> int:
    flags, paths = split_flags(argv, "fvn")
    return _copy_cmd(sh, "mv", flags, paths, io, move=True)


def _copy_cmd(sh: Shell, name: str, flags: set[str], paths: list[str], io: CmdIO, move: bool) -> int:
    if len(paths) < 2:
        io.error(f"{name}: Need 2 arguments (see \"{name} --help\")")
        return 1
    *sources, dest = paths
    dest_abs = _abs(sh, dest)
    if len(sources) > 1:
        try:
            if not sh.device.fs.check(dest_abs, sh.uid).is_dir():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), dest)
        except OSError as exc:
            return fail(io, name, dest, exc, quote=True)
    status = 0
    for s in sources:
        try:
            _copy_one(sh, _abs(sh, s), dest_abs, recursive=bool(flags & {"r", "R", "a"}), move=move,
                      keep_meta=bool(flags & {"a", "p"}))
        except OSError as exc:
            status = fail(io, name, exc.filename or s, exc, quote=True)
    return status


def _parse_mode(spec: str, current: int) -> int | None:
    if spec.isdigit():
        return int(spec, 8)
    mode = current
    for clause in spec.split(","):
        who = ""
        i = 0
        while i < len(clause) and clause[i] in "ugoa":
            who += clause[i]
            i += 1
        if i >= len(clause) or clause[i] not in "+-=":
            return None
        op, perms = clause[i], clause[i + 1:]
        who = who or "a"
        bits = 0
        for w in who:
            shifts = {"u": [6], "g": [3], "o": [0], "a": [6, 3, 0]}[w]
            for s in shifts:
                for ch in perms:
                    bits |= {"r": 4, "w": 2, "x": 1}.get(ch, 0) << s
        if op == "+":
            mode |= bits
        elif op == "-":
            mode &= ~bits
        else:
            mode = (mode & ~bits) | bits
    return mode


def _targets(sh: Shell, path: str, recursive: bool) -> list[str]:
    host = sh.device.fs.host_path(path)
    out = [path]
    if recursive and host.is_dir():
        for child in sorted(host.rglob("*")):
            out.append(posixpath.join(path, child.relative_to(host).as_posix()))
    return out


def _meta_command(sh: Shell, argv: list[str], io: CmdIO, name: str, root_only: bool, apply) -> int:
    flags, args = split_flags(argv, "RhfvH")
    if len(args) < 2:
        io.error(f"{name}: Need 2 arguments (see \"{name} --help\")")
        return 1
    spec, paths = args[0], args[1:]
    status = 0
    for p in paths:
        path = _abs(sh, p)
        try:
            host = sh.device.fs.check(path, sh.uid, write=True)
            if not host.exists():
                raise _enoent(p)
            if root_only and sh.uid != 0:
                raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), p)
            for t in _targets(sh, path, "R" in flags):
                if not apply(t, spec):
                    io.error(f"{name}: invalid argument '{spec}'")
                    return 1
        except OSError as exc:
            status = fail(io, name, p, exc)
    return status


@command("chmod")
def chmod(sh: Shell, argv: list[str], io: CmdIO) -> int:
    def apply(path: str, spec: str) -> bool:
        current = effective_meta(sh, path, sh.device.fs.host_path(path)).mode or 0
        mode = _parse_mode(spec, current)
        if mode is None:
            return False
        sh.device.fs.set_meta(path, mode=mode)
        return True

    return _meta_command(sh, argv, io, "chmod", False, apply)


@command("chown")
def chown(sh: Shell, argv: list[str], io: CmdIO) -> int:
    def apply(path: str, spec: str) -> bool:
        owner, _, group = spec.replace(".", ":").partition(":")
        changes = {}
        if owner:
            changes["owner"] = owner
        if group:
            changes["group"] = group
        sh.device.fs.set_meta(path, **changes)
        return True

    return _meta_command(sh, argv, io, "chown", True, apply)


@command("chgrp")
def chgrp(sh: Shell, argv: list[str], io: CmdIO) -> int:
    def apply(path: str, spec: str) -> bool:
        sh.device.fs.set_meta(path, group=spec)
        return True

    return _meta_command(sh, argv, io, "chgrp", True, apply)


@command("chcon")
def chcon(sh: Shell, argv: list[str], io: CmdIO) -> int:
    def apply(path: str, spec: str) -> bool:
        if spec.count(":") < 3:
            return False
        sh.device.fs.set_meta(path, label=spec)
        return True

    return _meta_command(sh, argv, io, "chcon", True, apply)


@command("df")
def df(sh: Shell, argv: list[str], io: CmdIO) -> int:
    io.print("Filesystem       1K-blocks    Used Available Use% Mounted on")
    io.print("/dev/block/dm-0    3030800 2980112     34304  99% /")
    io.print("tmpfs              3880716    1420   3879296   1% /dev")
    io.print("/dev/block/dm-7  113037040 9104584 103801384   9% /data")
    io.print("/dev/fuse        113037040 9104584 103801384   9% /storage/emulated")
    return 0
