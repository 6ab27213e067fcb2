"""The boundary between the ADB device daemon (``harness.sim.adb``) and the Android personality
(``harness.sim.android``).

The daemon speaks the ADB transport protocol and knows nothing about Android; the personality
knows Android and nothing about the wire. The daemon calls a :class:`DeviceBackend`.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class InputStream(Protocol):
    def read(self, n: int = -1) -> bytes:
        """Block until data, return b"" at end of input (host closed stdin)."""


@dataclass
class ShellIO:
    """What a running shell command talks to.

    ``write_stdout``/``write_stderr`` block while the host applies flow control. ``closed`` is set
    when the host closes the stream; streaming commands (``logcat`` without ``-d``) must stop then.
    """

    stdin: InputStream
    write_stdout: callable  # type: ignore[valid-type]
    write_stderr: callable  # type: ignore[valid-type]
    closed: threading.Event = field(default_factory=threading.Event)
    #: True for shell v2 / exec style sessions where stderr is separate
    separate_stderr: bool = True


class DeviceBackend(Protocol):
    """Everything the ADB daemon needs from the device it serves."""

    def banner(self) -> str:
        """``device::ro.product.name=..;ro.product.model=..;ro.product.device=..;features=...``"""

    def shell(self, command: str, io: ShellIO) -> int:
        """Run ``command`` (an Android shell line; "" for an interactive shell); return exit code."""

    def resolve_path(self, device_path: str, *, write: bool = False) -> Path:
        """Host path behind a device path, for the sync service.

        Raises ``PermissionError``/``FileNotFoundError``/``OSError(errno.EROFS)`` as the device
        would (e.g. ``/system`` is read-only unless remounted or tmpfs-mounted).
        """

    def connect_device_port(self, port: int) -> socket.socket:
        """Connect to a TCP port on the device's own loopback (``adb forward tcp:X tcp:PORT``)."""

    def set_reverse(self, device_port: int, host_port: int | None) -> None:
        """Record (or remove, with ``None``) that the device's loopback port ``device_port`` is
        served by the daemon's reverse listener on host port ``host_port``; the app host uses
        this mapping to translate the proxy address apps see."""

    def set_adb_root(self, root: bool) -> str:
        """``adb root`` / ``adb unroot``; return the message adbd prints."""

    # Optional (the sync service falls back to the host file's values without them):
    #   file_attributes(device_path, st) -> (st_mode, uid, gid) as the device shows the file
    #   record_mode(device_path, permission_bits) after a push, as adbd applies the pushed mode
