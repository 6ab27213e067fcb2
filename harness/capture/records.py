"""Rows of the run store: flows, WebSocket messages, agent events and steps.

These dataclasses are the contract between the recorder (writer) and analysis (reader); see
``docs/dev/contracts.md`` section 1 and ``docs/capture.md``. Header lists are kept as lists of
``(name, value)`` pairs in order; the store serialises them to JSON.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

#: the kinds a :class:`FlowRecord` can have
FLOW_KINDS = ("http", "websocket", "tls_failure", "idle", "tcp", "udp", "dns", "error")

#: default cap on stored bodies (bytes); the full size is always recorded
DEFAULT_BODY_CAP = 4 * 1024 * 1024

Headers = list[tuple[str, str]]


@dataclass
class FlowRecord:
    """One flow seen by the proxy: an HTTP exchange, a WebSocket, a failed TLS handshake, ..."""

    id: str
    kind: str
    started_at: float
    ended_at: float
    client_ip: str = ""
    client_port: int = 0
    step_id: str | None = None
    server_host: str | None = None
    server_ip: str | None = None
    server_port: int | None = None
    sni: str | None = None
    tls_version: str | None = None
    alpn: str | None = None
    http_version: str | None = None
    method: str | None = None
    scheme: str | None = None
    host: str | None = None
    port: int | None = None
    path: str | None = None
    url: str | None = None
    status_code: int | None = None
    reason: str | None = None
    request_headers: Headers = field(default_factory=list)
    response_headers: Headers = field(default_factory=list)
    request_body: bytes | None = None
    response_body: bytes | None = None
    request_body_size: int | None = None
    response_body_size: int | None = None
    request_body_truncated: bool = False
    response_body_truncated: bool = False
    body_cap: int = DEFAULT_BODY_CAP
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: order of completion in the run; assigned by the store
    seq: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in FLOW_KINDS:
            raise ValueError(f"unknown flow kind {self.kind!r}; expected one of {FLOW_KINDS}")

    def header(self, name: str, *, response: bool = False) -> str | None:
        """First value of header ``name`` (case-insensitive), or None."""
        lname = name.lower()
        for k, v in self.response_headers if response else self.request_headers:
            if k.lower() == lname:
                return v
        return None


@dataclass
class WsMessage:
    """One WebSocket message of a flow (the flow row itself is written when the socket ends)."""

    flow_id: str
    timestamp: float
    from_client: bool
    is_text: bool
    content: bytes
    size: int
    truncated: bool = False
    step_id: str | None = None
    seq: int | None = None


def new_event_id() -> str:
    return uuid.uuid4().hex


@dataclass
class AgentEvent:
    """An event from a Frida agent (``crypto:plaintext``, ``agent:error``, ...) or from the harness."""

    type: str
    source: str
    timestamp: float
    payload: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    step_id: str | None = None
    pid: int | None = None
    thread: str | None = None
    id: str = field(default_factory=new_event_id)
    seq: int | None = None


@dataclass
class Step:
    """One step of the scenario timeline."""

    id: str
    name: str
    started_at: float
    ended_at: float | None = None
    action: str | None = None
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class Artifact:
    """A file kept in ``RUN_DIR/artifacts`` (logcat, screenshot, facts, ...)."""

    name: str
    kind: str
    path: str
    size: int
    created_at: float
    step_id: str | None = None
