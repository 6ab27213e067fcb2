"""Processes and users: ps, pidof, kill, pkill, killall, su, sh, nsenter, id, whoami."""

from __future__ import annotations

import re
import signal

from harness.sim.android.shell.commands import command
from harness.sim.android.shell.interp import SH, CmdIO, Shell

_ID_SHELL = ("uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),"
             "1015(sdcard_rw),1028(sdcard_r),1078(ext_data_rw),1079(ext_obb_rw),3001(net_bt_admin),"
             "3002(net_bt),3003(inet),3006(net_bw_stats),3009(readproc),3011(uhid) context=u:r:shell:s0")


def _id_line(sh: Shell) -> str:
    if sh.uid != 0:
        return _ID_SHELL
    ctx = {"magisk": "u:r:magisk:s0", "su": "u:r:su:s0"}.get(sh.device.root_mode, "u:r:su:s0")
    return f"uid=0(root) gid=0(root) groups=0(root) context={ctx}"


@command("id")
def id_cmd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    if "-u" in argv[1:]:
        io.print(str(sh.uid))
    elif "-un" in argv[1:] or "-nu" in argv[1:]:
        io.print(sh.user)
    else:
        io.print(_id_line(sh))
    return 0


@command("whoami")
def whoami(sh: Shell, argv: list[str], io: CmdIO) -> int:
    io.print(sh.user)
    return 0


