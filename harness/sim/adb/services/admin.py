"""``root:``, ``unroot:`` and ``reboot:``: services after which adbd goes away and comes back."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from harness.sim.adb.services.base import Handler
from harness.sim.adb.stream import Stream

if TYPE_CHECKING:
    from harness.sim.adb.connection import Connection

log = logging.getLogger("harness.sim.adb")

#: how long the last message may wait for the host's OKAY before the connection drops
FLUSH_TIMEOUT = 2.0


def _say_and_close(stream: Stream, message: str) -> None:
    stream.write(message.encode())
    stream.wait_acknowledged(FLUSH_TIMEOUT)
    stream.close()


def open_root(conn: Connection, root: bool) -> Handler:
    def run(stream: Stream) -> None:
        message = conn.daemon.backend.set_adb_root(root)
        if not message.endswith("\n"):
            message += "\n"
        _say_and_close(stream, message)
        if "restarting" in message:
            # adbd restarts as (non-)root: every connection drops; the adb server reconnects
            conn.daemon.restart_adbd("adb root" if root else "adb unroot")

    return run


def open_reboot(conn: Connection, target: str) -> Handler:
    def run(stream: Stream) -> None:
        hook = conn.daemon.reboot_hook
        if hook is None:
            log.warning("reboot:%s requested but the backend has no reboot hook", target)
            _say_and_close(stream, f"reboot (reboot,{target}) failed\n")
            return
        _say_and_close(stream, "")
        hook(target)
        conn.daemon.restart_adbd(f"reboot:{target}", down_for=conn.daemon.reboot_delay)

    return run
