"""The progress stream of the pytest plugin (``--harness-progress FILE``), read by ``harness run``.

Every pytest process (the xdist controller and each worker) appends JSON lines to FILE, one
``write`` per line on a file opened ``O_APPEND`` (0600), so lines of several workers never mix:

    {"t": <unix seconds>, "worker": "gw0" | "main", "event": E, ...}

``E`` and its fields (docs/dev/contracts.md, agreed in INTERFACES section 4):
``session-start {target, world, profile, out}``, ``lab-open {module, device, run_dir}``,
``test-start {nodeid, claim}``, ``step-start {nodeid, step_id, name}``,
``step-end {step_id, flows, settled_by}``, ``flow {count}`` (the lab's running total, at most every
0.5 s), ``test-end {nodeid, claim, verdict, evidence}``, ``lab-close {module, status, device, restore}`` (``restore``: the restore's one line, harness.report.labels.restore_text),
``session-end {findings, exitstatus}`` (written by ``main`` only: the controller under xdist).
``session-start`` comes once the tests were collected without an error (the session's folder
``out`` then exists); a session stopped by bad input at collection has none.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import IO, Any

from harness.fsutil import make_parents, open_private

#: the smallest interval between two ``flow`` lines of one lab (seconds)
FLOW_INTERVAL = 0.5


class Progress:
    """Appends progress lines for one worker; a no-op when no file was given."""

    def __init__(self, path: str | os.PathLike[str] | None, worker: str) -> None:
        self.path = Path(path) if path else None
        self.worker = worker
        self._lock = threading.Lock()
        self._fh: IO[bytes] | None = None
        if self.path is not None:  # O_APPEND, 0600, never through a symlink
            self._fh = open_private(make_parents(self.path), "ab")

    def emit(self, event: str, **fields: Any) -> None:
        if self._fh is None:
            return
        line = json.dumps({"t": round(time.time(), 3), "worker": self.worker, "event": event, **fields},
                          ensure_ascii=False, default=str) + "\n"
        with self._lock:
            if self._fh is not None:
                self._fh.write(line.encode("utf-8"))
                self._fh.flush()

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None


class FlowTicker:
    """Counts a lab's flows (``count`` is called on the proxy's event loop: it only increments) and
    writes a ``flow`` line from its own thread at most every :data:`FLOW_INTERVAL` seconds while
    the total changes."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.total = 0
        self._shown = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def count(self, record: Any) -> None:  # noqa: ARG002 - the on_flow callback's shape
        self.total += 1

    def start(self) -> FlowTicker:
        if self.progress.path is not None:
            self._thread = threading.Thread(target=self._run, name="harness-progress-flows", daemon=True)
            self._thread.start()
        return self

    def tick(self) -> None:
        total = self.total
        if total != self._shown:
            self._shown = total
            self.progress.emit("flow", count=total)

    def _run(self) -> None:
        while not self._stop.wait(FLOW_INTERVAL):
            self.tick()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2 * FLOW_INTERVAL)
        self.tick()

