"""Where a report finds the flows and agent events a findings document cites (its evidence rows).

A findings document names evidence by id only; the request line, status and server of a flow, the
type and step of an agent event, are in the recording that produced it:

- a **run folder** (a run store, ``store.sqlite``): that store;
- a **session folder** (``OUT/<session id>/``, :mod:`harness.report.folders`): the stores of its
  lab folders ``<worker>/<module>/``. A merged document tags every claim and finding with the
  ``run_id`` of the lab that produced it (:func:`harness.report.merge.merge_findings`); an id is
  looked up in that lab's store first, then in the others (flow and event ids are UUIDs);
- an **analysis folder** of ``harness analyze FILE --out DIR`` (a ``.mitm`` or HAR file's
  analysis): its own frames ``flows.parquet`` and ``agent_events.parquet``.

:func:`evidence_of` picks the source for a folder; :class:`Evidence` answers by id.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: what an evidence row says when no recording of the document holds the id
NOT_FOUND = "(not in this run's store)"


@dataclass(frozen=True)
class FlowFacts:
    """What an evidence row shows of a flow: ``request`` (``METHOD URL``, or ``KIND HOST`` for a
    flow without HTTP), ``status`` (status code, or the error), ``server`` (``IP:PORT``)."""

    request: str
    status: str
    server: str


@dataclass(frozen=True)
class EventFacts:
    """What an evidence row shows of an agent event: its type, source and step."""

    type: str
    source: str
    step_id: str | None


def flow_facts(rec: Any) -> FlowFacts:
    """The evidence row of a flow record (a :class:`~harness.capture.store.FlowRecord` or a row
    of the ``flows`` frame with the same field names)."""
    if rec.kind == "http" or rec.method:
        request = f"{rec.method or ''} {rec.url or rec.path or ''}".strip()
    else:
        request = f"{rec.kind} {rec.server_host or rec.sni or ''}".strip()
    status = str(rec.status_code) if rec.status_code is not None else (rec.error or "")
    server = f"{rec.server_ip or '?'}:{rec.server_port}" if rec.server_port else (rec.server_ip or "")
    return FlowFacts(request, status, server)


class Evidence:
    """Flows and agent events by id, from one or more recordings keyed by run id.

    ``stores``: ``{run_id: RunStore}`` (in lookup order); ``frames``: the ``flows`` and
    ``agent_events`` rows of an analysis, ``{id: record}`` each."""

    def __init__(self, stores: dict[str, Any] | None = None, *, flows: dict[str, Any] | None = None,
                 events: dict[str, Any] | None = None) -> None:
        self.stores = dict(stores or {})
        self._flows = dict(flows or {})
        self._events = dict(events or {})
        self._event_cache: dict[str, dict[str, Any]] = {}

    def _order(self, run_id: str | None) -> list[Any]:
        first = [self.stores[run_id]] if run_id is not None and run_id in self.stores else []
        return first + [s for r, s in self.stores.items() if r != run_id]

    def flow(self, flow_id: str, run_id: str | None = None) -> FlowFacts | None:
        """The evidence row of flow ``flow_id`` (``run_id``'s store first), or None when no
        recording of the document holds it."""
        if flow_id in self._flows:
            return flow_facts(self._flows[flow_id])
        for store in self._order(run_id):
            rec = store.get_flow(flow_id)
            if rec is not None:
                return flow_facts(rec)
        return None

    def events(self, ids: Iterable[str], run_id: str | None = None) -> dict[str, EventFacts]:
        """``{id: EventFacts}`` of the agent events of ``ids`` any recording holds (``run_id``'s
        first); ids held by none are absent."""
        wanted = set(ids)
        out = {i: EventFacts(*self._events[i]) for i in wanted if i in self._events}
        for store in self._order(run_id):
            if not wanted - set(out):
                break
            key = str(id(store))
            if key not in self._event_cache:
                self._event_cache[key] = {e.id: e for e in store.iter_events()}
            for i in wanted - set(out):
                e = self._event_cache[key].get(i)
                if e is not None:
                    out[i] = EventFacts(str(e.type), str(e.source), e.step_id)
        return out

    def flow_times(self) -> dict[str, list[float]]:
        """``{step id: [flow start times]}`` for the timeline, of a single recording (a merged
        session repeats step ids across labs: no dots then)."""
        out: dict[str, list[float]] = {}
        if len(self.stores) == 1:
            for rec in next(iter(self.stores.values())).iter_flows():
                if rec.step_id:
                    out.setdefault(rec.step_id, []).append(rec.started_at)
        else:
            for rec in self._flows.values():
                if isinstance(rec.step_id, str) and isinstance(rec.started_at, float):
                    out.setdefault(rec.step_id, []).append(float(rec.started_at))
        return out


def as_evidence(source: Any) -> Evidence | None:
    """``source`` as an :class:`Evidence`: itself, a single run store (keyed by its run id), or None."""
    if source is None or isinstance(source, Evidence):
        return source
    return Evidence({str(source.meta().get("run_id") or "run"): source})


def evidence_of(folder: str | os.PathLike[str]) -> Evidence | None:
    """The evidence of a report folder (see the module docstring): a run folder's store, a
    session's lab stores, an analysis folder's frames; None for a folder holding only a
    findings.json. A lab store that cannot be opened is left out (its ids then show
    :data:`NOT_FOUND`)."""
    from harness.capture.store import DB_NAME, RunStore
    from harness.errors import HarnessError
    from harness.report.folders import lab_folders

    run = Path(folder)
    if (run / DB_NAME).is_file():
        return as_evidence(RunStore.open(run))
    stores: dict[str, Any] = {}
    for lab in lab_folders(run):
        try:
            store = RunStore.open(lab)
        except HarnessError:
            continue
        stores[str(store.meta().get("run_id") or lab.name)] = store  # the lab document's run_id
    if stores:
        return Evidence(stores)
    if (run / "flows.parquet").is_file():
        return _frames(run)
    return None


def _frames(folder: Path) -> Evidence:
    """The rows of an analysis folder's ``flows.parquet`` / ``agent_events.parquet`` (the columns
    an evidence row shows only: no bodies are read)."""
    import pyarrow.parquet as pq

    from harness.analysis.frames import AGENT_EVENTS

    columns = ["id", "kind", "step_id", "started_at", "method", "url", "path", "server_host", "sni",
               "status_code", "error", "server_ip", "server_port"]
    flows = {str(r["id"]): _Row(r) for r in pq.read_table(folder / "flows.parquet", columns=columns).to_pylist()}
    events: dict[str, Any] = {}
    path = folder / "agent_events.parquet"
    if path.is_file():
        names = [c for c in ("id", "type", "source", "step_id") if c in AGENT_EVENTS.names]
        events = {str(r["id"]): (str(r["type"]), str(r["source"]), r["step_id"])
                  for r in pq.read_table(path, columns=names).to_pylist()}
    return Evidence(flows=flows, events=events)


class _Row:
    """A frame row read by attribute, as a FlowRecord is."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(row)
