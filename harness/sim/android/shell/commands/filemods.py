"""File commands that change files (toybox style): mkdir, touch, rm, cp, mv, chmod, chown, chgrp,
chcon. Modes, owners and labels are recorded in the device's metadata (``DeviceFS.set_meta``), the
one source of truth the shell and the sync service read; folder walks never recurse
(:mod:`harness.sim.hostfs`)."""

from __future__ import annotations

import errno
import os
import posixpath
import shutil

from harness.fsutil import DIR_MODE, FILE_MODE
from harness.sim.android.fs import FileMeta, under
from harness.sim.android.shell.commands import command
from harness.sim.android.shell.commands.files import _abs, _enoent, effective_meta, fail, split_flags
from harness.sim.android.shell.interp import CmdIO, Shell
from harness.sim.hostfs import copy_tree, make_dirs, remove_tree, walk


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
            make_dirs(host, DIR_MODE)
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
                remove_tree(host)
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
            copy_tree(src_host, dst_host, DIR_MODE, FILE_MODE)
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
        for child in walk(host):
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