@command("ps")
def ps(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    show_all = any(a in ("-A", "-e", "-ef", "-Af", "-a") for a in args)
    names = [a for a in args if not a.startswith("-")]
    procs = sh.device.procs.all()
    if names:
        procs = [p for p in procs if p.name in names or str(p.pid) in names]
    elif not show_all:
        procs = [p for p in procs if p.user == sh.user and p.kind != "system"]
    io.print("USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME")
    for p in procs:
        vsz, rss = (14000000, 120000) if p.kind == "app" else (40000, 4000)
        io.print(f"{p.user:<10} {p.pid:>7} {p.ppid:>5} {vsz:>7} {rss:>6} 0                   0 S {p.name}")
    return 0


@command("pidof")
def pidof(sh: Shell, argv: list[str], io: CmdIO) -> int:
    names = [a for a in argv[1:] if not a.startswith("-")]
    pids = [str(p.pid) for n in names for p in sorted(sh.device.procs.by_name(n), key=lambda p: -p.pid)]
    if not pids:
        return 1
    io.print(" ".join(pids))
    return 0


def _signal(spec: str) -> int | None:
    spec = spec.upper().removeprefix("SIG")
    if spec.isdigit():
        return int(spec)
    try:
        return int(signal.Signals["SIG" + spec])
    except KeyError:
        return None


def _parse_signal_args(args: list[str]) -> tuple[int | None, list[str]]:
    sig: int | None = int(signal.SIGTERM)
    rest = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-s" and i + 1 < len(args):
            sig = _signal(args[i + 1])
            i += 2
            continue
        if a in ("-f", "-l", "-x", "-n", "-o"):
            pass
        elif a.startswith("-") and len(a) > 1:
            sig = _signal(a[1:])
        else:
            rest.append(a)
        i += 1
    return sig, rest


@command("kill")
def kill(sh: Shell, argv: list[str], io: CmdIO) -> int:
    sig, pids = _parse_signal_args(argv[1:])
    if sig is None:
        io.error(f"kill: unknown signal '{argv[1]}'")
        return 1
    if not pids:
        io.error("usage: kill [-s SIGNAL | -SIGNAL] PID...")
        return 1
    status = 0
    for p in pids:
        if not p.lstrip("-").isdigit():
            io.error(f"kill: not a number: {p}")
            status = 1
            continue
        problem = sh.device.procs.kill(int(p), sig, sh.uid)
        if problem:
            io.error(f"kill: pid {p}: {problem}")
            status = 1
    return status


def _kill_matching(sh: Shell, procs, sig: int) -> int:
    killed = 0
    for proc in procs:
        if sh.device.procs.kill(proc.pid, sig, sh.uid) is None:
            killed += 1
    return killed


@command("pkill")
def pkill(sh: Shell, argv: list[str], io: CmdIO) -> int:
    full = "-f" in argv[1:]
    sig, patterns = _parse_signal_args(argv[1:])
    if sig is None or not patterns:
        io.error("usage: pkill [-f] [-SIGNAL] PATTERN")
        return 2
    rx = re.compile(patterns[0])
    procs = [p for p in sh.device.procs.all()
             if rx.search(" ".join(p.args or [p.name]) if full else p.name) and p.kind != "system"]
    return 0 if _kill_matching(sh, procs, sig) else 1


@command("killall")
def killall(sh: Shell, argv: list[str], io: CmdIO) -> int:
    sig, names = _parse_signal_args(argv[1:])
    if sig is None or not names:
        io.error("usage: killall [-SIGNAL] NAME...")
        return 1
    status = 0
    for n in names:
        if not _kill_matching(sh, sh.device.procs.by_name(n), sig):
            io.error(f"killall: {n}: no process killed")
            status = 1
    return status


def _interactive(sub: Shell, io: CmdIO) -> int:
    """Read commands from stdin line by line (``adb shell su`` with piped input)."""
    buf = b""
    while not io.closed.is_set():
        chunk = io.stdin.read(4096)  # type: ignore[attr-defined]
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            text = line.decode(errors="replace").strip()
            if text == "exit":
                return sub.status
            if text:
                sub.run(text, io)
    if buf.strip():
        sub.run(buf.decode(errors="replace"), io)
    return sub.status


_USERS = {"root": 0, "0": 0, "shell": 2000, "2000": 2000}


MAGISK_VERSION = ("26.4:MAGISK:R", "26400")


@command("magisk")
def magisk(sh: Shell, argv: list[str], io: CmdIO) -> int:
    if sh.device.root_mode != "magisk":
        io.error(f"{SH}: magisk: inaccessible or not found")
        return 127
    if argv[1:] in (["-v"], ["-V"]):
        io.print(MAGISK_VERSION[0] if argv[1] == "-v" else MAGISK_VERSION[1])
        return 0
    io.error("usage: magisk -v|-V")
    return 1


@command("su")
def su(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    if args in (["-v"], ["-V"], ["--version"]):
        if sh.device.root_mode == "magisk":
            io.print(MAGISK_VERSION[0] if args[0] != "-V" else MAGISK_VERSION[1])
            return 0
        io.error("su: invalid uid/gid '-v'")
        return 1
    uid = 0
    command_text: str | None = None
    words: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-c", "--command") and i + 1 < len(args):
            command_text = args[i + 1]
            break
        if a in ("-", "-l", "--login", "-p", "-mm", "--mount-master", "--preserve-environment"):
            i += 1
            continue
        if not words and a in _USERS:
            uid = _USERS[a]
            i += 1
            continue
        if a.startswith("-"):
            io.error(f"su: invalid option -- '{a.lstrip('-')[:1]}'")
            return 1
        words = args[i:]
        break
    sub = sh.child(uid=uid)
    if command_text is not None:
        return sub.run(command_text, io)
    if words:
        return sub.run(" ".join(_quote(w) for w in words), io)
    return _interactive(sub, io)


def _quote(word: str) -> str:
    if word and all(c.isalnum() or c in "@%+=:,./-_" for c in word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


@command("sh")
def sh_cmd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    sub = sh.child()
    if len(args) >= 2 and args[0] == "-c":
        return sub.run(args[1], io)
    if args and not args[0].startswith("-"):
        from harness.sim.android.shell.executables import run_script

        return run_script(sub, args[0], args[1:], io)
    return _interactive(sub, io)


@command("nsenter")
def nsenter(sh: Shell, argv: list[str], io: CmdIO) -> int:
    """``nsenter --mount=/proc/PID/ns/mnt -- CMD`` / ``nsenter -t PID -m CMD``.

    The virtual handset has one mount namespace, so CMD runs in the same view after the checks a
    phone would make (root, existing pid).
    """
    args = argv[1:]
    pid: int | None = None
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest = args[i + 1:]
            break
        m = re.match(r"^--(?:mount|net|uts|ipc|pid)=/proc/(\d+)/ns/\w+$", a)
        if m:
            pid = int(m.group(1))
        elif a in ("-t", "--target") and i + 1 < len(args):
            pid = int(args[i + 1]) if args[i + 1].isdigit() else -1
            i += 1
        elif a.startswith("-"):
            pass
        else:
            rest = args[i:]
            break
        i += 1
    if pid is None:
        io.error("nsenter: need a target (-t PID or --mount=/proc/PID/ns/mnt)")
        return 1
    if sh.device.procs.get(pid) is None:
        io.error(f"nsenter: /proc/{pid}/ns/mnt: No such file or directory")
        return 1
    if sh.uid != 0:
        io.error("nsenter: reassociate to namespace 'ns/mnt' failed: Operation not permitted")
        return 1
    if not rest:
        rest = ["sh"]
    return sh.exec(rest, io)
