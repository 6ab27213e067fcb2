"""Built-in shell commands of the virtual handset, one module per area.

A command is ``fn(sh: Shell, argv: list[str], io: CmdIO) -> int`` registered with :func:`command`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.sim.android.shell.interp import CmdIO, Shell

CommandFn = Callable[["Shell", list[str], "CmdIO"], int]
COMMANDS: dict[str, CommandFn] = {}


def command(*names: str) -> Callable[[CommandFn], CommandFn]:
    def register(fn: CommandFn) -> CommandFn:
        for name in names:
            COMMANDS[name] = fn
        return fn

    return register


# registration happens on import
from harness.sim.android.shell.commands import (  # noqa: E402,F401
    activity,
    cmd,
    filemods,
    files,
    log,
    net,
    packages,
    procs,
    props,
    system,
    text,
)
