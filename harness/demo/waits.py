"""Bounded waits for the demo: poll until something happened, never sleep a fixed long time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from harness.errors import SimError

T = TypeVar("T")


class DemoStepFailed(SimError):
    """A demo step did not produce what the virtual world always produces (app, world or proxy broken)."""


def wait_until(probe: Callable[[], T | None], timeout: float, what: str, *,
               check: Callable[[], None] | None = None, interval: float = 0.25,
               serial: str | None = None) -> T:
    """Call ``probe`` until it returns something truthy; ``check`` raises when waiting is pointless
    (the app died, the proxy stopped). Raises :class:`DemoStepFailed` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if check is not None:
            check()
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise DemoStepFailed(
                f"{what}: nothing within {timeout:g}s", serial=serial, attempted="demo",
                fix="look at artifacts/logcat.txt in the run directory; rerun with a longer --timeout "
                    "if the machine is very busy",
            )
        time.sleep(interval)
