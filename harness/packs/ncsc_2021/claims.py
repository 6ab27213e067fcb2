"""The findings of NCSC Lithuania (2021) on a Xiaomi Mi 10T 5G, each as a check on a lab.

A check is a plain function: it takes an open :class:`harness.scenario.Lab` (a virtual handset or a
phone), drives app *roles* of the lab's profile through steps (adb + Frida), lets each step settle
(bounded), and asks one of the scenario layer's assertions, which analyse the run
(``harness.analysis``). The evidence of a violated claim is the flow ids and agent event ids of the
findings; that of a holding claim is the flows that were examined. Checks never decide from a
missing observation: when the app did not do the thing at all (its config download or its
telemetry failed), they raise :class:`ClaimInconclusive` instead of reporting that a claim holds.

    from harness.scenario import LabSpec, VirtualTarget, open_lab

    with open_lab(LabSpec(VirtualTarget("ncsc-2021"))) as lab:
        result = no_keyword_blacklist(lab)
        assert not result.holds, result.details

The list checks (which apps download it at first start, from where; its version and the diff of
two downloads; the EU region gate and the remote switch) are in :mod:`.lists`; the telemetry and
pinning checks here. :data:`CLAIMS` names every check in the order the tests and the demo run them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.packs.ncsc_2021.lists import (
    eu_region_gets_no_list,
    keyword_list_unchanged_between_downloads,
    no_app_downloads_a_list_at_first_start,
)
from harness.packs.ncsc_2021.observe import first_start
from harness.scenario.assertions import EXAMINED_KINDS
from harness.scenario.claims import log_tags as _tags
from harness.scenario.claims import once, verdict_of
from harness.scenario.results import ClaimResult, Inconclusive
from harness.scenario.steps import host_matches
from harness.wording import counted

if TYPE_CHECKING:
    from harness.scenario import Lab

#: the surfaces a browser renders for one search (``I/Render`` lines of the virtual apps)
SEARCH_SURFACES = ("suggestions", "results", "ads")
SENSITIVE_TERM = "Free Tibet"
CONTROL_TERM = "fresh bread recipes"

#: the check could not observe what it tests: neither verdict
ClaimInconclusive = Inconclusive


# -- (a) keyword blacklist -----------------------------------------------------------------------


def no_keyword_blacklist(lab: Lab) -> ClaimResult:
    """"System apps do not download a keyword blacklist": first start of the vendor's security app
    (data cleared), which asks the ad-config service for its configuration (``MiAdBlacklistConfig``);
    a ``config_list`` finding on that step violates the claim."""
    claim = "system apps do not download a keyword blacklist"
    answer = first_start(lab, "security")  # raises Inconclusive when the app got no config answer
    verdict = verdict_of(lambda: lab.assert_no_config_list([answer.step_id], host_role="ad_config"))
    if verdict.holds:
        verdict.details = f"the security app asked {', '.join(lab.hosts('ad_config'))} for its config; no keyword " \
                          "list in the answer"
    else:
        verdict.details = f"the security app {verdict.details}"
    return ClaimResult.of(verdict, claim)


# -- (b) personal data: consent and third countries -------------------------------------------------


def browser_first_start(lab: Lab) -> tuple[str, str]:
    """First start of the browser under the ``crypto`` and ``unpin`` agents (so pinned, encrypted
    telemetry is captured and its plaintext recorded), its data cleared and no consent given, in
    step ``browser-telemetry``; observed once per lab (the consent, third-country and pinning claims
    rest on it). (step id, the analytics module's outcome line, "" when the profile gives no such
    log). Raises :class:`Inconclusive` when the browser neither sent nor held back its telemetry."""
    return once(lab, "browser-first-start", lambda: _browser_first_start(lab))


def _browser_first_start(lab: Lab) -> tuple[str, str]:
    lab.clear_data("browser")  # a first start: nothing consented, nothing cached
    with lab.step("browser-telemetry", action="launch", consent="none", first_start=True) as step:
        lab.launch("browser", agents=["crypto", "unpin"])
        signal = "SensorsData" in _tags(lab, "browser")
        if signal:  # the analytics module logs whether it sent or held back its start event
            step.expect_log("SensorsData", lambda m: "event app_start " in m,
                            what="the start event's outcome (sent or held back)")
    lab.stop("browser")
    outcome = next((ln.message for ln in step.log("SensorsData") if "event app_start " in ln.message), "")
    if signal and "app_start sent" not in outcome and "no analytics consent" not in outcome:
        raise ClaimInconclusive(f"the browser neither sent nor held back its telemetry: {outcome[:200]}",
                                serial=lab.serial, attempted=f"step {step.id}",
                                fix="check that the unpin agent bypassed the pin (unpin:bypassed events)")
    return step.id, outcome


def personal_data_only_with_consent(lab: Lab) -> ClaimResult:
    """"Personal data leaves the device only with prior consent, and not to third countries": the
    browser's first start (:func:`browser_first_start`). A ``pii_sent`` finding to a third country
    (policy jurisdictions, docs/analysis.md), or to anywhere without consent, violates the claim;
    its details name the identifiers, the destination and country, and the encoding chain (the
    plaintext the ``crypto`` agent saw)."""
    claim = "personal data leaves the device only with prior consent and not to third countries"
    step, outcome = browser_first_start(lab)
    abroad = verdict_of(lambda: lab.assert_no_pii_to("third_country", steps=[step]))
    if not abroad.holds:
        verdict, where = abroad, "to a third country"
    else:
        verdict, where = verdict_of(lambda: lab.assert_no_pii_to(None, steps=[step])), "without consent"
    if verdict.holds:
        verdict.details = f"no known device value left the device at first start ({outcome or 'no signal'})"
    else:
        verdict.details = f"sent {where} at first start, no consent given: {verdict.details.split(': ', 1)[-1]}"
    return ClaimResult.of(verdict, claim)


def telemetry_not_pinned(lab: Lab) -> ClaimResult:
    """"The browser's connections can be inspected by the device owner (no certificate pinning)":
    the browser's first start under ``unpin``. Violated when the agent had to bypass a pin
    (``unpin:bypassed`` events: pinning met, and bypassed so the telemetry was still captured) or
    a host rejected the lab's certificate (``pinning_failure``); holds only on positive evidence:
    the step's flows were decrypted through the proxy, the ``unpin`` agent was hooked into the
    browser in that step, and every agent event sent in the step reached it (the step's flush round
    trip, :meth:`harness.instrument.HookSession.flush`), with no pin met. Inconclusive when the
    browser made no connection at all, or the agent was not there to see a pin."""
    claim = "the connections of the browser are not certificate-pinned"
    step, _ = browser_first_start(lab)
    # the connections that went through the proxy (a failed handshake is no evidence of "not pinned")
    flows = [f.id for f in lab.flows(lambda f: f.step_id == step and f.kind in EXAMINED_KINDS)]
    bypassed = [e for e in lab.events("unpin:bypassed") if e.step_id == step]
    rejected = [f for f in lab.analyse().finding_list if f.kind == "pinning_failure" and f.step_id == step]
    if not flows and not rejected:
        raise ClaimInconclusive("the browser made no connection at first start: nothing to tell pinning from",
                                serial=lab.serial, attempted=f"step {step}", fix="see the step's flows and logcat")
    if not bypassed and not rejected:
        return _not_pinned(lab, claim, step, flows)
    hosts = sorted({str(e.payload.get("host") or "?") for e in bypassed} | {str(f.details.get("host") or "?")
                                                                        for f in rejected})
    mechanisms = sorted({str(e.payload.get("mechanism") or "?") for e in bypassed})
    pinned_flows = [f.id for f in lab.flows(lambda f: f.step_id == step and (f.server_host or f.host) in hosts)]
    details = (f"pinned to {', '.join(hosts)}: " + (f"met and bypassed by unpin ({', '.join(mechanisms)}; "
                                                    f"{counted(len(bypassed), 'check')}), {counted(len(pinned_flows), 'flow')} captured"
                                                    if bypassed else "")
               + ("; " if bypassed and rejected else "") + (f"{counted(len(rejected), 'host')} rejected the lab's certificate"
                                                            if rejected else ""))
    evidence = list(dict.fromkeys(pinned_flows + [i for f in rejected for i in f.flow_ids]
                                  + [e.id for e in bypassed]))
    return ClaimResult(claim, False, details, evidence, "tls.pinning",
                       {"bypassed": len(bypassed), "rejected": len(rejected), "hosts": len(hosts)})


def _not_pinned(lab: Lab, claim: str, step: str, flows: list[str]) -> ClaimResult:
    """The holding verdict of :func:`telemetry_not_pinned`, on what shows that a pin would have been
    seen: the unpin agent's hooks in the browser in ``step`` and the step's agent events flushed
    to its end (else :class:`Inconclusive`); cites the step's decrypted flows, telemetry first."""
    loaded = [e for e in lab.events("session:agent-loaded") if e.step_id == step and e.payload.get("agent") == "unpin"]
    hooks = sorted({str(h) for e in loaded for h in e.payload.get("hooks") or []})
    unflushed = [n for r in lab.steps if r.id == step for n in r.notes if n.startswith("agent events not flushed")]
    if not hooks or unflushed:
        why = unflushed[0] if unflushed else "the unpin agent hooked no pinning check in the browser"
        raise ClaimInconclusive(f"cannot tell whether a pin was met at first start: {why[:120]}", serial=lab.serial,
                                attempted=f"step {step}", fix="see the step's agent events (session:*) and notes")
    collectors = lab.hosts("telemetry")
    telemetry = [f.id for f in lab.flows(lambda f: f.id in flows and host_matches(f.server_host or f.host, collectors))]
    cited = telemetry + [i for i in flows if i not in telemetry]
    sent = f", {counted(len(telemetry), 'flow')} of them to the telemetry collector" if telemetry else ""
    details = (f"{counted(len(flows), 'flow')} of the browser were decrypted through the lab's proxy{sent}; no pin met "
               f"(unpin hooked {', '.join(hooks[:4])}{', ...' if len(hooks) > 4 else ''}: no unpin:bypassed event, "
               "no certificate rejected)")
    return ClaimResult(claim, True, details, cited, "tls.pinning", {"flows": len(flows), "telemetry": len(telemetry)})


