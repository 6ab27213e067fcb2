"""The one wait of the scenario layer: bounded, woken by events, never a fixed sleep.

Sources of news (the streaming logcat watcher, the recorder's per-flow callback, Frida agent
events) call :meth:`Pulse.notify`; :func:`wait_for` re-evaluates its probe at each notification
and gives up after ``timeout`` seconds with :class:`StepTimeout`, which says what did not happen
and what the lab saw last. A probe that depends on something that does not notify (``pidof``) is
re-evaluated at least every ``TICK`` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from harness.errors import ScenarioError

T = TypeVar("T")

#: longest time between two evaluations of a probe when nothing notifies (seconds)
TICK = 0.5


class StepTimeout(ScenarioError):
    """Something a step waits for did not happen within its bound."""


class Pulse:
    """A generation counter with a condition: ``notify()`` wakes every waiter."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.generation = 0

    def notify(self, *_: object) -> None:
        with self._cond:
            self.generation += 1
            self._cond.notify_all()

    def wait_change(self, seen: int, timeout: float) -> int:
        """Block until the generation differs from ``seen`` or ``timeout`` passes; the generation."""
        with self._cond:
            self._cond.wait_for(lambda: self.generation != seen, timeout)
            return self.generation


def wait_for(probe: Callable[[], T | None], timeout: float, what: str, *, pulse: Pulse | None = None,
             check: Callable[[], None] | None = None, serial: str | None = None,
             context: Callable[[], str] | None = None) -> T:
    """``probe()`` until it returns something truthy, which is returned.

    ``check`` raises when waiting is pointless (the app died, the proxy stopped, the device went
    away); ``context`` adds what the lab saw last to the timeout message (e.g. recent log lines).
    Raises :class:`StepTimeout` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    seen = pulse.generation if pulse is not None else 0
    while True:
        if check is not None:
            check()
        value = probe()
        if value:
            return value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            extra = context() if context is not None else ""
            raise StepTimeout(f"{what}: nothing within {timeout:.3g}s" + (f"; {extra}" if extra else ""),
                              serial=serial, attempted="wait",
                              fix="look at artifacts/logcat.txt and the step's flows in the run; a very busy "
                                  "machine may need a longer --timeout")
        if pulse is not None:
            seen = pulse.wait_change(seen, min(remaining, TICK))
        else:
            time.sleep(min(remaining, TICK / 5))
