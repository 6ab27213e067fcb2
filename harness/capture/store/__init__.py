"""The durable run store: one SQLite database (WAL mode) per run directory.

Writes are thread-safe: every ``add_*`` call enqueues to one writer thread which commits at least
every ``commit_interval`` seconds (200 ms by default; sooner whenever its queue runs empty), so a
flow handed to the store one second before the process is killed is on disk. Readers use a
read-only connection: they never repair, checkpoint or block the writer, and they work on the
store of a crashed run (its status reads ``incomplete``).

Whether a writer is alive is decided by an advisory lock (``RUN_DIR/.store.lock``) that the writing
process holds for the lifetime of the store; the kernel drops it when that process dies.

The API (``docs/dev/contracts.md`` §1) is importable from here; its parts, by responsibility:

- :mod:`~harness.capture.store.runstore`: :class:`RunStore` (create/open, the write API, flush, close);
- :mod:`~harness.capture.store.schema`: file names, tables, rows ↔ records;
- :mod:`~harness.capture.store.writer`: the writer thread, its queue, batching and write errors;
- :mod:`~harness.capture.store.reads`: read-only connections and iterators;
- :mod:`~harness.capture.store.status`: statuses, crashed = ``incomplete``, ``mark_incomplete``;
- :mod:`~harness.capture.store.lock`: the writer lock;
- :mod:`~harness.capture.store.artifacts`: artifact files (0600, never overwritten).
"""

from harness.capture.store.runstore import RunStore
from harness.capture.store.schema import (
    ARTIFACTS_DIR,
    DB_NAME,
    EVENT_COLUMNS,
    FLOW_COLUMNS,
    LOCK_NAME,
    MITM_NAME,
    SCHEMA_VERSION,
    WS_COLUMNS,
    flow_from_row,
)
from harness.capture.store.status import STATUSES
from harness.capture.store.writer import BATCH_DELAY, ErrorCallback

__all__ = [
    "ARTIFACTS_DIR",
    "BATCH_DELAY",
    "DB_NAME",
    "EVENT_COLUMNS",
    "FLOW_COLUMNS",
    "LOCK_NAME",
    "MITM_NAME",
    "SCHEMA_VERSION",
    "STATUSES",
    "WS_COLUMNS",
    "ErrorCallback",
    "RunStore",
    "flow_from_row",
]
