"""Agent messages as events: the namespaced message protocol and its host-side form.

Every agent message is ``{"type": "<namespace>:<name>", "ts": ms, "pid": ..., "thread": ..., ...}``
sent with optional binary data. The host turns each Frida message into a :class:`HookEvent`,
stamped with the scenario step current *when the host received it* (from the run's Timeline).
Nothing is dropped: a Frida ``error`` message (an agent threw) becomes ``agent:error`` with its
stack, ``console.log`` output ``agent:log``, and anything unrecognised ``agent:unknown`` with the
message kept verbatim.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

#: a namespaced event type: ``crypto:plaintext``, ``tls:write``, ``agent:error``, ...
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$")

#: fields of an agent message that become event columns rather than payload
_ENVELOPE = ("type", "ts", "pid", "thread")


@dataclass
class HookEvent:
    """One event from an agent (or from the session itself: ``session:*``)."""

    type: str
    source: str  # agent name, or "session"
    timestamp: float  # UNIX seconds (UTC); the agent's clock when it sent the message
    payload: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    pid: int | None = None
    thread: int | None = None
    step_id: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form (binary data as OONI-style ``{"format": "base64", "data": ...}``)."""
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "source": self.source,
            "timestamp": self.timestamp,
            "pid": self.pid,
            "thread": self.thread,
            "step_id": self.step_id,
            "payload": self.payload,
        }
        if self.data is not None:
            out["data"] = {"format": "base64", "data": base64.b64encode(self.data).decode()}
        return out

    def to_record(self) -> Any:
        """The run store's record (``harness.capture.records.AgentEvent``, contracts.md §1)."""
        from harness.capture.records import AgentEvent

        return AgentEvent(
            id=self.id,
            type=self.type,
            source=self.source,
            step_id=self.step_id,
            timestamp=self.timestamp,
            pid=self.pid,
            thread=str(self.thread) if self.thread is not None else None,
            payload=self.payload,
            data=self.data,
        )


def event_from_message(
    source: str, message: dict[str, Any], data: bytes | None, step_id: str | None, received_at: float | None = None
) -> HookEvent:
    """Convert one Frida script message into an event; never raises, never drops."""
    received_at = time.time() if received_at is None else received_at
    kind = message.get("type") if isinstance(message, dict) else None
    if kind == "send":
        body = message.get("payload")
        if isinstance(body, dict) and isinstance(body.get("type"), str) and TYPE_PATTERN.match(body["type"]):
            ts = body.get("ts")
            return HookEvent(
                type=body["type"],
                source=source,
                timestamp=ts / 1000.0 if isinstance(ts, int | float) else received_at,
                payload={k: v for k, v in body.items() if k not in _ENVELOPE},
                data=data,
                pid=_int_or_none(body.get("pid")),
                thread=_int_or_none(body.get("thread")),
                step_id=step_id,
            )
        return _unknown(source, message, data, step_id, received_at)
    if kind == "error":
        return HookEvent(
            type="agent:error",
            source=source,
            timestamp=received_at,
            payload={
                "where": "uncaught",
                "message": message.get("description"),
                "stack": message.get("stack"),
                "file": message.get("fileName"),
                "line": message.get("lineNumber"),
            },
            data=data,
            step_id=step_id,
        )
    return _unknown(source, message, data, step_id, received_at)


def log_event(source: str, level: str, text: str, step_id: str | None) -> HookEvent:
    return HookEvent(
        type="agent:log", source=source, timestamp=time.time(), payload={"level": level, "text": text}, step_id=step_id
    )


def session_event(type_: str, step_id: str | None, **payload: Any) -> HookEvent:
    return HookEvent(type=type_, source="session", timestamp=time.time(), payload=payload, step_id=step_id)


def _unknown(
    source: str, message: Any, data: bytes | None, step_id: str | None, received_at: float
) -> HookEvent:
    return HookEvent(
        type="agent:unknown",
        source=source,
        timestamp=received_at,
        payload={"message": message},
        data=data,
        step_id=step_id,
    )


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) else None
