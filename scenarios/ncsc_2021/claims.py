"""The vendor's public answers to NCSC Lithuania (2021), each as a check on a lab.

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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.scenario.results import ClaimResult, Inconclusive, ScenarioAssertion, Verdict

if TYPE_CHECKING:
    from harness.scenario import Lab

#: the surfaces a browser renders for one search (``I/Render`` lines of the virtual apps)
SEARCH_SURFACES = ("suggestions", "results", "ads")
SENSITIVE_TERM = "Free Tibet"
CONTROL_TERM = "fresh bread recipes"

#: the check could not observe what it tests: neither verdict
ClaimInconclusive = Inconclusive


def verdict_of(assertion: Callable[[], Verdict]) -> Verdict:
    """Run an assertion; its verdict whether it holds or not."""
    try:
        return assertion()
    except ScenarioAssertion as failed:
        return failed.verdict


def _tags(lab: Lab, role: str) -> tuple[str, ...]:
    return tuple(lab.profile.app(role).log_tags or ())


# -- (a) keyword blacklist -----------------------------------------------------------------------


def no_keyword_blacklist(lab: Lab) -> ClaimResult:
    """"System apps do not download a keyword blacklist": first start of the vendor's security app,
    which asks the ad-config service for its configuration (``MiAdBlacklistConfig``); a
    ``config_list`` finding on that step violates the claim."""
    claim = "system apps do not download a keyword blacklist"
    with lab.step("security-first-start", action="launch") as step:
        lab.launch("security")
        step.expect_flow("ad_config", answered=True)
        if "AdBlacklist" in _tags(lab, "security"):  # the app says how its config request ended
            step.expect_log("AdBlacklist", lambda m: '"event":"config"' in m or "download failed" in m,
                            what="the config request's outcome")
    lab.stop("security")
    requests = step.flows("ad_config")
    failed = [ln.message for ln in step.log("AdBlacklist") if "download failed" in ln.message]
    if failed or not any(f.status_code == 200 for f in requests):
        raise ClaimInconclusive(f"the security app got no config answer: {(failed or ['no 200 answer'])[-1]}",
                                serial=lab.serial, attempted=f"step {step.id}",
                                fix="see the run store's flows of the step and artifacts/logcat.txt")
    verdict = verdict_of(lambda: lab.assert_no_config_list([step.id], host_role="ad_config"))
    if verdict.holds:
        verdict.details = f"the security app asked {', '.join(lab.hosts('ad_config'))} for its config; no keyword " \
                          "list in the answer"
    else:
        verdict.details = f"the security app {verdict.details}"
    return ClaimResult.of(verdict, claim)


# -- (b) personal data: consent and third countries -------------------------------------------------


def personal_data_only_with_consent(lab: Lab) -> ClaimResult:
    """"Personal data leaves the device only with prior consent, and not to third countries": first
    start of the browser under the ``crypto`` and ``unpin`` agents (so pinned, encrypted telemetry is
    captured and its plaintext recorded), before any consent was given. A ``pii_abroad`` or
    ``pii_sent`` finding on that step violates the claim."""
    claim = "personal data leaves the device only with prior consent and not to third countries"
    with lab.step("browser-first-start", action="launch", consent="none") as step:
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
    abroad = verdict_of(lambda: lab.assert_no_pii_to("third_country", steps=[step.id]))
    if not abroad.holds:
        verdict, where = abroad, "to a third country"
    else:
        verdict, where = verdict_of(lambda: lab.assert_no_pii_to(None, steps=[step.id])), "without consent"
    if verdict.holds:
        verdict.details = f"no known device value left the device at first start ({outcome or 'no signal'})"
    else:
        verdict.details = f"sent {where} at first start, no consent given: {verdict.details.split(': ', 1)[-1]}"
    return ClaimResult.of(verdict, claim)


# -- (c) searches are never restricted ---------------------------------------------------------------


def searches_never_restricted(lab: Lab, sensitive: str = SENSITIVE_TERM, control: str = CONTROL_TERM) -> ClaimResult:
    """"Searches are never restricted": the same search with a listed term and a control term; an
    OONI-style ``filtered`` verdict (server answers and what the app rendered) violates the claim."""
    claim = "searches are never restricted"
    with lab.step("browser-start", action="launch") as step:
        lab.launch("browser")
        if "AdBlacklist" in _tags(lab, "browser"):
            step.expect_log("AdBlacklist", lambda m: '"event":"config"' in m or "download failed" in m,
                            what="the browser's config request")
    surfaces = SEARCH_SURFACES if "Render" in _tags(lab, "browser") else ()
    experiment, control_step = lab.search_pair("browser", sensitive, control, surfaces=surfaces)
    lab.stop("browser")
    return ClaimResult.of(verdict_of(lambda: lab.assert_not_filtered(experiment, control_step)), claim)


#: every check of this pack, in the order the tests and the demo run them
CLAIMS: tuple[Callable[[Lab], ClaimResult], ...] = (
    no_keyword_blacklist, personal_data_only_with_consent, searches_never_restricted)
