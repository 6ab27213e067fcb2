"""Stopping a long-running command: SIGINT, SIGTERM and SIGHUP, whatever the process inherited.

A command started from a non-interactive script in the background inherits SIGINT as *ignored*,
and in a container the harness is PID 1, where an unhandled SIGTERM does nothing (issue 10.1). So
every long-running command (``record``, ``intercept``, ``hook``, ``demo``, the foreground
``sim start``) runs inside :func:`handled`, which installs its own handlers for the three signals
and turns the first one into :class:`Interrupted` (a ``KeyboardInterrupt``), so the same clean-up
runs as on Ctrl-C: the device is restored, the run is closed as ``incomplete`` and kept.

Signals that arrive while that clean-up runs are counted and ignored (a second Ctrl-C must not
leave a phone pointing at a dead proxy). The previous handlers come back on exit.

    with handled() as stop:          # stop: threading.Event set by the first signal
        run_until_done()             # raises Interrupted at the first signal (``raise_=True``)

``harness run`` passes the signal it got on to its pytest child, which :func:`relay_stop_signals`
(SIGTERM and SIGHUP handled as SIGINT, under their own names).

Exit status for a stopped command: 130 (128 + SIGINT), whatever the signal, as documented in
docs/lab-guide.md.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

#: the signals a long-running command stops on
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: exit status of a command stopped by a signal (shell convention for SIGINT)
EXIT_INTERRUPTED = 130


class Interrupted(KeyboardInterrupt):
    """A stop signal, raised in the main thread so that ``finally`` blocks and context managers run."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(self.name)


class StopGuard:
    """What :func:`handled` yields: ``event`` is set by the first signal; ``signum`` names it."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self.ignored = 0

    @property
    def name(self) -> str | None:
        return signal.Signals(self.signum).name if self.signum is not None else None

    def is_set(self) -> bool:
        return self.event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.event.wait(timeout)


def relay_stop_signals() -> None:
    """In a pytest process ``harness run`` started (its child): SIGTERM and SIGHUP do what SIGINT
    does — the current SIGINT handler is called with the real signal number (the pytest plugin's
    session records its name), or :class:`Interrupted` is raised (pytest's Ctrl-C, naming the
    signal) — so the records name the signal that arrived, not ``SIGINT``. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        return

    def relay(signum: int, frame: FrameType | None) -> None:
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler) and handler is not signal.default_int_handler:
            handler(signum, frame)
            return
        raise Interrupted(signum)

    for stop_signal in STOP_SIGNALS:
        if stop_signal != signal.SIGINT:
            signal.signal(stop_signal, relay)


@contextlib.contextmanager
def handled(*, raise_: bool = True) -> Iterator[StopGuard]:
    """Own SIGINT/SIGTERM/SIGHUP for the duration of the block (main thread only; elsewhere a no-op
    guard is yielded and the caller's thread owner handles signals).

    ``raise_``: the first signal raises :class:`Interrupted` in the main thread; with False it only
    sets the guard's event (for loops that poll it)."""
    guard = StopGuard()
    if threading.current_thread() is not threading.main_thread():
        yield guard
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if guard.event.is_set():
            guard.ignored += 1  # clean-up is running: let it finish
            return
        guard.signum = signum
        guard.event.set()
        if raise_:
            raise Interrupted(signum)

    previous: dict[signal.Signals, Any] = {}
    for stop_signal in STOP_SIGNALS:
        previous[stop_signal] = signal.signal(stop_signal, on_signal)
    try:
        yield guard
    finally:
        for stop_signal, old in previous.items():
            signal.signal(stop_signal, old if old is not None else signal.SIG_DFL)
