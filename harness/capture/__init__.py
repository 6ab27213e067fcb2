"""capture layer: proxy runner, recorder addon, durable run store, exports.

The run store API is the contract other layers code against (``docs/dev/contracts.md`` §1)::

    from harness.capture import RunStore, FlowRecord, AgentEvent, Timeline
"""

from harness.capture.records import (
    DEFAULT_BODY_CAP,
    FLOW_KINDS,
    AgentEvent,
    Artifact,
    FlowRecord,
    Step,
    WsMessage,
)
from harness.capture.store import RunStore
from harness.capture.timeline import Timeline

__all__ = [
    "DEFAULT_BODY_CAP",
    "FLOW_KINDS",
    "AgentEvent",
    "Artifact",
    "FlowRecord",
    "RunStore",
    "Step",
    "Timeline",
    "WsMessage",
]
