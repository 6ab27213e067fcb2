"""Findings: what analysis concludes, each citing its evidence.

A :class:`Finding` follows the findings contract in the design (``findings.json``): kind, verdict,
severity, the rule that produced it and the flow ids / agent event ids it rests on. The report
layer consumes these objects (``to_dict()`` gives the JSON form).
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any

from harness.errors import UsageError


class Severity(IntEnum):
    """Ordered severities; ``harness analyze --fail-on`` compares against these."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise UsageError(f"unknown severity {text[:40]!r}", fix=f"use one of: {names}") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass
class Finding:
    """One conclusion of analysis.

    ``kind`` is e.g. ``pii_sent``, ``pii_abroad``, ``config_list``, ``filtered``,
    ``pinning_failure``, ``coverage_gap``; ``verdict`` the outcome (``sent``, ``filtered``,
    ``not_filtered``, ``inconclusive``, ...); ``rule`` names the rule in docs/analysis.md;
    ``evidence`` holds the flow ids and agent event ids; ``details`` the numbers behind it.
    """

    kind: str
    verdict: str
    severity: Severity
    rule: str
    summary: str
    flow_ids: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    step_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        d["evidence"] = {"flow_ids": d.pop("flow_ids"), "event_ids": d.pop("event_ids")}
        d["details"] = _jsonable(self.details)
        return d


def _jsonable(value: Any) -> Any:
    """Binary evidence as ``{"format": "base64", "data": ...}`` (OONI's convention)."""
    if isinstance(value, bytes):
        return {"format": "base64", "data": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value
