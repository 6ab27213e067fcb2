"""Progress lines with elapsed time: ``[  3.1s] capture: proxy on 127.0.0.1:41231``."""

from __future__ import annotations

import time
from collections.abc import Callable


class Progress:
    """Prints one line per stage event, prefixed with the seconds since the demo started."""

    def __init__(self, emit: Callable[[str], None], clock: Callable[[], float] = time.monotonic) -> None:
        self._emit = emit
        self._clock = clock
        self.started = clock()

    @property
    def elapsed(self) -> float:
        return self._clock() - self.started

    def __call__(self, stage: str, text: str) -> None:
        self._emit(f"[{self.elapsed:6.1f}s] {stage}: {text}")
