"""``log``: write a message to the device log, as Android's toybox ``log`` does.

``log [-p PRI] [-t TAG] MESSAGE...``: priority one of ``v d i w e f`` (default ``i``), tag
``log`` by default; the message is the operands joined by spaces. The line is written by a
process of its own (its pid in the log line), like the real command. Source: toybox
``toys/android/log.c``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.sim.android.shell.commands import command

if TYPE_CHECKING:
    from harness.sim.android.shell.interp import CmdIO, Shell

_USAGE = "usage: log [-p PRI] [-t TAG] MESSAGE..."


@command("log")
def log(sh: Shell, argv: list[str], io: CmdIO) -> int:
    level, tag = "I", "log"
    args = argv[1:]
    while args and args[0] in ("-p", "-t"):
        if len(args) < 2:
            io.error(_USAGE)
            return 1
        if args[0] == "-p":
            pri = args[1][:1].upper()
            if pri == "S":  # silent: nothing is written
                return 0
            if pri not in "VDIWEF":
                io.error(f"log: bad -p '{args[1][:20]}'")
                return 1
            level = pri
        else:
            tag = args[1]
        args = args[2:]
    if not args:
        io.error(_USAGE)
        return 1
    proc = sh.device.procs.spawn_native("log", sh.user, argv)
    try:
        sh.device.logcat.add(level, tag, " ".join(args), pid=proc.pid)
    finally:
        sh.device.procs.remove(proc.pid)
    return 0
