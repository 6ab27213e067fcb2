"""Frida attach/kill with bounded waits and clear errors, and where an agent's source comes from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import frida

from harness.errors import InstrumentError
from harness.instrument.bounded import with_cancel
from harness.instrument.bundles import AGENT_NAMES, load_bundle


def attach_pid(device: Any, pid: int, timeout: float, serial: str | None) -> Any:
    """A ``frida.core.Session`` on ``pid``; InstrumentError naming the cause otherwise."""
    try:
        return with_cancel(lambda: device.attach(pid), timeout,
                           f"attach to pid {pid}", serial=serial)
    except frida.ProcessNotFoundError:
        raise InstrumentError(f"no process with pid {pid}", fix="check the pid (it may have exited)",
                              serial=serial, attempted="attach") from None
    except frida.PermissionDeniedError as exc:
        raise InstrumentError(f"not allowed to attach to pid {pid}: {exc}",
                              fix="run as the process owner or root; check /proc/sys/kernel/yama/ptrace_scope",
                              serial=serial, attempted="attach") from None
    except (frida.ServerNotRunningError, frida.TransportError, frida.InvalidOperationError,
            frida.ProcessNotRespondingError, frida.NotSupportedError) as exc:
        raise InstrumentError(f"cannot attach to pid {pid}: {exc}", serial=serial, attempted="attach") from None


def kill_pid(device: Any, pid: int) -> None:
    try:
        device.kill(pid)
    except (frida.InvalidOperationError, frida.ProcessNotFoundError):  # already gone
        pass


def agent_source(agent: str | Path) -> tuple[str, str]:
    """(name, JavaScript) for a shipped agent name or a user's .js/.ts file."""
    if isinstance(agent, str) and agent in AGENT_NAMES:
        return agent, load_bundle(agent).source  # the non-Java agents are bundles of their own
    path = Path(agent)
    if path.suffix not in (".js", ".ts") or not path.is_file():
        raise InstrumentError(
            f"unknown agent {str(agent)!r}",
            fix=f"use one of {', '.join(AGENT_NAMES)}, or a path to an existing .js/.ts file",
        )
    if path.suffix == ".ts":  # compiled once per content (harness.instrument.agentcache)
        from harness.instrument.agentcache import compiled
        from harness.instrument.build import compile_agent

        return path.stem, compiled(path, compile_agent, frida.__version__)
    return path.stem, path.read_text()
