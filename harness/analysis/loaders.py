"""Inputs to analysis: a run directory (via RunStore), a ``.mitm`` flow file, or a HAR file.

Each loader gives a :class:`Source`: flows, WebSocket messages and agent events as the run
store's records (``harness.capture.records``), streamed, plus the steps, device facts where the
input has them, and whether the input was incomplete (a truncated flow file, a crashed recording,
a HAR entry that could not be read). Partial results are kept and marked, never dropped.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mitmproxy.io import compat

from harness.analysis import validate
from harness.analysis.foreign import UNREADABLE_VERSION, flow_version_error, foreign_format_error
from harness.analysis.har import load_har, looks_like_har
from harness.analysis.mitmstate import record_from_state
from harness.analysis.tnet import read_tnetstring
from harness.analysis.tnetflow import parse_flow
from harness.capture.records import AgentEvent, FlowRecord, Step, WsMessage
from harness.errors import AnalysisError, HarnessError
from harness.parsing import PARSE_ERRORS, one_line

T = TypeVar("T")

#: at most this many problems are listed one by one; the rest are counted
MAX_LISTED_PROBLEMS = 5
#: errors that make one record unreadable (it is skipped and counted, the others are kept);
#: mitmproxy's migration raises KeyError/AttributeError/AssertionError on bad states
RECORD_ERRORS: tuple[type[BaseException], ...] = (*PARSE_ERRORS, KeyError, AttributeError, AssertionError)
#: errors reading a small JSON side file (a run's facts.json)
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, *PARSE_ERRORS)
#: errors reading rows from a run store (a corrupt SQLite file, a row whose JSON does not decode)
STORE_ERRORS: tuple[type[BaseException], ...] = (*RECORD_ERRORS, sqlite3.Error)


@dataclass
class Source:
    kind: str  # "run", "mitm", "har"
    path: Path
    flows: Iterator[FlowRecord]
    ws_messages: Iterator[WsMessage] = field(default_factory=lambda: iter(()))
    events: Iterator[AgentEvent] = field(default_factory=lambda: iter(()))
    steps: list[Step] = field(default_factory=list)
    facts: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: set while streaming; read after the iterators are exhausted
    incomplete: bool = False
    problems: list[str] = field(default_factory=list)
    #: records (HAR entries, flows, messages) that could not be read and were left out
    skipped: int = 0

    def mark_incomplete(self, problem: str) -> None:
        """Mark the input incomplete; the first few problems are kept (one line, short each)."""
        self.incomplete = True
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(one_line(problem, 200))

    def skip(self, problem: str) -> None:
        """Count a record left out (and why); the result is incomplete, the other records are kept."""
        self.skipped += 1
        self.mark_incomplete(problem)
        more = self.skipped - MAX_LISTED_PROBLEMS
        if more > 0:
            note = f"{self.path.name}: {self.skipped} records skipped in all"
            if self.problems and self.problems[-1].endswith(" records skipped in all"):
                self.problems[-1] = note
            else:
                self.problems.append(note)

    def guarded(self, items: Iterator[Any], what: str) -> Iterator[Any]:
        """``items`` until the first error reading them, which marks the input incomplete (a run
        store whose rows cannot be decoded keeps what came before)."""
        count = 0
        try:
            for item in items:
                count += 1
                yield item
        except STORE_ERRORS as exc:
            self.mark_incomplete(f"{self.path.name}: {what} unreadable after {count} "
                                 f"({one_line(str(exc) or type(exc).__name__, 120)})")

    def checked(self, items: Iterator[T], check: Callable[[T], T], what: str) -> Iterator[T]:
        """``items`` each passed through ``check`` (a :mod:`validate` function); bad ones skipped."""
        for i, item in enumerate(items):
            try:
                yield check(item)
            except validate.RecordError as exc:
                self.skip(f"{self.path.name}: {what} {i + 1} skipped: {exc}")

    def checked_ws(self, messages: Iterator[WsMessage]) -> Iterator[WsMessage]:
        """``messages`` with each validated (:func:`validate.ws_message`); bad ones skipped."""
        return self.checked(messages, validate.ws_message, "WebSocket message")

    def checked_flows(self, flows: Iterator[FlowRecord], what: str = "record") -> Iterator[FlowRecord]:
        """``flows`` with each record validated (:func:`validate.flow_record`); bad ones skipped."""
        return self.checked(flows, validate.flow_record, what)


def open_source(path: str | Path) -> Source:
    """Pick the loader from what ``path`` is: a directory, a HAR file (JSON, gzip or zlib; see
    :mod:`harness.analysis.har`) or a flow file."""
    p = Path(path)
    if not p.exists():
        raise AnalysisError(f"{p} does not exist", fix="pass a run directory, a .mitm flow file or a .har file")
    if p.is_dir():
        return load_run_dir(p)
    try:
        with p.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise AnalysisError(f"cannot read {p}: {exc.strerror}", fix="check the path and its permissions") from None
    if looks_like_har(p, head):
        return load_har(p)
    if (foreign := foreign_format_error(p, head)) is not None:
        raise foreign
    return load_mitm(p)


# ---------------------------------------------------------------- .mitm


def load_mitm(path: Path) -> Source:
    """The flows of a mitmproxy flow file, streamed. Raises :class:`AnalysisError` for an empty
    file (a capture that recorded nothing proves nothing: refused like an empty HAR)."""
    try:
        empty = path.stat().st_size == 0
    except OSError:
        empty = False  # reported when the flows are read
    if empty:
        raise AnalysisError(f"{path} is empty, not a flow file",
                            fix="record again; mitmdump -w writes nothing until a flow reaches the proxy, "
                                "so check the traffic goes through it")
    src = Source("mitm", path, iter(()))
    ws_buffer: deque[WsMessage] = deque()

    def flows() -> Iterator[FlowRecord]:
        count = 0  # flows read from the file (good or skipped): flow numbers in warnings are 1-based
        handshakes: dict[str, FlowRecord] = {}
        try:
            fh = path.open("rb")
            size = os.fstat(fh.fileno()).st_size
        except OSError as exc:
            raise AnalysisError(f"cannot read {path}: {exc.strerror}", fix="check the path and permissions") from None
        with fh:
            while True:
                try:
                    loaded = read_tnetstring(fh, size, parse_flow)
                except EOFError:
                    break
                except RECORD_ERRORS as exc:
                    if count == 0:
                        raise AnalysisError(
                            f"{path} is not a mitmproxy flow file ({one_line(str(exc), 120)})",
                            fix="pass a file written by mitmdump -w / mitmweb, a run directory or a .har file",
                        ) from None
                    src.mark_incomplete(f"{path.name}: flow file truncated or corrupt after {count} flows "
                                        f"({one_line(str(exc), 120)}); the flows before it are kept")
                    break
                count += 1
                try:
                    state = validate.flow_state(compat.migrate_flow(loaded))
                    rec, ws = record_from_state(state, checked=True)
                    validate.flow_record(rec, headers_checked=True)
                    ws = [validate.ws_message(m) for m in ws]
                except RECORD_ERRORS as exc:
                    if UNREADABLE_VERSION in str(exc):  # one version per file: no flow of it is readable
                        raise flow_version_error(path, loaded) from None
                    src.skip(f"{path.name}: flow {count} skipped: {one_line(str(exc), 160)}")
                    continue
                ws_buffer.extend(ws)
                if state["metadata"].get("websocket") is True and state.get("websocket") is None:
                    # a WebSocket handshake in a format before 12: mitmproxy's migration repeats it,
                    # with the messages, in the WebSocket flow that follows; keep only that one
                    handshakes[rec.id] = rec
                    continue
                if state["metadata"].get("duplicated"):
                    handshakes.pop(rec.id, None)
                yield rec
        yield from handshakes.values()  # handshakes whose WebSocket flow never came
        if count and src.skipped == count:
            raise AnalysisError(f"{path}: none of its {count} flows could be read ({src.problems[0]})",
                                fix="check the file was written by mitmproxy (mitmdump -w); "
                                    "a newer mitmproxy may read it: mitmdump -r FILE -w NEW.mitm")

    def ws_messages() -> Iterator[WsMessage]:
        while ws_buffer:
            yield ws_buffer.popleft()

    src.flows = flows()
    src.ws_messages = ws_messages()
    return src


# ---------------------------------------------------------------- run directory


def load_run_dir(path: Path) -> Source:
    if not (path / "store.sqlite").exists():
        if (path / "flows.mitm").exists():
            src = load_mitm(path / "flows.mitm")
            src.mark_incomplete(f"{path}: no store.sqlite; analysed flows.mitm only (no steps or agent events)")
            src.facts = _read_facts(path)
            return src
        raise AnalysisError(f"{path} is not a run directory (no store.sqlite or flows.mitm)",
                            fix="pass a directory written by 'harness record', a .mitm or a .har file")
    try:
        from harness.capture.store import RunStore
    except ImportError as exc:  # the capture layer is not installed in this build
        raise AnalysisError(f"cannot open run directories: {exc}", fix="analyse RUN_DIR/flows.mitm instead") from None
    mitm = path / "flows.mitm"  # what the proxy wrote beside the store: readable without it
    instead = f"analyse the proxy's flow file instead, without steps or agent events: harness analyze {mitm}"
    try:
        store = RunStore.open(path)
    except HarnessError as exc:
        fix = instead if mitm.is_file() and mitm.stat().st_size else exc.fix or "check the run directory"
        raise AnalysisError(f"cannot open run store {path}: {exc.reason}", fix=fix) from None
    except STORE_ERRORS as exc:  # a damaged or foreign store.sqlite
        raise AnalysisError(f"cannot open run store {path}: {one_line(str(exc) or type(exc).__name__, 120)}",
                            fix=f"{instead}, or check the run directory") from None
    unreadable: list[str] = []
    status = "unknown"
    try:
        status = str(store.status)
    except STORE_ERRORS as exc:
        unreadable.append(f"status ({one_line(str(exc), 80)})")
    try:
        meta = dict(store.meta())
    except Exception:  # noqa: BLE001 - meta is optional for analysis
        meta = {}
    steps: list[Step] = []
    try:
        steps = list(store.steps())
    except STORE_ERRORS as exc:
        unreadable.append(f"steps ({one_line(str(exc) or type(exc).__name__, 80)})")
    src = Source("run", path, iter(store.iter_flows()), ws_messages=iter(store.iter_ws_messages()),
                 events=iter(store.iter_events()), steps=steps, facts=_read_facts(path), meta=meta)
    for what in unreadable:
        src.mark_incomplete(f"{path.name}: run store {what} unreadable; analysed without")
    src.meta["status"] = status
    src.flows = src.checked_flows(src.guarded(src.flows, "flows"), "flow")
    src.ws_messages = src.checked_ws(src.guarded(src.ws_messages, "WebSocket messages"))
    src.events = src.checked(src.guarded(src.events, "agent events"), validate.agent_event, "agent event")
    src.steps = list(src.checked(iter(src.steps), validate.step, "step"))
    if status != "complete":
        reason = meta.get("reason") or meta.get("status_reason") or ""
        src.mark_incomplete(f"run status is {status!r}" + (f": {reason}" if reason else ""))
    return src


def _read_facts(run_dir: Path) -> dict[str, Any] | None:
    p = run_dir / "artifacts" / "facts.json"
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except READ_ERRORS:
        return None
    return data if isinstance(data, dict) else None
