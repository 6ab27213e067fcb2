"""Device-side services a host can OPEN, by service-name prefix.

``open_service`` runs in the stream's own thread before the daemon answers the OPEN: it either
returns the handler to run on the accepted stream or raises :class:`ServiceRefused`, which the
daemon turns into a CLSE (the adb client then prints an error).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.sim.adb.services.admin import open_reboot, open_root
from harness.sim.adb.services.base import Handler, ServiceRefused
from harness.sim.adb.services.forward import open_tcp
from harness.sim.adb.services.reverse import ReverseForwards, open_reverse
from harness.sim.adb.services.shell import open_exec, open_shell
from harness.sim.adb.services.sync import open_sync

if TYPE_CHECKING:
    from harness.sim.adb.connection import Connection

__all__ = ["Handler", "ReverseForwards", "ServiceRefused", "open_service"]

_PREFIXES: list[tuple[str, Callable[[Connection, str], Handler]]] = [
    ("shell,", lambda conn, rest: open_shell(conn, "," + rest)),
    ("shell:", lambda conn, rest: open_shell(conn, ":" + rest)),
    ("exec:", open_exec),
    ("sync:", open_sync),
    ("reverse:", open_reverse),
    ("tcp:", open_tcp),
    ("root:", lambda conn, rest: open_root(conn, True)),
    ("unroot:", lambda conn, rest: open_root(conn, False)),
    ("reboot:", open_reboot),
]


def open_service(conn: Connection, name: str) -> Handler:
    for prefix, opener in _PREFIXES:
        if name.startswith(prefix):
            return opener(conn, name[len(prefix) :])
    raise ServiceRefused(f"unknown service {name!r}")
