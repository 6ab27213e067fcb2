"""Assertions that explain themselves, on a lab's run so far (``harness.analysis`` decides).

Each returns a :class:`~harness.scenario.results.Verdict` when the claim holds (its evidence: the
flows examined) and raises :class:`~harness.scenario.results.ScenarioAssertion` when it does not
(the message names the flows, values, encoding chains, countries, the rule and its numbers; the
verdict carries the evidence ids). When the lab could not observe what is tested they raise
:class:`~harness.scenario.results.Inconclusive`: a missing observation never counts as a pass.

- :func:`assert_no_config_list` — no keyword list was downloaded (rule ``lists.keyword_list``);
- :func:`assert_no_pii_to` — no known device value went to a jurisdiction class (``pii.known_value``,
  ``pii.third_country``);
- :func:`assert_not_filtered` — the experiment is not filtered against its control (OONI
  web_connectivity: body length ratio > 0.7, status, title words, uncommon headers; what the app
  rendered compared the same way);
- :func:`assert_config_not_enforced` — a downloaded list (if any) is not *enforced*: its terms are
  not filtered against a control. "List present" and "list enforced" are separate findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from harness.scenario.results import Inconclusive, ScenarioAssertion, Verdict

if TYPE_CHECKING:
    from harness.analysis import Analysis, Finding
    from harness.scenario.lab import Lab

#: OONI web_connectivity's body length ratio threshold (docs/analysis.md, 'Filtering verdicts')
BODY_RATIO_THRESHOLD = 0.7


def analyse(lab: Lab) -> Analysis:
    """Analyse the lab's run so far with the device's facts (known values), the geo tables of the
    target and the lab (the lab's first), the lab's mmdb and policy."""
    from harness.analysis import Options, analyze
    from harness.analysis.geo import GeoResolver, Override, load_overrides
    from harness.analysis.policy import Policy

    lab.capture.flush()
    overrides: list[Override] = []
    if lab.spec.geo_overrides is not None:
        overrides += load_overrides(lab.spec.geo_overrides)
    for path in lab.attached.geo_files:
        overrides += load_overrides(path)
    facts = lab.facts.to_json() if lab.facts is not None else None
    return analyze(lab.run_dir, Options(facts=facts, geo=GeoResolver(overrides, lab.spec.mmdb),
                                        policy=lab.spec.policy or Policy(), lists_dir=lab.home / "lists"))


def findings_in(analysis: Analysis, kinds: Iterable[str], steps: Iterable[str] | None) -> list[Finding]:
    """Findings of ``kinds`` that rest on something that happened in ``steps`` (all when None)."""
    wanted = set(kinds)
    step_set = set(steps) if steps is not None else None
    out = []
    for f in analysis.finding_list:
        if f.kind not in wanted:
            continue
        cited = f.details.get("steps")  # findings over several steps (PII) list them in details
        f_steps = {f.step_id, *(cited if isinstance(cited, list) else [])}
        if step_set is None or f_steps & step_set:
            out.append(f)
    return out


def evidence_of(findings: Iterable[Finding]) -> list[str]:
    """The flow ids, then the agent event ids, the findings cite (each once, in order)."""
    found = list(findings)
    ids = [i for f in found for i in f.flow_ids] + [i for f in found for i in f.event_ids]
    return list(dict.fromkeys(ids))


#: flow kinds whose content the analysis reads: what a verdict that holds can cite as examined (a
#: failed TLS handshake, an idle or errored connection carried nothing to examine)
EXAMINED_KINDS = ("http", "websocket", "tcp", "udp")


def _examined(lab: Lab, steps: Iterable[str] | None, host_role: str | None = None) -> list[str]:
    """The flows of ``steps`` (to ``host_role``'s hosts) whose content was examined (:data:`EXAMINED_KINDS`)."""
    from harness.scenario.steps import host_matches

    wanted = set(steps) if steps is not None else None
    patterns = lab.hosts(host_role) if host_role else None
    return [f.id for f in lab.flows(lambda f: (wanted is None or f.step_id in wanted) and f.kind in EXAMINED_KINDS
                                    and (patterns is None or host_matches(f.server_host or f.host, patterns)))]


def _fail(verdict: Verdict) -> Verdict:
    if not verdict.holds:
        raise ScenarioAssertion(verdict)
    return verdict


def assert_no_config_list(lab: Lab, steps: list[str] | None = None, host_role: str | None = None) -> Verdict:
    """No keyword list (``config_list`` finding) in ``steps`` (default: the whole run). When it
    holds, the evidence is the flows examined (to ``host_role``'s hosts only, if given)."""
    claim = "no keyword list is downloaded"
    lists = findings_in(analyse(lab), ["config_list"], steps)
    if not lists:
        examined = _examined(lab, steps, host_role)
        return Verdict(claim, True, f"no keyword list in the {len(examined)} flows examined",
                       "lists.keyword_list", examined)
    described = "; ".join(
        f"{f.details.get('name')} with {f.details.get('terms')} terms (sensitive: "
        f"{', '.join((f.details.get('sensitive_terms') or [])[:3]) or 'none'}) from {f.details.get('host')} "
        f"(encoding {f.details.get('chain') or 'plain'}, flow {', '.join(f.flow_ids) or '?'})" for f in lists)
    return _fail(Verdict(claim, False, f"downloaded {described}", "lists.keyword_list", evidence_of(lists),
                         {"lists": len(lists), "terms": max(int(f.details.get("terms") or 0) for f in lists)},
                         [f.to_dict() for f in lists]))


def assert_no_pii_to(lab: Lab, jurisdiction: str | None = "third_country",
                     steps: list[str] | None = None) -> Verdict:
    """No known device value (identifiers, canaries) sent to a destination of ``jurisdiction``
    (``third_country``, ``adequate``, ``domestic``, ``unknown``; None: to anywhere)."""
    where = f"to a {jurisdiction.replace('_', ' ')}" if jurisdiction else "anywhere"
    claim = f"no personal data is sent {where}"
    found = findings_in(analyse(lab), ["pii_sent"], steps)
    hits = [f for f in found if jurisdiction is None or jurisdiction in (f.details.get("jurisdictions") or [])]
    if not hits:
        examined = _examined(lab, steps)
        return Verdict(claim, True, f"no known device value in the {len(examined)} flows examined "
                                    f"went {where}", "pii.known_value", examined)
    described = "; ".join(
        f"{f.details.get('value')} to {f.details.get('destination')} "
        f"({', '.join(f.details.get('countries') or []) or 'unknown country'}) "
        f"[{', '.join(f.details.get('jurisdictions') or [])}] via {', '.join(f.details.get('chains') or ['raw'])}"
        for f in hits)
    rule = "pii.third_country" if jurisdiction == "third_country" else "pii.known_value"
    return _fail(Verdict(claim, False, f"sent {where}: {described}", rule, evidence_of(hits),
                         {"values": len({f.details.get('value') for f in hits}),
                          "destinations": len({f.details.get('destination') for f in hits})},
                         [f.to_dict() for f in hits]))


def _pair_verdicts(lab: Lab, experiment: str, control: str) -> list[Finding]:
    verdicts = findings_in(analyse(lab), ["filtered"], [experiment, control])
    listed = [f for f in verdicts if f.verdict == "inconclusive" and f.details.get("control_listed")]
    if listed:  # both sides may have been cut alike (harness.analysis.filtering): say why first
        d = listed[0].details
        raise Inconclusive(f"control term '{d.get('control_term')}' is on the list {d['control_listed'][0]}: "
                           f"no baseline ({listed[0].summary})", serial=lab.serial,
                           attempted=f"steps {experiment}, {control}", evidence=evidence_of(listed),
                           fix="choose a control term that no keyword list found in the run matches")
    if not verdicts or any(f.verdict == "inconclusive" for f in verdicts):
        raise Inconclusive(f"no usable filtering verdict for {experiment} vs {control}: "
                           f"{[f.summary for f in verdicts] or 'no probe pair found'}",
                           serial=lab.serial, attempted=f"steps {experiment}, {control}",
                           fix="both steps need an answer from the server (lab.search_pair marks the probes)")
    return verdicts


def _numbers(f: Finding) -> dict[str, Any]:
    d = f.details
    return {k: d.get(k) for k in ("body_length_ratio", "rendered_ratio", "status_match", "title_match",
                                  "headers_match") if k in d} | {"threshold": BODY_RATIO_THRESHOLD}


def assert_not_filtered(lab: Lab, experiment: str, control: str) -> Verdict:
    """The experiment step is not filtered against the control step (rule
    ``filtering.ooni_web_connectivity``: server answers and what the app rendered)."""
    claim = "searches are never restricted"
    verdicts = _pair_verdicts(lab, experiment, control)
    filtered = [f for f in verdicts if f.verdict == "filtered"]
    shown = filtered or verdicts
    return _fail(Verdict(claim, not filtered, "; ".join(f.summary for f in shown),
                         "filtering.ooni_web_connectivity", evidence_of(shown), _numbers(shown[0]),
                         [f.to_dict() for f in shown]))


def assert_config_not_enforced(lab: Lab, experiment: str, control: str) -> Verdict:
    """A keyword list may be present; it must not be *enforced*: the experiment's term, when it is
    on a downloaded list, is not filtered against the control. The details say both facts (list
    present or not; enforced or not)."""
    claim = "a downloaded keyword list is not enforced"
    analysis = analyse(lab)
    lists = findings_in(analysis, ["config_list"], None)
    verdicts = _pair_verdicts(lab, experiment, control)
    term = str(verdicts[0].details.get("term") or "")
    listed = [f for f in lists if term in (f.details.get("sensitive_terms") or [])] or lists
    present = (f"list present: {', '.join(dict.fromkeys(str(f.details.get('name')) for f in listed))} "
               f"({max(int(f.details.get('terms') or 0) for f in listed)} terms)") if listed else "no list present"
    filtered = [f for f in verdicts if f.verdict == "filtered"]
    shown = filtered or verdicts
    enforced = "enforced: " if filtered else "not enforced: "
    numbers = {**_numbers(shown[0]), "lists": len(listed)}
    return _fail(Verdict(claim, not filtered, f"{present}; {enforced}" + "; ".join(f.summary for f in shown),
                         "filtering.ooni_web_connectivity", evidence_of([*shown, *listed]), numbers,
                         [f.to_dict() for f in [*shown, *listed]]))
