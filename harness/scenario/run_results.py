"""What a ``harness run`` came to: the claim → verdict rows, its exit status, or the one line of
bad input that stopped it.

Rows come from the session's ``findings.json`` (``claims``: one per claim and device, written by
the pytest plugin through ``harness.report.document``); tests that left no claim record there (a
lab that did not open, a crash, a run stopped early) come from the progress stream's ``test-end``
records (``incomplete`` when pytest never reported the test's end: a worker stopped mid-test), then
from pytest's own outcomes (:mod:`harness.scenario.run_events`). A test that failed
without a claim record is an ``error`` unless it failed an assertion (``failed``: a scenario
assertion of a test without a ``claim`` marker; a claim's test that crashed is an ``error``, as
its claim record says); it is never reported ``violated`` — that needs the claim's evidence. A
stopped run (pytest's exit status 2) lists the selected tests it never started as ``not run``.

Exit statuses (INTERFACES.md section 5, docs/scenarios.md "Running packs"): 0 every claim holds; 1
a claim violated (or a scenario assertion failed); 2 an error (bad input, a device or lab that
failed, a test that did not finish); 3 none violated but one inconclusive, or nothing could be observed (every test skipped).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.parsing import one_line
from harness.scenario.testsource import module_definitions

#: verdict order in the table and for the exit status
VERDICTS = ("violated", "failed", "error", "incomplete", "not run", "inconclusive", "holds", "passed", "skipped")
#: test-end verdicts of a test without a claim record: pytest's outcome must confirm them
PYTEST_VERDICTS = ("passed", "failed", "skipped")
EXIT_OK, EXIT_VIOLATED, EXIT_ERROR, EXIT_INCONCLUSIVE = 0, 1, 2, 3
#: pytest's exit codes (pytest.ExitCode) the parent maps
PYTEST_INTERRUPTED, PYTEST_INTERNAL, PYTEST_USAGE, PYTEST_NO_TESTS = 2, 3, 4, 5


@dataclass
class Row:
    """One line of the claim → verdict table."""

    claim: str
    verdict: str
    device: str | None = None
    evidence: int = 0
    details: str = ""
    nodeid: str | None = None


@dataclass
class RunResult:
    rows: list[Row] = field(default_factory=list)
    #: the bad-input line (without ``harness: error:``) when the run stopped on one
    error: str | None = None
    findings: Path | None = None
    #: findings.json ``findings`` counted by kind
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def status(self) -> int:
        if self.error is not None:
            return EXIT_ERROR
        verdicts = {row.verdict for row in self.rows}
        if verdicts & {"violated", "failed"}:
            return EXIT_VIOLATED
        if verdicts & {"error", "incomplete"}:
            return EXIT_ERROR
        if "inconclusive" in verdicts or not verdicts & {"holds", "passed"}:
            return EXIT_INCONCLUSIVE
        return EXIT_OK


def load_findings(session: Path | None) -> dict[str, Any] | None:
    """``SESSION/findings.json``, or None when it is missing or unreadable (an interrupted run)."""
    if session is None:
        return None
    try:
        doc = json.loads((session / "findings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def bad_input(events: list[dict[str, Any]], exit_code: int, log: str, keyword: str | None = None) -> str | None:
    """The one line naming the bad input that stopped the child before a test ran, or None."""
    for record in events:
        if record.get("event") == "collect-error":
            where = f"{record.get('file')}:{record['line']}" if record.get("line") else str(record.get("file"))
            return (f"cannot collect {where}: {one_line(str(record.get('message')), 200)} "
                    "(fix: correct the scenario file and run again)")
    for record in events:
        if record.get("event") == "marker-error":
            test = str(record.get("nodeid") or "").rsplit("::", 1)[-1]
            return (f"{record.get('file')}:{record.get('line')}: {test + ': ' if test else ''}{record.get('message')} "
                    f"(fix: {record.get('fix') or 'correct the marker'})")
    lines = log.splitlines()
    for ln in lines:
        missing = _NOT_FOUND.match(ln)
        if missing:
            return not_found(missing.group(1), missing.group(2))
    if exit_code == PYTEST_USAGE:
        # argparse: "ERROR: usage: ..." then "python -m pytest: error: ..."; a UsageError: "ERROR: <reason>"
        usage = [ln.split(" error: ", 1)[1] for ln in lines if " error: " in ln and "pytest" in ln.split(" error: ")[0]]
        errors = [ln[len("ERROR: "):] for ln in lines if ln.startswith("ERROR: ") and not ln.startswith("ERROR: usage:")]
        text = (usage or errors or ["pytest refused its arguments (see its log)"])[-1]
        fix = "" if "(fix: " in text else \
            " (fix: correct the pytest options given after --; `python -m pytest --help` lists them)"
        return one_line(f"pytest: {text}{fix}", 1000)
    if exit_code == PYTEST_NO_TESTS:
        selected = f" matching -k {keyword!r}" if keyword else ""
        return f"no test{selected} in the packs given (fix: check the pack and the -k expression; `harness packs` lists the claims)"
    if exit_code == PYTEST_INTERNAL:
        internal = [ln for ln in lines if ln.startswith("INTERNALERROR>") and ln.strip() != "INTERNALERROR>"]
        return f"pytest stopped with an internal error: {one_line((internal or lines[-1:] or [''])[-1], 300)}"
    return None


#: pytest's line for a node id that names no test: ``ERROR: not found: FILE::ID``
_NOT_FOUND = re.compile(r"^ERROR: not found: (.+?\.py)::(.+)$")


def not_found(file: str, test: str) -> str:
    """The line for ``FILE::TEST`` naming no test: which id, which file, the tests the file
    defines (:func:`harness.scenario.testsource.module_definitions`: read, not imported) and the fix."""
    names = [d.name for d in module_definitions(file) or () if d.name.startswith(("test", "Test"))]
    has = f" (it defines {', '.join(names[:8])}{', ...' if len(names) > 8 else ''})" if names else ""
    base = test.split("::")[0].split("[")[0]
    if base in names:  # the test exists: its parameters (``test_x[a]``) or method did not match
        has = f" ({base} exists, but not with the parameters or method given)"
    return (f"no test {one_line(test, 80)!r} in {file}{has} (fix: give one of its test ids, as "
            f"`pytest --collect-only -q {file}` lists them, or the file alone; `harness packs` lists the installed "
            "packs' claims and tests)")


def _verdict_of_outcomes(phases: list[dict[str, Any]], claimed: bool = False) -> tuple[str, str]:
    """A test's row from pytest's outcomes; ``claimed``: the test has a claim marker (its failure
    without a claim record is an ``error``, as its claim record says)."""
    for phase in phases:
        if phase.get("outcome") == "failed" and phase.get("when") != "call":
            return "error", f"{phase.get('when')}: {phase.get('message') or phase.get('exception')}"
    for phase in phases:
        if phase.get("outcome") == "failed":
            assertion = phase.get("error") is None and phase.get("exception") in ("AssertionError", "Failed")
            return ("failed" if assertion and not claimed else "error"), str(phase.get("message")
                                                                             or phase.get("exception"))
    for phase in phases:
        if phase.get("outcome") == "skipped":
            message = str(phase.get("message") or "")
            return ("inconclusive" if "inconclusive" in message.lower() else "skipped"), message
    return "passed", ""


def _evidence_count(evidence: Any) -> int:
    if isinstance(evidence, dict):
        return sum(len(v) for v in evidence.values() if isinstance(v, list))
    return len(evidence) if isinstance(evidence, list) else 0


#: finding verdicts that say the thing was looked for and NOT found (or could not be decided)
NEGATIVE_VERDICTS = frozenset({"not_filtered", "inconclusive", "not_sent", "none"})


#: label prefix of a filtering comparison (finding kind ``filtered``) in summaries
COMPARISON = "comparison: "


def finding_label(finding: Any) -> str:
    """How a finding is counted in summaries: its ``kind``, with the verdict beside it when the
    verdict says the thing was not found (``pii_sent (not_sent)``). A filtering comparison (kind
    ``filtered``) is labelled by its verdict (``comparison: not filtered``): counted as ``2
    filtered`` it read as filtering found (trial report item 11)."""
    if not isinstance(finding, dict):
        return "?"
    kind, verdict = str(finding.get("kind", "?")), str(finding.get("verdict") or "")
    if kind == "filtered" and verdict:
        return COMPARISON + verdict.replace("_", " ")
    return f"{kind} ({verdict})" if verdict in NEGATIVE_VERDICTS or verdict.startswith("not_") else kind


def findings_text(kinds: dict[str, int]) -> str:
    """The findings counts of a run on one line: the filtering comparisons together with their
    outcomes (``2 comparisons: 0 filtered, 2 not filtered``), then ``N kind`` for each other kind."""
    compared = {k[len(COMPARISON):]: n for k, n in kinds.items() if k.startswith(COMPARISON)}
    parts = []
    if compared:
        total = sum(compared.values())
        outcomes = [f"{compared.get('filtered', 0)} filtered", f"{compared.get('not filtered', 0)} not filtered"]
        outcomes += [f"{n} {v}" for v, n in sorted(compared.items()) if v not in ("filtered", "not filtered")]
        parts.append(f"{total} comparison{'' if total == 1 else 's'}: {', '.join(outcomes)}")
    parts += [f"{n} {k}" for k, n in sorted(kinds.items()) if not k.startswith(COMPARISON)]
    return "; ".join(parts)


def result_of(events: list[dict[str, Any]], progress: list[dict[str, Any]], session: Path | None,
              exit_code: int, log: str = "", keyword: str | None = None) -> RunResult:
    """The rows and status of a finished (or stopped) child; see the module docstring."""
    result = RunResult(error=bad_input(events, exit_code, log, keyword))
    doc = load_findings(session)
    if doc is not None:
        assert session is not None
        result.findings = session / "findings.json"
        for finding in doc.get("findings") or []:
            kind = finding_label(finding)
            result.kinds[kind] = result.kinds.get(kind, 0) + 1
    covered: set[str] = set()
    for claim in (doc or {}).get("claims") or []:
        if not isinstance(claim, dict):
            continue
        text = str(claim.get("text") or claim.get("claim") or claim.get("id") or "?")
        nodeid = claim.get("nodeid")
        result.rows.append(Row(text, str(claim.get("verdict", "?")), claim.get("device"),
                               _evidence_count(claim.get("evidence")), one_line(str(claim.get("details") or ""), 300),
                               nodeid))
        covered.update(x for x in (nodeid, text) if x)
    claims = {r["nodeid"]: r.get("claim") for r in events if r.get("event") == "collected"}
    phases: dict[str, list[dict[str, Any]]] = {}
    for record in events:
        if record.get("event") == "outcome":
            phases.setdefault(str(record.get("nodeid")), []).append(record)
    for record in progress:
        if record.get("event") != "test-end" or record.get("verdict") is None:
            continue
        node, said = record.get("nodeid"), str(record.get("claim") or record.get("nodeid"))
        if node in covered or said in covered:
            continue
        said_verdict, details = str(record["verdict"]), ""
        if node in phases:
            ours, details = _verdict_of_outcomes(phases[node], bool(claims.get(node)))
            if said_verdict in PYTEST_VERDICTS:  # no claim record: pytest's outcome, classified here
                said_verdict = ours
        elif said_verdict in PYTEST_VERDICTS:  # a worker stopped mid-test
            said_verdict, details = "incomplete", "the test did not finish (the run was stopped)"
        result.rows.append(Row(said, said_verdict, record.get("device"),
                               _evidence_count(record.get("evidence")), one_line(details, 300), node))
        covered.update(x for x in (node, said) if x)
    for nodeid, recorded in phases.items():
        verdict, details = _verdict_of_outcomes(recorded, bool(claims.get(nodeid)))
        if nodeid in covered:
            if any(p.get("outcome") == "failed" and p.get("when") == "teardown" for p in recorded):
                # a claim was recorded, then the teardown failed (the device restore?)
                result.rows.append(Row(f"{claims.get(nodeid) or nodeid} (teardown)", "error", details=details,
                                       nodeid=nodeid))
            continue
        result.rows.append(Row(str(claims.get(nodeid) or nodeid), verdict, details=one_line(details, 300),
                               nodeid=nodeid))
    if exit_code == PYTEST_INTERRUPTED and result.error is None:  # stopped (not a collection error): the rest
        started = {str(r.get("nodeid")) for r in progress if r.get("event") == "test-start"}
        for nodeid, claim in claims.items():
            if nodeid not in covered and claim not in covered and nodeid not in started and nodeid not in phases:
                result.rows.append(Row(str(claim or nodeid), "not run", details="the run was stopped before it",
                                       nodeid=nodeid))
                covered.add(nodeid)
    result.rows.sort(key=lambda r: VERDICTS.index(r.verdict) if r.verdict in VERDICTS else len(VERDICTS))
    if not result.rows and result.error is None and exit_code != 0:  # killed, or crashed before a test ended
        how = f"was killed by signal {-exit_code}" if exit_code < 0 else f"ended with exit status {exit_code}"
        last = [ln for ln in log.splitlines() if ln.strip()][-1:]
        result.error = f"pytest {how} before any test finished" + (f": {one_line(last[0], 200)}" if last else "")
    return result
