"""The live line per flow of ``harness intercept``: time, step, method, host, where the server is
(country and jurisdiction class of the address the proxy really connected to), status or failure.

The recorder hands each finished :class:`~harness.capture.records.FlowRecord` to
:meth:`LiveLines.on_flow` on the proxy's event loop, which only queues it; the geo lookup (override
table -> mmdb -> iptocc, cached per address) and the printing happen in :meth:`LiveLines.drain`,
called from the intercept loop's thread, so the proxy never waits for either.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass

from harness.analysis.geo import GeoResolver
from harness.analysis.policy import Policy, jurisdiction_label
from harness.capture.records import FlowRecord
from harness.redact import redact_url

PATH_WIDTH = 60

#: why a client refuses the proxy's certificate; the last cause is this session's own (an app
#: started before intercept installed the CA keeps its old trust store until it restarts)
TLS_HINT = ("the app does not trust the proxy CA, or pins its server certificate, or it started "
            "before the CA was installed: restart it")


@dataclass(frozen=True)
class FlowLine:
    """What one live line shows; :meth:`text` formats it."""

    started_at: float
    step_id: str | None
    kind: str
    method: str | None
    host: str
    path: str | None
    server_ip: str | None
    country: str | None
    jurisdiction: str
    status: int | None
    error: str | None
    #: the display word of class ``domestic`` (``EEA``; harness.analysis.policy.jurisdiction_label)
    home: str | None = None

    @property
    def failed(self) -> bool:
        return self.status is None

    def text(self) -> str:
        stamp = time.strftime("%H:%M:%SZ", time.gmtime(self.started_at))
        parts = [stamp]
        if self.step_id:
            parts.append(f"[{self.step_id}]")
        parts.append(self.method or self.kind)
        target = self.host
        if self.path and self.path != "/":
            target += self.path if len(self.path) <= PATH_WIDTH else self.path[:PATH_WIDTH] + "..."
        parts.append(target)
        parts.append(f"{self.country or '--'} {jurisdiction_label(self.jurisdiction, self.home)}")
        if self.status is not None:
            parts.append(str(self.status))
        elif self.kind == "idle":  # a spare connection: not a failure (docs/capture.md)
            parts.append("idle: closed after the TLS handshake without a request")
        else:
            reason = self.error or "no response"
            if self.kind == "tls_failure" and "pinning" not in reason:
                reason += f" ({TLS_HINT})"
            parts.append(f"FAILED: {reason}")
        return " ".join(parts)


def flow_line(record: FlowRecord, geo: GeoResolver, policy: Policy) -> FlowLine:
    """The live line of ``record``: host is the name the client asked for (Host header, else SNI)."""
    host = record.server_host or record.sni or record.host or record.server_ip or "?"
    if host == record.server_ip and record.sni:  # inside a CONNECT tunnel to an IP: the SNI names it
        host = record.sni
    answer = geo.resolve(record.server_ip)
    return FlowLine(
        started_at=record.started_at, step_id=record.step_id, kind=record.kind, method=record.method,
        host=host, path=redact_url(record.path), server_ip=record.server_ip, country=answer.country,
        jurisdiction=policy.classify(answer.country, host), status=record.status_code,
        error=record.error, home=policy.home_label,
    )


class LiveLines:
    """Queue flow records from the proxy's loop; turn them into lines on the caller's thread."""

    def __init__(self, emit: Callable[[str], None], geo: GeoResolver, policy: Policy | None = None) -> None:
        self.emit = emit
        self.geo = geo
        self.policy = policy or Policy()
        self.count = 0
        self._queue: queue.SimpleQueue[FlowRecord] = queue.SimpleQueue()

    def on_flow(self, record: FlowRecord) -> None:
        """Recorder callback (proxy event loop): only queue the record."""
        self._queue.put(record)

    def drain(self) -> list[FlowLine]:
        """Emit a line for every queued flow; return them."""
        lines: list[FlowLine] = []
        while True:
            try:
                record = self._queue.get_nowait()
            except queue.Empty:
                return lines
            line = flow_line(record, self.geo, self.policy)
            self.count += 1
            lines.append(line)
            self.emit(line.text())
