"""Helpers for writing claim checks (public API; the shipped packs in ``harness.packs`` use them).

A claim check is a function ``check(lab) -> ClaimResult``: it drives app roles in steps, asks an
assertion of :mod:`harness.scenario.assertions`, and cites the evidence. These helpers are what
every pack needs around that:

- :func:`verdict_of`: an assertion's :class:`~harness.scenario.results.Verdict` whether it holds or not;
- :func:`once`: an observation made once per lab and shared by several claims (one first start of
  the browser answers the consent, third-country and pinning claims);
- :func:`log_tags` / :func:`roles_of`: what the lab's profile offers (a claim raises
  :class:`~harness.scenario.results.Inconclusive` for what it lacks, never "holds");
- :func:`findings_of_steps`: the analysis findings of some steps (``harness.analysis`` kinds);
- :func:`compared_flows`: the flows of some steps that bear on a comparison (those that carried
  the compared terms, URLs or messages to and from the comparison's servers), not every flow the
  steps saw (a pinned tracker's failed handshake in the same step is no evidence of a search);
- :func:`evidence_steps`: the steps a claim rests on: the steps taken for it plus the steps of the
  flows and agent events it cites (a claim that reused an earlier observation took no step itself);
- :func:`require_baseline`: a claim that compares an experiment with a control itself (e.g. item
  counts) raises Inconclusive when the control term is on a keyword list found in the run.

    from harness.scenario import ClaimResult
    from harness.scenario.claims import verdict_of

    def no_keyword_list(lab):
        with lab.step("security-first-start", action="launch") as step:
            lab.launch("security")
            step.expect_flow("ad_config", answered=True)
        verdict = verdict_of(lambda: lab.assert_no_config_list([step.id], host_role="ad_config"))
        return ClaimResult.of(verdict, "system apps do not download a keyword list")
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote_plus
from weakref import WeakKeyDictionary

from harness.scenario.results import ScenarioAssertion, Verdict

if TYPE_CHECKING:
    from harness.capture.records import FlowRecord
    from harness.scenario.lab import Lab

T = TypeVar("T")

#: observations already made in a lab, by key
_SEEN: WeakKeyDictionary[Any, dict[object, Any]] = WeakKeyDictionary()


def verdict_of(assertion: Callable[[], Verdict]) -> Verdict:
    """Run an assertion (a callable returning a Verdict or raising ScenarioAssertion); its verdict
    whether it holds or not. Other errors (e.g. Inconclusive) propagate."""
    try:
        return assertion()
    except ScenarioAssertion as failed:
        return failed.verdict


def once(lab: Lab, key: object, observe: Callable[[], T]) -> T:
    """``observe()`` the first time ``key`` is asked for in ``lab``, its result every later time.
    An observation that raised (e.g. :class:`~harness.scenario.results.Inconclusive`) is not kept:
    the next claim tries again."""
    seen = _SEEN.setdefault(lab, {})
    if key not in seen:
        seen[key] = observe()
    return seen[key]


def log_tags(lab: Lab, role: str) -> tuple[str, ...]:
    """The role's log tags in the lab's profile (empty when the profile gives none)."""
    return tuple(lab.profile.app(role).log_tags or ())


def roles_of(lab: Lab, roles: Iterable[str]) -> list[str]:
    """The roles of ``roles`` the lab's profile has, in order."""
    return [r for r in roles if r in lab.profile.apps]


def findings_of_steps(lab: Lab, steps: Iterable[str], kinds: Iterable[str] | None = None) -> list[Any]:
    """The findings (harness.analysis.findings.Finding) of the lab's run that belong to ``steps``
    (step ids), optionally only of ``kinds`` (e.g. ``("config_list", "pii_sent")``); in the
    analysis' order. Analyses the run so far (``lab.analyse()``)."""
    from harness.scenario.assertions import findings_in

    analysis = lab.analyse()
    wanted = list(kinds) if kinds is not None else sorted({f.kind for f in analysis.finding_list})
    return findings_in(analysis, wanted, list(steps))


def _texts(url: str | None, body: bytes | None) -> list[str]:
    """What a request or response says, case-folded, as written and form/percent-decoded."""
    text = (url or "") + "\n" + (body or b"").decode("utf-8", "replace")
    return [text.casefold(), unquote_plus(text).casefold()]


