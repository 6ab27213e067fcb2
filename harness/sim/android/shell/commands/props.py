"""``getprop``, ``setprop`` and ``settings``."""

from __future__ import annotations

from harness.sim.android.shell.commands import command
from harness.sim.android.shell.interp import CmdIO, Shell
from harness.sim.android.state import SETTINGS_NAMESPACES

#: props the shell user may set (SELinux allows debug/log props)
SHELL_SETTABLE = ("debug.", "log.", "persist.log.", "persist.debug.")


@command("getprop")
def getprop(sh: Shell, argv: list[str], io: CmdIO) -> int:
    state = sh.device.state
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        with state.lock:
            items = sorted(state.props.items())
        for k, v in items:
            io.print(f"[{k}]: [{v}]")
        return 0
    value = state.getprop(args[0])
    io.print(value if value or len(args) < 2 else args[1])
    return 0


@command("setprop")
def setprop(sh: Shell, argv: list[str], io: CmdIO) -> int:
    if len(argv) != 3:
        io.error("usage: setprop NAME VALUE")
        return 1
    key, value = argv[1], argv[2]
    allowed = sh.uid == 0 or key.startswith(SHELL_SETTABLE)
    if not allowed or not sh.device.state.setprop(key, value):
        io.error(f"Failed to set property '{key}' to '{value}'.\nSee dmesg for error reason.")
        return 1
    return 0


_SETTINGS_USAGE = "usage:  settings [--user <USER_ID> | current] get|put|delete|list namespace [key] [value]"


@command("settings")
def settings(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    while args and args[0] in ("--user", "--lineage"):
        args = args[2:] if args[0] == "--user" else args[1:]
    if len(args) < 2 or args[0] not in ("get", "put", "delete", "list", "reset"):
        io.error(_SETTINGS_USAGE)
        return 255
    verb, ns, rest = args[0], args[1], args[2:]
    if ns not in SETTINGS_NAMESPACES:
        io.error(f"Invalid namespace '{ns}'\n{_SETTINGS_USAGE}")
        return 255
    state = sh.device.state
    if verb == "list":
        with state.lock:
            items = sorted(state.settings[ns].items())
        for k, v in items:
            io.print(f"{k}={v}")
        return 0
    if not rest:
        io.error(_SETTINGS_USAGE)
        return 255
    key = rest[0]
    if verb == "get":
        value = state.settings_get(ns, key)
        io.print("null" if value is None else value)
    elif verb == "put":
        if len(rest) < 2:
            io.error(_SETTINGS_USAGE)
            return 255
        state.settings_put(ns, key, rest[1])
    elif verb == "delete":
        io.print(f"Deleted {1 if state.settings_delete(ns, key) else 0} rows")
    return 0
