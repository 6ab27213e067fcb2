"""The vendor's public answers to NCSC Lithuania (2021), each as a check on a lab.

A check is a plain function: it takes a started :class:`harness.testing.lab.Lab`, drives the
handset through steps on the lab's timeline (adb + Frida), waits (bounded) until the app did what
is being tested, analyses the run (``harness.analysis``) and turns the relevant findings into a
:class:`ClaimResult`. The evidence of a violated claim is the flow ids and agent event ids of the
findings; that of a holding claim is the flows that were examined. Checks never decide from a
missing observation: when the app did not do the thing at all (its config download or its
telemetry failed), they raise :class:`ClaimInconclusive` instead of reporting that a claim holds.

    with start_lab(tmp / "lab", world="ncsc-2021") as lab:
        result = no_keyword_blacklist(lab)
        assert result.holds, result.details
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from harness.errors import ScenarioError
from harness.testing.lab import LabTimeout, wait_until

if TYPE_CHECKING:
    from harness.analysis import Analysis, Finding
    from harness.instrument.session import HookSession
    from harness.testing.lab import Lab

SECURITY = "com.vendor.security"
BROWSER = "com.vendor.browser"
AD_CONFIG_HOST = "globalapi.ad.vendor.test"
SEARCH_HOST = "search.vendor.test"
#: the surfaces the browser renders for one search (``I/Render`` lines)
SEARCH_SURFACES = ("suggestions", "results", "ads")
SENSITIVE_TERM = "Free Tibet"
CONTROL_TERM = "fresh bread recipes"
#: how long a released, hooked app may take to log its start before it is started again
#: (frida-java-bridge on HotSpot occasionally stalls a freshly released app)
HOOKED_START_GRACE = 10.0
HOOKED_START_ATTEMPTS = 3


class ClaimInconclusive(ScenarioError):
    """The check could not observe what it tests (e.g. the app's request failed): neither verdict."""


@dataclass
class ClaimResult:
    """The outcome of one claim check."""

    claim: str
    holds: bool
    details: str
    #: flow ids / agent event ids: of the findings when violated, of the examined flows when it holds
    evidence: list[str] = field(default_factory=list)


# -- shared helpers ---------------------------------------------------------------------------------


def new_step_id(lab: Lab, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... so a check can run twice in one run (step ids are unique)."""
    taken = {s.id for s in lab.capture.timeline.steps()}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def analyse(lab: Lab) -> Analysis:
    """Analyse the lab's run so far, with the handset's facts (known PII values) and the world's geo
    table (the virtual world's loopback servers have countries only through it)."""
    from harness.analysis import Options, analyze
    from harness.analysis.geo import GeoResolver, load_overrides
    from harness.device.facts import collect_facts

    lab.capture.flush()
    facts = collect_facts(lab.device).to_json()
    return analyze(lab.capture.run_dir, Options(facts=facts, geo=GeoResolver(load_overrides(lab.world.geo_file))))


def findings_in(analysis: Analysis, kinds: Iterable[str], steps: Iterable[str]) -> list[Finding]:
    """Findings of ``kinds`` that rest on something that happened in ``steps``."""
    wanted, step_set = set(kinds), set(steps)
    out = []
    for f in analysis.finding_list:
        cited = f.details.get("steps")  # findings over several steps (PII) list them in details
        f_steps = {f.step_id, *(cited if isinstance(cited, list) else [])}
        if f.kind in wanted and f_steps & step_set:
            out.append(f)
    return out


def evidence_of(findings: Iterable[Finding]) -> list[str]:
    """The flow ids, then the agent event ids, the findings cite (each once, in order)."""
    found = list(findings)
    ids = [i for f in found for i in f.flow_ids] + [i for f in found for i in f.event_ids]
    return list(dict.fromkeys(ids))


def launch_browser_hooked(lab: Lab, agents: list[str]) -> HookSession:
    """The browser started with wait-for-debugger, ``agents`` loaded, released; bounded retries when
    it does not log its start (its first request then runs under the agents)."""
    attempt = 1
    while True:
        hook = lab.launch_hooked(BROWSER, agents)
        try:
            wait_until(partial(lab.log, "Browser", hook.pid), HOOKED_START_GRACE,
                       f"{BROWSER} start after its release (attempt {attempt})", serial=lab.serial)
            return hook
        except LabTimeout:
            hook.close()
            lab.stop_app(BROWSER)
            if attempt >= HOOKED_START_ATTEMPTS:
                raise
            attempt += 1


# -- (a) keyword blacklist -----------------------------------------------------------------------


def no_keyword_blacklist(lab: Lab) -> ClaimResult:
    """"System apps do not download a keyword blacklist": first start of the vendor's security app,
    which asks the ad-config service for ``MiAdBlacklistConfig``; a ``config_list`` finding on that
    step violates the claim."""
    claim = "system apps do not download a keyword blacklist"
    step = new_step_id(lab, "security-first-start")
    with lab.step(step, f"first start of {SECURITY}: config request", "launch"):
        pid = lab.start_app(SECURITY)
        requests = lab.wait_flows(lambda f: f.step_id == step and f.server_host == AD_CONFIG_HOST,
                                  what=f"{SECURITY}'s request to {AD_CONFIG_HOST}")
        outcome = lab.wait_log("AdBlacklist", lambda m: '"event":"config"' in m or "download failed" in m,
                               pid=pid, what="the config request's outcome")
    lab.stop_app(SECURITY)
    if "download failed" in outcome or not any(f.status_code == 200 for f in requests):
        raise ClaimInconclusive(f"{SECURITY} got no config answer: {outcome}", serial=lab.serial,
                                attempted=f"step {step}", fix="see the run store's flows of the step and logcat")
    lists = findings_in(analyse(lab), ["config_list"], [step])
    if not lists:
        return ClaimResult(claim, True, f"{SECURITY} asked {AD_CONFIG_HOST} for its config; "
                                        "no keyword list in the answer", [f.id for f in requests])
    described = "; ".join(
        f"{f.details.get('name')} with {f.details.get('terms')} terms "
        f"(sensitive: {', '.join(f.details.get('sensitive_terms', [])[:3]) or 'none'}) from {f.details.get('host')}"
        for f in lists)
    return ClaimResult(claim, False, f"{SECURITY} downloaded {described}", evidence_of(lists))


# -- (b) personal data: consent and third countries -------------------------------------------------


def personal_data_only_with_consent(lab: Lab) -> ClaimResult:
    """"Personal data leaves the device only with prior consent, and not to third countries": first
    start of the browser under the ``crypto`` and ``unpin`` agents (so pinned, encrypted telemetry is
    captured and its plaintext recorded), before any consent was given. A ``pii_abroad`` or
    ``pii_sent`` finding on that step violates the claim."""
    claim = "personal data leaves the device only with prior consent and not to third countries"
    step = new_step_id(lab, "browser-first-start")
    with lab.step(step, f"first start of {BROWSER} under crypto + unpin, no consent given", "launch"):
        hook = launch_browser_hooked(lab, ["crypto", "unpin"])
        try:
            outcome = lab.wait_log("SensorsData", lambda m: "event app_start " in m, pid=hook.pid,
                                   what="the start event's outcome (sent or held back)")
            hook.flush()
        finally:
            hook.close()
    lab.stop_app(BROWSER)
    if "app_start sent" not in outcome and "no analytics consent" not in outcome:
        raise ClaimInconclusive(f"the browser neither sent nor held back its telemetry: {outcome}",
                                serial=lab.serial, attempted=f"step {step}",
                                fix="check that the unpin agent bypassed the pin (unpin:bypassed events)")
    leaks = findings_in(analyse(lab), ["pii_abroad", "pii_sent"], [step])
    if not leaks:
        examined = [f.id for f in lab.flows(lambda f: f.step_id == step)]
        return ClaimResult(claim, True, f"no known device value left the device at first start ({outcome})",
                           examined)
    abroad = [f for f in leaks if f.kind == "pii_abroad"]
    shown = abroad or leaks
    described = "; ".join(f"{f.details.get('value')} to {f.details.get('destination')} "
                          f"({', '.join(f.details.get('countries') or []) or 'unknown country'})" for f in shown)
    where = "to a third country" if abroad else "without consent"
    return ClaimResult(claim, False, f"sent {where} at first start, no consent given: {described}",
                       evidence_of(shown))


# -- (c) searches are never restricted ---------------------------------------------------------------


def _record_rendered(lab: Lab, step: str, term: str, docs: dict[str, list[Any]]) -> None:
    """What the app showed for ``term`` as a ``ui:rendered`` harness event (contracts §4)."""
    from harness.capture.records import AgentEvent

    store = lab.capture.store
    assert store is not None
    store.add_event(AgentEvent(
        type="ui:rendered", source="scenarios.ncsc_2021:logcat", timestamp=time.time(), step_id=step,
        payload={"package": BROWSER, "subject": term, "count": sum(len(v) for v in docs.values()),
                 "surfaces": {k: len(v) for k, v in docs.items()}}))


def _rendered(lab: Lab, term: str, before: int) -> Callable[[], dict[str, list[Any]] | None]:
    from harness.sim.world.rendered import renders

    def probe() -> dict[str, list[Any]] | None:
        lines = lab.log()
        failed = [ln.message for ln in lines if ln.tag == "BrowserSearch" and "search failed" in ln.message]
        if failed:
            raise ClaimInconclusive(f"the browser's search for {term!r} failed: {failed[-1]}", serial=lab.serial,
                                    attempted="search probe", fix="see the run store's flows of the step")
        docs = renders(lines, BROWSER, term)[before:]
        surfaces = {d["surface"]: d.get("items") or [] for d in docs}
        return surfaces if all(s in surfaces for s in SEARCH_SURFACES) else None

    return probe


def search_probe(lab: Lab, step: str, term: str, role: str, pair: str) -> dict[str, list[Any]]:
    """One search (``WEB_SEARCH`` intent over adb) as a filtering probe step; what the app rendered."""
    from harness.device import apps
    from harness.sim.world.rendered import renders

    probe = {"role": role, "pair": pair, "term": term, "host": SEARCH_HOST}
    with lab.step(step, f"search {term!r} ({role})", "search", info={"probe": probe}):
        before = len(renders(lab.log("Render"), BROWSER, term))
        apps.web_search(lab.device, term, package=BROWSER)
        shown = wait_until(_rendered(lab, term, before), lab.timeout, f"what the browser rendered for {term!r}",
                           serial=lab.serial)
        _record_rendered(lab, step, term, shown)
    return shown


def searches_never_restricted(lab: Lab, sensitive: str = SENSITIVE_TERM, control: str = CONTROL_TERM) -> ClaimResult:
    """"Searches are never restricted": the same search with a listed term and a control term; an
    OONI-style ``filtered`` verdict (server answers and what the app rendered) violates the claim."""
    claim = "searches are never restricted"
    start = new_step_id(lab, "browser-start")
    with lab.step(start, f"start {BROWSER}", "launch"):
        lab.start_app(BROWSER)
        lab.wait_log("AdBlacklist", lambda m: '"event":"config"' in m or "download failed" in m,
                     what="the browser's config request")
    pair = new_step_id(lab, "search")
    experiment, control_step = f"{pair}-sensitive", f"{pair}-control"
    search_probe(lab, experiment, sensitive, "experiment", pair)
    search_probe(lab, control_step, control, "control", pair)
    lab.stop_app(BROWSER)
    verdicts = findings_in(analyse(lab), ["filtered"], [experiment, control_step])
    if not verdicts or any(f.verdict == "inconclusive" for f in verdicts):
        raise ClaimInconclusive(f"no usable verdict for the search pair {pair}: {[f.summary for f in verdicts]}",
                                serial=lab.serial, attempted=f"steps {experiment}, {control_step}",
                                fix="both searches need a response from the search server; see the steps' flows")
    filtered = [f for f in verdicts if f.verdict == "filtered"]
    if filtered:
        return ClaimResult(claim, False, "; ".join(f.summary for f in filtered), evidence_of(filtered))
    return ClaimResult(claim, True, "; ".join(f.summary for f in verdicts), evidence_of(verdicts))


#: every check of this pack, in the order the tests run them
CLAIMS: tuple[Callable[[Lab], ClaimResult], ...] = (
    no_keyword_blacklist, personal_data_only_with_consent, searches_never_restricted)
