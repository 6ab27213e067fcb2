"""Is the device still there? A long session (``harness intercept``) polls the adb server's device
list (``host:devices``, what ``adb devices`` prints) and stops when its device is no longer listed
ready: unplugged, ``adb disconnect``, a virtual handset stopped, or the adb server gone.

    watch = Presence(device)            # polls at most every `interval` seconds
    while recording:
        if (why := watch.check()) is not None:
            ...                         # e.g. "no longer listed by the adb server"

A device is declared gone after ``misses`` polls in a row that do not show it ``device`` (a USB
re-enumeration can show ``offline`` for a moment), so detection takes ``interval * misses`` to
``interval * (misses + 1)`` seconds: with the defaults 2-3 s (trial 6 finding C; docs/lab-guide.md
section 10).
"""

from __future__ import annotations

import time
from typing import Any

from adbutils.errors import AdbError

__all__ = ["Presence"]


class Presence:
    """Polls ``device`` (a :class:`harness.device.adb.Device`) on its adb server."""

    def __init__(self, device: Any, interval: float = 1.0, misses: int = 2) -> None:
        self.device = device
        self.interval = interval
        self.misses = misses
        self._missed = 0
        self._next = time.monotonic() + interval

    def state(self) -> str:
        """The device's state as the adb server lists it (``device``, ``offline``, ``unauthorized``),
        ``absent`` when it is not listed, ``no adb server`` when the server does not answer."""
        try:
            for info in self.device.client.list():
                if info.serial == self.device.serial:
                    return str(info.state)
        except (AdbError, OSError):
            return "no adb server"
        return "absent"

    def check(self) -> str | None:
        """None while the device is there (or it is not time to poll yet); once it has been missing
        for ``misses`` polls in a row, why: ``no longer listed by the adb server``, ``the adb server
        does not answer`` or ``listed as offline``."""
        now = time.monotonic()
        if now < self._next:
            return None
        self._next = now + self.interval
        state = self.state()
        if state == "device":
            self._missed = 0
            return None
        self._missed += 1
        if self._missed < self.misses:
            return None
        return {"absent": "no longer listed by the adb server",
                "no adb server": "the adb server does not answer"}.get(state, f"listed as {state}")
