"""A claim cut off by a stop signal: recorded ``not run`` with the interruption as its cause, never
judged on the evidence the interruption left behind.

When Ctrl-C, SIGTERM or SIGHUP reaches a pytest session (directly, or passed on by ``harness
run``) while a claim's test runs, the test either unwinds (``KeyboardInterrupt``) without a claim
record, or — when the signal was held back while a lab closed, or the teardown already detached
the app's agents — goes on and would judge the claim on partial evidence (a step that failed
because its Frida agents were gone reads as "Certificate pinning failure!"). Both end here:

- :func:`cut_record` (called by :func:`harness.scenario.plugin_verdict.keep` before a claim is
  saved): a record made after the session saw the signal becomes ``not run``, with no evidence
  and the details ``not run: the session was interrupted by SIGTERM during step 'ads-control';
  the claim was not judged on partial evidence``;
- :func:`record_cut` (called when the test ends, from the plugin's ``pytest_runtest_protocol``):
  a claim's test that ended without any record while the session was interrupted gets that
  record, so the claim is in ``claims.jsonl``, ``findings.json``, ``harness report`` and JUnit
  (``<skipped>``) like the claims the run never started.

``not run`` is the contract's verdict for a claim that was not decided (docs/dev/contracts.md
section 4, docs/scenarios.md "Running packs").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: the verdict of a claim the interruption cut off (an existing contract word)
CUT_VERDICT = "not run"


def session_of(item: Any) -> Any:
    """The item's :class:`~harness.scenario.plugin_session.HarnessSession` (None outside the plugin)."""
    from harness.scenario.pytest_plugin import SESSION

    return item.config.stash.get(SESSION, None)


def announced_stop(config: Any) -> str | None:
    """The stop signal's name ``harness run`` wrote beside the run events file before passing the
    signal on (:data:`harness.scenario.run_events.STOP_NAME`), else None. It is the word to record:
    an xdist worker is stopped by its controller with SIGINT whatever signal the run got."""
    events = config.getoption("harness_run_events", default=None)  # the dest: None when harness run did not load the plugin
    if not events:
        return None
    from harness.scenario.run_events import STOP_NAME

    try:
        said = Path(events).with_name(STOP_NAME).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return said or None


def interrupted(item: Any) -> str | None:
    """The stop signal's name once the item's session saw one (``SIGTERM``), or once ``harness
    run`` announced it (:func:`announced_stop`: the child's handler may run late, after a Frida
    call returns, while the signal already broke what the step observed); else None."""
    said = announced_stop(item.config)
    if said:
        return said
    hs = session_of(item)
    return getattr(hs, "interrupted", None) if hs is not None else None


def cut_step(state: Any) -> str | None:
    """The step the signal cut: the lab's step in progress, else the test's last step when it
    did not settle (it ended by the exception), else None (the test was between steps)."""
    current = getattr(state.lab, "_current", None)
    if current is not None:
        return str(current.id)
    steps = state.steps()
    if steps and getattr(steps[-1], "settled_by", None) == "error":
        return str(steps[-1].id)
    return None


def cut_details(signal_name: str, step: str | None) -> str:
    where = f" during step {step!r}" if step else " before its verdict was recorded"
    return (f"not run: the session was interrupted by {signal_name}{where}; "
            "the claim was not judged on partial evidence")


def cut_record(item: Any, state: Any, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` unchanged, or — the session was interrupted before it was made — the same claim
    ``not run`` with the interruption as its cause (no rule, numbers nor evidence)."""
    name = interrupted(item)
    if name is None:
        return record
    return {**record, "verdict": CUT_VERDICT, "details": cut_details(name, cut_step(state)), "rule": None,
            "numbers": {}, "evidence": {"flow_ids": [], "event_ids": []}}


def record_cut(item: Any, state: Any) -> None:
    """Keep a ``not run`` record for a claim's test that ended without one because the session
    was interrupted (nothing when it is not a claim's test, recorded a verdict before the signal,
    or the session was not interrupted)."""
    if interrupted(item) is None:
        return
    if state is None:  # cut while its lab opened (setup): the session's claims.jsonl, as a claim not started
        from harness.scenario.plugin_findings import not_run
        from harness.scenario.plugin_markers import claim_text

        not_run(session_of(item), [item], claim_text)
        return
    if state.claim_text is None or state.records:
        return
    from harness.scenario.plugin_verdict import claim_record, keep

    keep(item, state, claim_record(item, state, CUT_VERDICT, text=state.claim_text, details=""))


__all__ = ["CUT_VERDICT", "cut_details", "cut_record", "record_cut"]
