"""The ``verdict`` fixture of the pytest plugin and the claim records it keeps.

``verdict.record(result)`` (a :class:`~harness.scenario.ClaimResult`) appends the claim record to
the lab's ``claims.jsonl`` (shape in docs/dev/contracts.md: id ``<pack>.<test name>``, pack,
nodeid, text, verdict, details, rule, numbers, evidence split into flow and event ids, device,
steps) and adds JUnit properties (``claim``, ``verdict``, ``evidence``, ``run_dir``). Then: holds →
returns; violated → the test fails with the details, the evidence ids and the run dir. A
:class:`~harness.scenario.Inconclusive` raised anywhere in the test is recorded with the verdict
``inconclusive`` and the test is reported skipped with the reason ``inconclusive: ...``
(:func:`inconclusive`, called by the plugin's ``pytest_runtest_call`` wrapper); so is a holds or
violated result that cites no evidence (``no evidence cited``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.scenario.claims import evidence_steps
from harness.scenario.results import ClaimResult

if TYPE_CHECKING:
    from harness.scenario.lab import Lab

#: ``item.stash[STATE_KEY]``: the TestState of a test that uses the ``lab`` fixture
STATE_KEY = pytest.StashKey["TestState"]()
#: how many evidence ids a failure message shows (all are in claims.jsonl)
SHOWN_EVIDENCE = 12


@dataclass
class TestState:
    """What the plugin tracks of one test of a lab (``item.stash[STATE]``)."""

    lab: Any
    steps_before: int
    log_before: int
    claim_text: str | None
    records: list[dict[str, Any]] = field(default_factory=list)

    def steps(self) -> list[Any]:
        """The StepResults of this test's steps (a fresh timeline per test)."""
        return list(self.lab.steps[self.steps_before:])


def pack_of(item: pytest.Item) -> str:
    """The pack a test belongs to: the package holding its module (``harness.packs.ncsc_2021``
    -> ``ncsc_2021``), else its folder's name, else the module's name."""
    module = getattr(item, "module", None)
    name = getattr(module, "__name__", "") or ""
    if "." in name:
        return name.split(".")[-2]
    path = Path(str(item.path))
    return path.parent.name if (path.parent / "__init__.py").is_file() else path.stem


def split_evidence(lab: Lab, ids: list[str]) -> dict[str, list[str]]:
    """Evidence ids as ``{"flow_ids": [...], "event_ids": [...]}`` (an id the run store has as a
    flow is a flow id; anything else is an agent event id)."""
    store = lab.capture.store
    if store is not None:
        store.flush()
    flows = [i for i in ids if store is not None and store.get_flow(i) is not None]
    return {"flow_ids": flows, "event_ids": [i for i in ids if i not in flows]}


def claim_record(item: pytest.Item, state: TestState, verdict: str, *, text: str, details: str,
                 rule: str | None = None, numbers: dict[str, Any] | None = None,
                 evidence: list[str] | None = None) -> dict[str, Any]:
    lab = state.lab
    pack = pack_of(item)
    return {"id": f"{pack}.{item.name}", "pack": pack, "nodeid": item.nodeid, "text": text,
            "verdict": verdict, "details": details, "rule": rule, "numbers": dict(numbers or {}),
            "evidence": split_evidence(lab, list(evidence or [])), "device": lab.serial,
            "steps": evidence_steps(lab, evidence or [], [s.id for s in state.steps()])}


def keep(item: pytest.Item, state: TestState, record: dict[str, Any]) -> dict[str, Any]:
    """Save the record in the lab's claims.jsonl and name it in the JUnit properties; the record
    as saved (``inconclusive`` when it cited no evidence; ``not run`` when the session was
    interrupted before it was made: :func:`harness.scenario.cutoff.cut_record`)."""
    from harness.scenario.cutoff import cut_record
    from harness.scenario.plugin_findings import save_claim

    record = save_claim(state.lab.run_dir, cut_record(item, state, record))
    state.records.append(record)
    ev = record["evidence"]
    item.user_properties.extend([
        ("claim", record["text"]), ("verdict", record["verdict"]),
        ("evidence", " ".join([*ev["flow_ids"], *ev["event_ids"]])), ("run_dir", str(state.lab.run_dir))])
    return record


class VerdictRecorder:
    """The ``verdict`` fixture: ``verdict.record(result)``."""

    def __init__(self, item: pytest.Item, state: TestState) -> None:
        self.item = item
        self.state = state

    def record(self, result: ClaimResult) -> ClaimResult:
        """Store ``result``'s claim record; fail the test when the claim is violated. Returns
        ``result`` when it holds. A result citing no evidence id is recorded ``inconclusive``
        (``no evidence cited``, :func:`harness.report.document.save_claim`) and the test is
        skipped ``inconclusive: ...``. Raises TypeError for anything but a ClaimResult."""
        if not isinstance(result, ClaimResult):
            raise TypeError(f"verdict.record takes a harness.scenario.ClaimResult, not {type(result).__name__}")
        text = self.state.claim_text or result.claim
        record = claim_record(self.item, self.state, "holds" if result.holds else "violated", text=text,
                              details=result.details, rule=result.rule, numbers=result.numbers,
                              evidence=result.evidence)
        record = keep(self.item, self.state, record)
        if record["verdict"] == "inconclusive":
            pytest.skip(f"inconclusive: {record['details']}")
        if result.holds:
            return result
        shown = ", ".join(result.evidence[:SHOWN_EVIDENCE]) + (" ..." if len(result.evidence) > SHOWN_EVIDENCE
                                                                 else "")
        pytest.fail(f"claim violated: {text}\n{result.details}\nevidence: {shown or 'none'}\n"
                    f"run: {self.state.lab.run_dir}", pytrace=False)
        raise AssertionError("unreachable")  # pragma: no cover - pytest.fail raises

    @property
    def records(self) -> list[dict[str, Any]]:
        return list(self.state.records)


def inconclusive(item: pytest.Item, state: TestState | None, exc: Exception) -> str:
    """Record an Inconclusive claim (if the test has a lab); the skip reason."""
    reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    if state is not None:
        fix = getattr(exc, "fix", None)
        keep(item, state, claim_record(item, state, "inconclusive", text=state.claim_text or item.name,
                                       details=reason + (f" (fix: {fix})" if fix else ""),
                                       evidence=list(getattr(exc, "evidence", None) or [])))
    return f"inconclusive: {reason}"


def crashed(item: pytest.Item, state: TestState | None, report: pytest.TestReport) -> None:
    """A claim's test whose call failed without recording its claim (an exception, ``assert 1 ==
    2``): its claim record says ``error`` (the contract's verdict; JUnit ``<error>``), with what was
    raised, so the claim is in findings.json, the report and JUnit, never dropped nor ``violated``."""
    if state is None or state.claim_text is None or state.records:
        return
    from harness.parsing import one_line

    crash = getattr(report.longrepr, "reprcrash", None)
    message = one_line(crash.message if crash is not None else report.longreprtext, 300)
    keep(item, state, claim_record(item, state, "error", text=state.claim_text,
                                   details=f"the claim's test raised before recording a verdict: {message}"))
