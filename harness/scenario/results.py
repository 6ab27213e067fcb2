"""Result types of the scenario layer, in one place.

- :class:`StepResult`: one finished step (id, times, flows, what the app rendered, how it settled);
- :class:`Verdict`: what an assertion concluded, with its rule, numbers and evidence ids;
- :class:`ScenarioAssertion`: raised by an assertion that does not hold (an ``AssertionError``, so
  pytest reports it as a failing test; its message is the verdict's explanation);
- :class:`Inconclusive`: the lab could not observe what an assertion tests (neither verdict);
- :class:`ClaimResult`: a claim of a scenario pack and its verdict (``holds`` + evidence).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.errors import ScenarioError


@dataclass
class StepResult:
    """A finished step. Times are UNIX seconds (UTC); ``settled_by`` is ``expected`` (everything
    the step waited for arrived), ``quiet`` (nothing new for the quiet period), ``bound`` (the
    lab's timeout passed while the app kept talking) or ``error``."""

    id: str
    name: str
    subject: dict[str, Any] = field(default_factory=dict)
    started_at: float = 0.0
    ended_at: float | None = None
    flow_ids: list[str] = field(default_factory=list)
    #: what the app put on screen in this step, per surface (from ``I/Render`` lines)
    rendered: dict[str, list[Any]] = field(default_factory=dict)
    #: log messages of the step's app (its profile's log tags)
    log: list[str] = field(default_factory=list)
    settled_by: str = "error"
    notes: list[str] = field(default_factory=list)

    @property
    def term(self) -> str | None:
        value = self.subject.get("term") or self.subject.get("query")
        return str(value) if value is not None else None


@dataclass
class Verdict:
    """What an assertion concluded.

    ``rule`` names the rule in docs/analysis.md (e.g. ``filtering.ooni_web_connectivity``);
    ``numbers`` the values it compared (ratios, thresholds, term counts); ``evidence`` the flow ids
    then agent event ids it rests on: of the findings when it does not hold, of the examined flows
    when it holds."""

    claim: str
    holds: bool
    details: str
    rule: str
    evidence: list[str] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)

    def explain(self) -> str:
        shown = ", ".join(self.evidence[:12]) + (" ..." if len(self.evidence) > 12 else "")
        nums = "; ".join(f"{k}={v}" for k, v in self.numbers.items())
        return (f"{self.claim}: {'holds' if self.holds else 'violated'}: {self.details} "
                f"[rule {self.rule}" + (f"; {nums}" if nums else "") + f"; evidence {shown or 'none'}]")


class ScenarioAssertion(AssertionError):
    """An assertion that does not hold; ``verdict`` carries the evidence."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        super().__init__(verdict.explain())


class Inconclusive(ScenarioError):
    """The lab could not observe what is being tested (e.g. the app's request failed).

    ``evidence``: the flow ids, then agent event ids, of what was observed and why it decides
    nothing (e.g. the probe pair and the keyword list its control term is on); the claim record
    cites them (``harness.scenario.plugin_verdict.inconclusive``). Empty when nothing was seen."""

    def __init__(self, reason: str, *, evidence: list[str] | tuple[str, ...] = (), **kw: Any) -> None:
        self.evidence = list(dict.fromkeys(str(i) for i in evidence))
        super().__init__(reason, **kw)


@dataclass
class ClaimResult:
    """The outcome of one claim check of a scenario pack."""

    claim: str
    holds: bool
    details: str
    #: flow ids / agent event ids: of the findings when violated, of the examined flows when it holds
    evidence: list[str] = field(default_factory=list)
    rule: str | None = None
    numbers: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, verdict: Verdict, claim: str | None = None) -> ClaimResult:
        return cls(claim or verdict.claim, verdict.holds, verdict.details, list(verdict.evidence),
                   verdict.rule, dict(verdict.numbers))