# -- (c) searches are never restricted ---------------------------------------------------------------


def search_pair(lab: Lab, sensitive: str = SENSITIVE_TERM, control: str = CONTROL_TERM) -> tuple[str, str]:
    """The browser started (its config downloaded), then the same search with ``sensitive`` and
    with ``control`` (``lab.search_pair``: steps ``search-sensitive``, ``search-control``; what the
    app rendered when the profile gives its ``Render`` tag); observed once per lab and pair.
    The two step ids."""
    def observe() -> tuple[str, str]:
        with lab.step("browser-start", action="launch") as step:
            lab.launch("browser")
            if "AdBlacklist" in _tags(lab, "browser"):
                step.expect_log("AdBlacklist", lambda m: '"event":"config"' in m or "download failed" in m,
                                what="the browser's config request")
        surfaces = SEARCH_SURFACES if "Render" in _tags(lab, "browser") else ()
        pair = lab.search_pair("browser", sensitive, control, surfaces=surfaces)
        lab.stop("browser")
        return pair

    return once(lab, ("search", sensitive, control), observe)


def searches_never_restricted(lab: Lab, sensitive: str = SENSITIVE_TERM, control: str = CONTROL_TERM) -> ClaimResult:
    """"Searches are never restricted": the same search with a listed term and a control term
    (:func:`search_pair`); an OONI-style ``filtered`` verdict (server answers and what the app
    rendered: suggestions, results, ads) violates the claim."""
    claim = "searches are never restricted"
    experiment, control_step = search_pair(lab, sensitive, control)
    return ClaimResult.of(verdict_of(lambda: lab.assert_not_filtered(experiment, control_step)), claim)


#: every check of this pack, in the order the tests and the demo run them
CLAIMS: tuple[Callable[[Lab], ClaimResult], ...] = (
    no_keyword_blacklist, no_app_downloads_a_list_at_first_start, keyword_list_unchanged_between_downloads,
    searches_never_restricted, eu_region_gets_no_list, personal_data_only_with_consent, telemetry_not_pinned)
