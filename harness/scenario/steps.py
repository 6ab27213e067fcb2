"""A step in progress: what it waits for, and how it knows it is done (settle detection).

A step settles when everything expected inside it arrived — a flow to a host role
(:meth:`Step.expect_flow`), a log line of an app (:meth:`Step.expect_log`), any condition
(:meth:`Step.expect`) — and, with no expectation at all, once nothing new (flow, log line of the
step's apps) arrived for the quiet period. Both are bounded by the lab's timeout: a missing
expectation raises :class:`~harness.scenario.waits.StepTimeout`; a step that never goes quiet ends
at the bound (``settled_by="bound"``). Never a fixed sleep.
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from harness.scenario.results import StepResult

if TYPE_CHECKING:
    from harness.capture.records import FlowRecord
    from harness.device.logcat import LogLine
    from harness.scenario.lab import Lab


def host_matches(host: str | None, patterns: list[str]) -> bool:
    """``host`` (case-insensitive, trailing dot ignored) against glob patterns (``*.xiaomi.com``)."""
    if not host:
        return False
    h = host.lower().rstrip(".")
    return any(fnmatch.fnmatchcase(h, p.lower().rstrip(".")) for p in patterns)


class Step:
    """Handed out by ``with lab.step(...) as step``."""

    def __init__(self, lab: Lab, step_id: str, name: str, subject: dict[str, Any], quiet: float) -> None:
        self.lab = lab
        self.id = step_id
        self.name = name
        self.subject = dict(subject)
        self.quiet = quiet
        self.log_start = lab.logs.count
        self.started_at = time.time()
        #: (what, probe) pairs the step waits for before it ends
        self.expectations: list[tuple[str, Callable[[], Any]]] = []
        #: the app packages acting in this step (their log lines count for quiet detection)
        self.packages: list[str] = []
        self.rendered: dict[str, list[Any]] = {}
        self.notes: list[str] = []
        self.settled_by = "error"

    # -- what the step waits for -----------------------------------------------------------------

    def expect(self, what: str, probe: Callable[[], Any]) -> None:
        """End the step only once ``probe()`` is truthy (bounded)."""
        self.expectations.append((what, probe))

    def flows(self, host_role: str | None = None) -> list[FlowRecord]:
        """The flows recorded in this step so far (to a host role's hosts, if given)."""
        patterns = self.lab.hosts(host_role) if host_role else None
        return self.lab.flows(lambda f: f.step_id == self.id
                              and (patterns is None or host_matches(f.server_host or f.host, patterns)))

    def expect_flow(self, host_role: str, *, answered: bool = False) -> None:
        """A flow to one of ``host_role``'s hosts (with a response, if ``answered``)."""
        def probe() -> list[FlowRecord]:
            return [f for f in self.flows(host_role) if not answered or f.status_code is not None]

        self.expect(f"a flow to {host_role} ({', '.join(self.lab.hosts(host_role))})", probe)

    def log(self, tags: tuple[str, ...] | str | None = None, pid: int | None = None) -> list[LogLine]:
        """Log lines since the step began."""
        return self.lab.logs.lines(tags, pid, since=self.log_start)

    def expect_log(self, tag: str, predicate: Callable[[str], bool], *, pid: int | None = None,
                   what: str | None = None) -> None:
        self.expect(what or f"a {tag} log line", lambda: self.lab.logs.find(tag, predicate, pid=pid,
                                                                             since=self.log_start))

    def wait_log(self, tag: str, predicate: Callable[[str], bool], *, pid: int | None = None,
                 what: str | None = None) -> str:
        """Wait now (bounded) for a log line of this step; its message."""
        line = self.lab.wait(lambda: self.lab.logs.find(tag, predicate, pid=pid, since=self.log_start),
                             what or f"a {tag} log line")
        return str(line.message)

    # -- settling --------------------------------------------------------------------------------

    def _activity(self) -> tuple[int, int]:
        """(flows in this step, log lines of this step's apps): what 'quiet' watches."""
        tags: set[str] = set()
        for package in self.packages:
            tags.update(self.lab.app_tags(package))
        return len(self.flows()), len(self.log(tuple(tags) if tags else None))

    def settle(self) -> None:
        lab = self.lab
        deadline = time.monotonic() + lab.timeout
        for what, probe in self.expectations:
            lab.wait(probe, f"step {self.id}: {what}", timeout=max(0.1, deadline - time.monotonic()))
        if self.expectations:
            self.settled_by = "expected"
            return
        last, changed = self._activity(), time.monotonic()
        while True:
            lab.check()
            now = time.monotonic()
            if now - changed >= self.quiet:
                self.settled_by = "quiet"
                return
            if now >= deadline:
                self.settled_by = "bound"
                return
            seen = lab.pulse.generation
            lab.pulse.wait_change(seen, min(self.quiet - (now - changed), deadline - now))
            current = self._activity()
            if current != last:
                last, changed = current, time.monotonic()

    def finish(self) -> StepResult:
        """Flush agents and recorder, end the step on the timeline; the result."""
        lab = self.lab
        for hook in list(lab.hooks.values()):
            try:
                hook.flush(timeout=5.0)
            except Exception as exc:  # noqa: BLE001 - a dead app's hook: the step still ends
                self.notes.append(f"agent events not flushed: {exc}")
        lab.capture.flush()
        step = lab.capture.timeline.end()
        tags: set[str] = set()
        for package in self.packages:
            tags.update(lab.app_tags(package))
        return StepResult(
            id=self.id, name=self.name, subject=self.subject, started_at=self.started_at,
            ended_at=step.ended_at if step else time.time(), flow_ids=[f.id for f in self.flows()],
            rendered=self.rendered, log=[ln.message for ln in self.log(tuple(tags))] if tags else [],
            settled_by=self.settled_by, notes=self.notes)


def is_literal(pattern: str) -> bool:
    """A host pattern that names one host (no glob characters)."""
    return not any(c in pattern for c in "*?[")
