"""System commands: mount, umount, logcat, screencap, wm, getenforce, date, uptime, sleep, test, grep..."""

from __future__ import annotations

import errno
import os
import re
import struct
import time
import zlib

from harness.sim.android.fs import norm
from harness.sim.android.logcat import LogFilter
from harness.sim.android.shell.commands import command
from harness.sim.android.shell.commands.files import fail, split_flags
from harness.sim.android.shell.interp import CmdIO, Shell, ShellExit


@command("true")
def true_cmd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    return 0


@command("false")
def false_cmd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    return 1


@command("exit")
def exit_cmd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    raise ShellExit(int(argv[1]) & 0xFF if len(argv) > 1 and argv[1].isdigit() else sh.status)


@command("cd")
def cd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    path = norm(argv[1] if len(argv) > 1 else "/", sh.cwd)
    try:
        if not sh.device.fs.check(path, sh.uid).is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
    except OSError as exc:
        io.error(f"/system/bin/sh: cd: {path}: {exc.strerror}")
        return 2
    sh.cwd = path
    return 0


@command("pwd")
def pwd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    io.print(sh.cwd)
    return 0


@command("sleep")
def sleep(sh: Shell, argv: list[str], io: CmdIO) -> int:
    try:
        seconds = float(argv[1]) if len(argv) > 1 else 0.0
    except ValueError:
        io.error(f"sleep: bad number '{argv[1]}'")
        return 1
    io.closed.wait(min(seconds, 3600))
    return 0


@command("getenforce")
def getenforce(sh: Shell, argv: list[str], io: CmdIO) -> int:
    io.print("Enforcing" if sh.device.selinux_enforcing else "Permissive")
    return 0


@command("setenforce")
def setenforce(sh: Shell, argv: list[str], io: CmdIO) -> int:
    if sh.uid != 0:
        io.error("setenforce: Couldn't set enforcing status to '0': Permission denied")
        return 1
    sh.device.selinux_enforcing = len(argv) > 1 and argv[1] in ("1", "Enforcing")
    return 0


@command("date")
def date(sh: Shell, argv: list[str], io: CmdIO) -> int:
    fmt = next((a[1:] for a in argv[1:] if a.startswith("+")), "%a %b %d %H:%M:%S %Z %Y")
    io.print(time.strftime(fmt.replace("%s", str(int(time.time()))), time.localtime()))
    return 0


@command("uptime")
def uptime(sh: Shell, argv: list[str], io: CmdIO) -> int:
    up = int(time.time() - sh.device.boot_time)
    io.print(f" {time.strftime('%H:%M:%S')} up {up // 60} min,  0 users,  load average: 0.08, 0.12, 0.10")
    return 0


@command("uname")
def uname(sh: Shell, argv: list[str], io: CmdIO) -> int:
    if "-a" in argv:
        io.print("Linux localhost 4.19.113-perf #1 SMP PREEMPT Mon Nov 2 12:00:00 CST 2020 aarch64 Toybox")
    elif "-m" in argv:
        io.print("aarch64")
    elif "-r" in argv:
        io.print("4.19.113-perf")
    else:
        io.print("Linux")
    return 0


@command("which")
def which(sh: Shell, argv: list[str], io: CmdIO) -> int:
    from harness.sim.android.shell.commands import COMMANDS

    status = 0
    for name in argv[1:]:
        if name in COMMANDS and sh.device.has_command(name):
            io.print(f"/system/{'xbin' if name == 'su' else 'bin'}/{name}")
        else:
            status = 1
    return status


@command("test", "[")
def test_cmd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            io.error("[: missing ]")
            return 2
        args = args[:-1]
    negate = False
    if args and args[0] == "!":
        negate, args = True, args[1:]
    result = _test(sh, args)
    if result is None:
        io.error(f"{argv[0]}: syntax error")
        return 2
    return 0 if result != negate else 1


def _test(sh: Shell, args: list[str]) -> bool | None:
    if not args:
        return False
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, operand = args
        if op in ("-z", "-n"):
            return (operand == "") == (op == "-z")
        if op in ("-e", "-f", "-d", "-s", "-r", "-w", "-x"):
            try:
                host = sh.device.fs.check(norm(operand, sh.cwd), sh.uid)
            except OSError:
                return False
            return {"-e": host.exists(), "-f": host.is_file(), "-d": host.is_dir(),
                    "-s": host.is_file() and host.stat().st_size > 0}.get(op, host.exists())
        return None
    if len(args) == 3:
        a, op, b = args
        if op in ("=", "=="):
            return a == b
        if op == "!=":
            return a != b
        ops = {"-eq": int.__eq__, "-ne": int.__ne__, "-gt": int.__gt__, "-lt": int.__lt__,
               "-ge": int.__ge__, "-le": int.__le__}
        if op in ops:
            try:
                return bool(ops[op](int(a), int(b)))
            except ValueError:
                return None
    return None


@command("grep")
def grep(sh: Shell, argv: list[str], io: CmdIO) -> int:
    flags, args = split_flags(argv, "ivEFcqwxno")
    if not args:
        io.error("usage: grep [-ivEFcq] PATTERN [FILE...]")
        return 2
    pattern, files = args[0], args[1:]
    if "F" in flags:
        pattern = re.escape(pattern)
    if "w" in flags:
        pattern = rf"\b(?:{pattern})\b"
    if "x" in flags:
        pattern = rf"^(?:{pattern})$"
    rx = re.compile(pattern, re.IGNORECASE if "i" in flags else 0)
    data = b""
    if files:
        for f in files:
            try:
                data += sh.device.fs.check(norm(f, sh.cwd), sh.uid).read_bytes()
            except OSError as exc:
                fail(io, "grep", f, exc)
    else:
        data = io.read_all()
    matched = [line for line in data.decode(errors="replace").splitlines() if bool(rx.search(line)) != ("v" in flags)]
    if "c" in flags:
        io.print(str(len(matched)))
    elif "q" not in flags:
        for line in matched:
            io.print(line)
    return 0 if matched else 1