def _carries(texts: list[str], needles: list[str]) -> bool:
    return any(n in t for t in texts for n in needles)


def compared_flows(lab: Lab, steps: Iterable[str], subjects: Iterable[str], *, host_roles: Iterable[str] = (),
                   hosts: Iterable[str] = ()) -> list[str]:
    """The ids of the flows of ``steps`` (step ids) that bear on a comparison of ``subjects`` (the
    compared search terms, URLs or message texts), in capture order: the evidence a comparing claim
    cites besides what the app rendered, instead of every flow its steps happened to see (docs/
    scenarios.md, "A verdict needs evidence"). A flow bears on it when all of:

    1. its content was examined (kind in :data:`~harness.scenario.assertions.EXAMINED_KINDS`): a
       failed TLS handshake or an errored connection carried nothing compared (a claim *about* TLS,
       pinning, cites those itself);
    2. it went to a server of the comparison: a host matching ``hosts`` (glob patterns) or the
       patterns of those ``host_roles`` the lab's profile has (e.g. ``search``, ``ads``); any host
       when neither narrows (no ``hosts``, none of the roles in the profile);
    3. it carried a subject: in its request (URL, percent/form-decoded; body), or in its response
       from a server that a request of these steps sent a subject to (the echo, the answer);
       matched case-insensitively, also JSON-escaped.

    When no flow carries a subject but 2 narrowed the servers, the examined flows to those servers
    (a body the subject cannot be read in, e.g. encrypted: the comparison's own servers still bear
    on it); otherwise none (the claim rests on its other evidence, e.g. ``ui:rendered`` events; a
    claim that cites nothing is recorded inconclusive). Raises nothing; an unknown step id is
    simply a step without flows."""
    from harness.scenario.assertions import EXAMINED_KINDS
    from harness.scenario.steps import host_matches

    wanted = set(steps)
    patterns = list(hosts) + [p for r in host_roles if r in lab.profile.hosts for p in lab.hosts(r)]
    needles = sorted({n for s in subjects if s for n in (s.casefold(), json.dumps(s)[1:-1].casefold())})

    def server(f: FlowRecord) -> str:
        return (f.server_host or f.host or "").lower().rstrip(".")

    examined = lab.flows(lambda f: f.step_id in wanted and f.kind in EXAMINED_KINDS
                         and (not patterns or host_matches(f.server_host or f.host, patterns)))
    asked = [f for f in examined if needles and _carries(_texts(f.url, f.request_body), needles)]
    told = {server(f) for f in asked}
    carried = {f.id for f in asked} | {f.id for f in examined if server(f) in told
                                        and _carries(_texts(None, f.response_body), needles)}
    cited = [f.id for f in examined if f.id in carried]
    if not cited and patterns:
        return [f.id for f in examined]
    return cited


def evidence_steps(lab: Lab, evidence: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """The step ids a claim rests on: ``taken`` (the steps started for it) first, then the steps of
    the flows and agent events in ``evidence`` (ids in the lab's run store), in first-seen order.
    Ids the store does not hold are ignored."""
    ids = set(evidence)
    out = list(dict.fromkeys(taken))
    if not ids:
        return out
    cited = [f.step_id for f in lab.flows(lambda f: f.id in ids)]
    cited += [e.step_id for e in lab.events() if e.id in ids]
    for step_id in cited:
        if step_id and step_id not in out:
            out.append(step_id)
    return out


def require_baseline(lab: Lab, experiment: str, control: str) -> None:
    """Raise :class:`~harness.scenario.results.Inconclusive` when the filtering comparison of the
    probe pair ``experiment``/``control`` (step ids; rule ``filtering.ooni_web_connectivity``)
    found the control term on a keyword list of the run (``control_listed``, see
    :func:`harness.analysis.filtering.compare`): both sides may have been cut alike, so no
    comparison of the two can show that nothing was restricted. Returns None otherwise."""
    from harness.scenario.results import Inconclusive

    for f in findings_of_steps(lab, [experiment, control], ("filtered",)):
        listed = f.details.get("control_listed") or []
        if listed:
            raise Inconclusive(f"control term '{f.details.get('control_term')}' is on the list {listed[0]}: "
                               "no baseline to compare with", serial=lab.serial,
                               attempted=f"steps {experiment}, {control}", evidence=[*f.flow_ids, *f.event_ids],
                               fix="choose a control term that no keyword list found in the run matches")
