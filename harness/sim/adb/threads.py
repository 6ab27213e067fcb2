"""A registry of the daemon's threads so ``stop()`` can join them and report leaks."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("harness.sim.adb")


class ThreadGroup:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()

    def spawn(self, name: str, target: Callable[..., Any], *args: Any) -> threading.Thread:
        def body() -> None:
            try:
                target(*args)
            except Exception:
                log.exception("thread %s failed", name)
            finally:
                with self._lock:
                    self._threads.discard(thread)

        thread = threading.Thread(target=body, name=name, daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()
        return thread

    def alive(self) -> list[threading.Thread]:
        with self._lock:
            return [t for t in self._threads if t.is_alive()]

    def join(self, timeout: float) -> list[threading.Thread]:
        """Join every thread within ``timeout`` seconds in total; return those still running."""
        deadline = time.monotonic() + timeout
        current = threading.current_thread()
        while True:
            pending = [t for t in self.alive() if t is not current]
            if not pending:
                return []
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return pending
            pending[0].join(min(remaining, 0.5))