# -- display -----------------------------------------------------------------------------------
@command("wm")
def wm(sh: Shell, argv: list[str], io: CmdIO) -> int:
    w, h = sh.device.personality.screen
    if len(argv) > 1 and argv[1] == "size":
        io.print(f"Physical size: {w}x{h}")
    elif len(argv) > 1 and argv[1] == "density":
        io.print(f"Physical density: {sh.device.personality.density}")
    else:
        io.error("usage: wm size|density")
        return 1
    return 0


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour with a status-bar stripe (standard zlib, no imaging library)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bar = bytes((32, 32, 32)) * width
    body = bytes(rgb) * width
    bar_rows = max(1, height // 30)
    raw = b"".join(b"\x00" + (bar if y < bar_rows else body) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


@command("screencap")
def screencap(sh: Shell, argv: list[str], io: CmdIO) -> int:
    _, files = split_flags(argv, "pd")
    w, h = sh.device.personality.screen
    data = png(w, h, (250, 250, 250))
    if files:
        try:
            sh.device.fs.write_file(norm(files[0], sh.cwd), data, sh.uid)
        except OSError as exc:
            return fail(io, "screencap", files[0], exc)
    else:
        io.out(data)
    return 0


# -- mounts ------------------------------------------------------------------------------------
@command("mount")
def mount(sh: Shell, argv: list[str], io: CmdIO) -> int:
    fs = sh.device.fs
    args = argv[1:]
    if not args:
        for m in fs.mounts():
            io.print(f"{m.source} on {m.target} type {m.fstype} ({','.join(m.options)})")
        return 0
    fstype: str | None = None
    options: list[str] = []
    positional: list[str] = []
    bind = False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-t" and i + 1 < len(args):
            fstype = args[i + 1]
            i += 2
            continue
        if a == "-o" and i + 1 < len(args):
            options.extend(args[i + 1].split(","))
            i += 2
            continue
        if a in ("--bind", "-B"):
            bind = True
        elif a in ("-r",):
            options.append("ro")
        elif a in ("-w",):
            options.append("rw")
        elif not a.startswith("-"):
            positional.append(a)
        i += 1
    bind = bind or "bind" in options
    remount = "remount" in options
    target = norm(positional[-1], sh.cwd) if positional else ""
    source = positional[0] if len(positional) > 1 else (fstype or "")
    if not positional:
        io.error("usage: mount [-t TYPE] [-o OPTS] [SOURCE] TARGET")
        return 1
    if sh.uid != 0:
        io.error(f"mount: '{source}'->'{target}': Operation not permitted")
        return 1
    try:
        if remount:
            fs.remount(target, rw="rw" in options)
        elif bind:
            fs.mount_bind(norm(positional[0], sh.cwd), target)
        elif fstype == "tmpfs" or source == "tmpfs":
            fs.mount_tmpfs(target, options)
        else:
            io.error(f"mount: '{source}'->'{target}': No such device")
            return 1
    except OSError as exc:
        if exc.errno == errno.EINVAL and remount:
            io.error(f"mount: '{target}' not in /proc/mounts")
        else:
            io.error(f"mount: '{source}'->'{target}': {exc.strerror}")
        return 1
    return 0


@command("umount")
def umount(sh: Shell, argv: list[str], io: CmdIO) -> int:
    _, targets = split_flags(argv, "flr")
    if not targets:
        io.error("usage: umount TARGET")
        return 1
    status = 0
    for t in targets:
        if sh.uid != 0:
            io.error(f"umount: {t}: Operation not permitted")
            status = 1
            continue
        try:
            sh.device.fs.umount(norm(t, sh.cwd))
        except OSError as exc:
            io.error(f"umount: {t}: {exc.strerror}")
            status = 1
    return status


# -- logcat ------------------------------------------------------------------------------------
@command("logcat")
def logcat(sh: Shell, argv: list[str], io: CmdIO) -> int:
    buf = sh.device.logcat
    args = argv[1:]
    dump = clear = silent = False
    fmt = "threadtime"
    tail: int | None = None
    specs: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-d":
            dump = True
        elif a == "-c":
            clear = True
        elif a == "-s":
            silent = True
        elif a in ("-v", "-b", "-t", "-T", "-f", "--pid", "-e") and i + 1 < len(args):
            value = args[i + 1]
            if a == "-v":
                fmt = value
            elif a in ("-t", "-T"):
                tail = int(value) if value.isdigit() else None
                dump = dump or a == "-t"
            elif a == "--pid":
                specs.append(f"pid={value}")
            i += 1
        elif a.startswith("-"):
            pass
        else:
            specs.append(a)
        i += 1
    if clear:
        buf.clear()
        return 0
    pid_filter = [int(s[4:]) for s in specs if s.startswith("pid=") and s[4:].isdigit()]
    filt = LogFilter([s for s in specs if not s.startswith("pid=")], silent=silent)

    def keep(e) -> bool:
        return filt(e) and (not pid_filter or e.pid in pid_filter)

    entries = [e for e in buf.snapshot() if keep(e)]
    if tail is not None:
        entries = entries[-tail:]
    for e in entries:
        io.print(e.format(fmt))
    if dump:
        return 0
    after = entries[-1].seq if entries else (buf.snapshot()[-1].seq if buf.snapshot() else 0)
    for e in buf.follow(io.closed, after=after):
        if keep(e):
            io.print(e.format(fmt))
    return 0
