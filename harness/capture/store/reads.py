"""Reading a run store: read-only connections and the iterators over its tables.

:class:`StoreReads` is mixed into :class:`~harness.capture.store.RunStore`. Every read opens its
own read-only connection (``mode=ro``, 5 s busy timeout): a reader never repairs, checkpoints or
blocks the writer, sees what the writer has committed (at most ~200 ms behind), and works on the
store of a crashed run. Iterators hold their connection until exhausted or closed. A database that
cannot be read raises :class:`sqlite3.Error`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

from harness.capture.records import AgentEvent, Artifact, FlowRecord, Step, WsMessage
from harness.capture.store.schema import (
    artifact_from_row,
    event_from_row,
    flow_from_row,
    step_from_row,
    ws_from_row,
)


class StoreReads:
    """The read side of a run store at ``db_path``."""

    db_path: Path

    def connect_readonly(self) -> sqlite3.Connection:
        """A new read-only connection (rows as :class:`sqlite3.Row`); the caller closes it."""
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, check_same_thread=False, timeout=5.0)
        db.row_factory = sqlite3.Row
        return db

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[sqlite3.Row]:
        with closing(self.connect_readonly()) as db:
            yield from db.execute(sql, params)

    def iter_flows(self, kind: str | None = None) -> Iterator[FlowRecord]:
        """Flows in completion order (``seq``); optionally only one kind."""
        if kind is None:
            rows = self._rows("SELECT * FROM flows ORDER BY seq")
        else:
            rows = self._rows("SELECT * FROM flows WHERE kind = ? ORDER BY seq", (kind,))
        for row in rows:
            yield flow_from_row(row)

    def get_flow(self, flow_id: str) -> FlowRecord | None:
        """The flow with id ``flow_id`` (the last recorded, should an id repeat), or None."""
        for row in self._rows("SELECT * FROM flows WHERE id = ? ORDER BY seq DESC LIMIT 1", (flow_id,)):
            return flow_from_row(row)
        return None

    def count_flows(self) -> int:
        for row in self._rows("SELECT count(*) FROM flows"):
            return int(row[0])
        return 0

    def iter_ws_messages(self, flow_id: str | None = None) -> Iterator[WsMessage]:
        """WebSocket messages in arrival order; optionally only those of one flow."""
        if flow_id is None:
            rows = self._rows("SELECT * FROM ws_messages ORDER BY seq")
        else:
            rows = self._rows("SELECT * FROM ws_messages WHERE flow_id = ? ORDER BY seq", (flow_id,))
        for row in rows:
            yield ws_from_row(row)

    def iter_events(self, type_prefix: str | None = None) -> Iterator[AgentEvent]:
        """Events in arrival order; ``type_prefix`` e.g. ``"crypto:"`` filters by type."""
        if type_prefix is None:
            rows = self._rows("SELECT * FROM events ORDER BY seq")
        else:
            rows = self._rows("SELECT * FROM events WHERE type LIKE ? ORDER BY seq",
                              (type_prefix.replace("%", r"\%") + "%",))
        for row in rows:
            yield event_from_row(row)

    def steps(self) -> list[Step]:
        """Steps in the order they began."""
        return [step_from_row(row) for row in self._rows("SELECT * FROM steps ORDER BY ord")]

    def artifacts(self) -> list[Artifact]:
        """Artifacts in the order they were added (``path`` relative to the run directory)."""
        return [artifact_from_row(row) for row in self._rows("SELECT * FROM artifacts ORDER BY seq")]
