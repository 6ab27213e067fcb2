"""The scenario step timeline: which step is active right now.

The recorder stamps each flow with the step current when the flow started; the instrument layer
stamps each agent event. When a store is attached, steps are also written to it.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from harness.capture.records import Step

if TYPE_CHECKING:
    from harness.capture.store import RunStore


class Timeline:
    """Thread-safe current-step holder. ``begin`` while a step is active ends that step first."""

    def __init__(self, store: RunStore | None = None) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._current: Step | None = None
        self._steps: list[Step] = []

    @property
    def current(self) -> str | None:
        """Id of the active step, or None between steps."""
        step = self._current
        return step.id if step else None

    @property
    def current_step(self) -> Step | None:
        return self._current

    def steps(self) -> list[Step]:
        with self._lock:
            return list(self._steps)

    def attach(self, store: RunStore | None) -> None:
        """Write future steps to ``store`` (None detaches)."""
        with self._lock:
            self._store = store

    def begin(
        self, step_id: str, name: str | None = None, action: str | None = None,
        info: dict[str, Any] | None = None,
    ) -> Step:
        if not step_id:
            raise ValueError("a step needs a non-empty id")
        with self._lock:
            self._end_locked()
            step = Step(id=step_id, name=name or step_id, started_at=time.time(), action=action,
                        info=dict(info or {}))
            self._current = step
            self._steps.append(step)
            if self._store is not None:
                self._store.begin_step(step.id, step.name, action=action, info=step.info,
                                       started_at=step.started_at)
            return step

    def end(self) -> Step | None:
        """End the active step (no-op between steps); returns it."""
        with self._lock:
            return self._end_locked()

    def _end_locked(self) -> Step | None:
        step = self._current
        if step is None:
            return None
        step.ended_at = time.time()
        self._current = None
        if self._store is not None:
            self._store.end_step(step.id, ended_at=step.ended_at)
        return step
