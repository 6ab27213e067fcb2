"""The flows frame one batch at a time, for the rules that read every flow.

After the stream, the flows table lives in a memory-mapped file (:mod:`harness.analysis.spill`).
A rule that read a whole column at once would map that column's pages for every flow (and, through
the kernel's fault-around, 64 KB about each page it touches), so peak RSS would grow with the
number of flows. The rules read :class:`FlowBatches` instead: one record batch of the spill file
(:data:`harness.analysis.scan.BATCH_ROWS` flows) as a pandas frame, its mapped pages released
before the next one (:meth:`~harness.analysis.spill.SpilledTable.release`), so what a rule holds
is one batch plus its own result (per destination, step or hit: issue 17, RSS flat from 10 k to
100 k flows).

Each rule takes :data:`FlowFrames`: a plain ``DataFrame`` (one batch: tests, callers holding a
frame) or any iterable of batch frames; :func:`frames` gives the batches of either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeAlias

import pandas as pd
import pyarrow as pa

#: a flows frame (``frames.FLOWS`` columns, or the ones a rule reads), whole or as batches
FlowFrames: TypeAlias = pd.DataFrame | Iterable[pd.DataFrame]

#: the columns the rules read: every flow column but the bodies
BODIES = ("request_body", "response_body")


def frames(flows: FlowFrames) -> Iterator[pd.DataFrame]:
    """The batches of ``flows``: a ``DataFrame`` is one batch; an iterable yields its batches."""
    if isinstance(flows, pd.DataFrame):
        yield flows
    else:
        yield from flows


def rows_where(flows: FlowFrames, mask: Callable[[pd.DataFrame], pd.Series],
               columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of ``flows`` where ``mask(batch)`` is true, in order, as one frame (index 0..n-1);
    ``columns``: only those (the others are not read). For the few rows a rule looks at closely."""
    parts = []
    for batch in frames(flows):
        if batch.empty:
            continue
        rows = batch.loc[mask(batch).fillna(False).astype(bool), list(columns) if columns else batch.columns]
        if not rows.empty:
            parts.append(rows)
    if not parts:
        return pd.DataFrame(columns=list(columns) if columns else None)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)


class FlowBatches:
    """The record batches of a flows table as pandas frames (Arrow-backed, no copy), the mapped
    pages a batch read released (``release()``) before the next batch is made. Iterable as often
    as needed (each iteration reads the table again); ``columns``: only those columns (default:
    every one but :data:`BODIES`)."""

    def __init__(self, table: pa.Table, release: Callable[[], None], columns: Sequence[str] | None = None) -> None:
        self._table = table
        self._release = release
        self.columns = list(columns) if columns is not None else [n for n in table.column_names if n not in BODIES]

    def __iter__(self) -> Iterator[pd.DataFrame]:
        try:
            for batch in self._table.select(self.columns).to_batches():
                yield batch.to_pandas(types_mapper=pd.ArrowDtype)
                self._release()
        finally:
            self._release()
