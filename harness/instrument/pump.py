"""The event pump of a hook session: Frida's thread enqueues, one consumer thread turns messages
into :class:`~harness.instrument.events.HookEvent` objects, keeps them in memory and hands them to
the sinks (e.g. the run store). Waits on events are bounded."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from harness.errors import InstrumentError
from harness.instrument.events import HookEvent, event_from_message, log_event

log = logging.getLogger(__name__)

EventSink = Callable[[HookEvent], None]

_STOP = object()


class EventPump:
    """Queue + consumer thread for one process's agent messages.

    ``ended()`` returns the error to raise once the session is over (None while it runs): a
    :meth:`wait_for` that has seen every queued event then raises it instead of waiting on.
    """

    def __init__(self, pid: int, sinks: Iterable[EventSink], ended: Callable[[], InstrumentError | None],
                 keep_events: int = 100_000) -> None:
        self.pid = pid
        self._sinks = list(sinks)
        self._ended = ended
        self._queue: queue.Queue[Any] = queue.Queue()
        self._events: list[HookEvent] = []
        self._keep = keep_events
        self.cond = threading.Condition()
        #: exceptions raised by sinks (the session raises the first on its next call)
        self.sink_errors: list[BaseException] = []
        self._consumer = threading.Thread(target=self._consume, name=f"hook-events:{pid}", daemon=True)
        self._consumer.start()

    # ---- producers (any thread, Frida's included: enqueue only) -------------------------------

    def message(self, agent: str, message: Any, data: bytes | None, step: str | None) -> None:
        self._queue.put(("message", agent, message, data, step, time.time()))

    def log_line(self, agent: str, level: str, text: str, step: str | None) -> None:
        self._queue.put(("log", agent, level, text, step))

    def event(self, event: HookEvent) -> None:
        self._queue.put(("event", event))

    def notify(self) -> None:
        with self.cond:
            self.cond.notify_all()

    # ---- consumers ----------------------------------------------------------------------------

    def add_sink(self, sink: EventSink) -> None:
        self._sinks.append(sink)

    def events(self, type_: str | None = None) -> list[HookEvent]:
        with self.cond:
            return [e for e in self._events if type_ is None or e.type == type_]

    def wait_for(self, type_: str, predicate: Callable[[HookEvent], bool] | None = None,
                 timeout: float = 10.0, serial: str | None = None) -> HookEvent:
        """The first event of ``type_`` (matching ``predicate``), waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self.cond:
            while True:
                for event in self._events[seen:]:
                    if event.type == type_ and (predicate is None or predicate(event)):
                        return event
                seen = len(self._events)
                remaining = deadline - time.monotonic()
                ended = self._ended()
                if ended is not None and self._queue.empty():
                    raise ended
                if remaining <= 0:
                    raise InstrumentError(
                        f"no {type_} event within {timeout:g}s", attempted="wait for event", serial=serial,
                    )
                self.cond.wait(min(remaining, 0.5))

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every message received so far has reached the sinks."""
        done = threading.Event()
        self._queue.put(("barrier", done))
        if not done.wait(timeout):
            raise InstrumentError(f"event consumer did not catch up within {timeout:g}s", attempted="flush")

    def stop(self, timeout: float = 10.0) -> None:
        """Deliver what is queued, then end the consumer thread."""
        self._queue.put(_STOP)
        self._consumer.join(timeout)

    def _consume(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            kind = item[0]
            if kind == "barrier":
                item[1].set()
                continue
            if kind == "message":
                _, agent, message, data, step, received = item
                event = event_from_message(agent, message, data, step, received)
            elif kind == "log":
                _, agent, level, text, step = item
                event = log_event(agent, level, text, step)
            else:
                event = item[1]
            if event.pid is None and event.source != "session":
                event.pid = self.pid
            with self.cond:
                self._events.append(event)
                if len(self._events) > self._keep:
                    del self._events[: len(self._events) - self._keep]
                self.cond.notify_all()
            for sink in self._sinks:
                try:
                    sink(event)
                except Exception as exc:  # the next call on the session raises it
                    self.sink_errors.append(exc)
                    log.error("event sink failed: %s", exc)


def store_sink(store: Any) -> EventSink:
    """A sink writing events into a run store (``RunStore.add_event``, contracts.md §1)."""

    def sink(event: HookEvent) -> None:
        store.add_event(event.to_record())

    return sink
