"""Xiaomi's 2021 public statement in answer to NCSC Lithuania, one check per testable sentence.

Each function takes an open :class:`harness.scenario.Lab`, drives app roles of its profile and
returns a :class:`~harness.scenario.ClaimResult`: *holds* only on a positive observation (the app
did the thing and nothing was restricted or sent), *violated* with the evidence (flow ids, agent
event ids), and :class:`~harness.scenario.Inconclusive` raised when the app did not do the thing
(no answer, nothing rendered, no such role): a claim that cannot be observed never holds.

    from harness.scenario import LabSpec, VirtualTarget, open_lab

    with open_lab(LabSpec(VirtualTarget("ncsc-2021"))) as lab:
        result = communication_not_restricted(lab)
        assert not result.holds, result.details
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.packs.ncsc_2021.claims import (
    CONTROL_TERM,
    SEARCH_SURFACES,
    SENSITIVE_TERM,
    browser_first_start,
    search_pair,
    searches_never_restricted,
)
from harness.packs.ncsc_2021.observe import rendered, rendered_ids
from harness.scenario.assertions import EXAMINED_KINDS
from harness.scenario.claims import compared_flows, require_baseline, roles_of, verdict_of
from harness.scenario.claims import log_tags as tags
from harness.scenario.logwatch import renders
from harness.scenario.results import ClaimResult, Inconclusive
from harness.scenario.waits import StepTimeout

if TYPE_CHECKING:
    from harness.scenario import Lab

#: pages the web-browsing check opens (the virtual world's CDN; on a phone pass your own URLs)
SENSITIVE_URL = "https://cdn.pages.test/p/free-tibet"
CONTROL_URL = "https://cdn.pages.test/p/fresh-bread-recipes"
#: the chat contact that answers every message with the same text (the virtual world's echo user)
ECHO_CONTACT = "echo-bot"
SENSITIVE_MESSAGE = f"{SENSITIVE_TERM} tonight"
CONTROL_MESSAGE = "lunch at noon"
#: surfaces of a search that are not ads (the vendor said its list only manages ads)
CONTENT_SURFACES = ("suggestions", "results")
#: the profile's host roles that serve a search's surfaces (suggestions and results; ads)
SURFACE_HOST_ROLES = ("search", "ads")


def searches_not_restricted(lab: Lab) -> ClaimResult:
    """"Xiaomi has never and will never restrict or block ... searching": a search with a listed
    term against a control term (OONI web_connectivity on the server answers and what the browser
    rendered: suggestions, results, ads)."""
    result = searches_never_restricted(lab)
    result.claim = "searches are never restricted or blocked"
    return result


def _shown(lab: Lab, role: str, surface: str, subject: str, since: int) -> list[Any] | None:
    """The items ``role``'s app last rendered on ``surface`` for ``subject`` since log line
    ``since`` (its ``I/Render`` lines); None when it rendered nothing."""
    package = lab.profile.app(role).package
    docs = [d for d in renders(lab.logs.lines("Render", since=since), package, subject) if d.get("surface") == surface]
    return (docs[-1].get("items") or []) if docs else None


def _page_of(url: str | None) -> str:
    """A URL without its query and fragment (the page a flow loaded)."""
    return (url or "").split("#")[0].split("?")[0]


def web_browsing_not_restricted(lab: Lab, sensitive_url: str = SENSITIVE_URL,
                                control_url: str = CONTROL_URL) -> ClaimResult:
    """"... or block ... web browsing": the browser opens a page about a listed term and a control
    page, each in its own step; violated when the server answered the sensitive page but the
    browser did not show it while it showed the control. The evidence is the flows that loaded the
    two pages and what the browser rendered. Inconclusive when a page got no answer or the
    profile's browser logs no rendering (``Render`` tag)."""
    claim = "web browsing is never restricted or blocked"
    if "Render" not in tags(lab, "browser"):
        raise Inconclusive("the profile's browser logs no rendering (no Render tag): what it showed is unobservable",
                           serial=lab.serial, attempted="open pages", fix="add the Render tag or check by screenshot")
    shown: dict[str, Any] = {}
    steps: list[str] = []
    package = lab.profile.app("browser").package
    for kind, url in (("sensitive", sensitive_url), ("control", control_url)):
        with lab.step(f"browse-{kind}", action="open_url", url=url) as step:
            since = lab.logs.count
            lab.open_url("browser", url)
            def done(u: str = url, n: int = since) -> bool:  # the page rendered, or the browser could not load it
                return _shown(lab, "browser", "page", u, n) is not None or any(
                    "load failed" in ln.message for ln in lab.logs.lines("BrowserPage", since=n))

            try:  # bounded
                lab.wait(done, f"page {url[:60]}")
            except StepTimeout:
                pass  # neither within the bound: not shown (the server's answer is checked below)
            shown[kind] = _shown(lab, "browser", "page", url, since)
            if shown[kind] is not None:
                lab.record_rendered(package, url, {"page": shown[kind]})
        steps.append(step.id)
        if not any(f.status_code == 200 for f in lab.flows() if f.step_id == step.id):
            lab.stop("browser")
            raise Inconclusive(f"the browser got no answer for {url[:80]}", serial=lab.serial,
                               attempted=f"step {step.id}", fix="give URLs the phone can reach")
    lab.stop("browser")
    # the page loads themselves (not whatever else the browser sent in those steps, e.g. telemetry);
    # else what the pages' servers answered (compared_flows: no failed handshake)
    pages = {_page_of(sensitive_url), _page_of(control_url)}
    hosts = sorted({urlsplit(u).hostname or "" for u in (sensitive_url, control_url)} - {""})
    flows = [f.id for f in lab.flows(lambda f: f.step_id in set(steps) and f.kind in EXAMINED_KINDS
                                     and _page_of(f.url) in pages)] or compared_flows(lab, steps, (), hosts=hosts)
    evidence = flows + rendered_ids(lab, steps)
    if shown["sensitive"] is None and shown["control"] is not None:
        return ClaimResult(claim, False, f"the browser did not show {sensitive_url} (answered by the server) while "
                                         f"it showed {control_url}", evidence, "filtering.rendered")
    if shown["control"] is None:
        raise Inconclusive("the browser showed neither page", serial=lab.serial, attempted="open pages",
                           fix="see the steps' flows and logcat")
    titles = [str((shown[k] or [{}])[0].get("title")) for k in ("sensitive", "control")]
    return ClaimResult(claim, True, f"the browser showed both pages: {titles[0]!r} and {titles[1]!r}", evidence,
                       "filtering.rendered", {"pages": 2})


def communication_not_restricted(lab: Lab, contact: str = ECHO_CONTACT, sensitive: str = SENSITIVE_MESSAGE,
                                 control: str = CONTROL_MESSAGE) -> ClaimResult:
    """"... or block ... calling ... or the use of third-party communication software": the
    third-party messenger (role ``messenger``) sends a message with a listed term and a control
    message to ``contact``, which echoes them back; violated when the messenger received the
    sensitive echo from its own server but the notification was not shown while the control's was.
    Calls are not observed (no dialer role): the details say so. The evidence is the flows that
    carried the two messages and their echoes (:func:`~harness.scenario.claims.compared_flows`) and
    the notifications shown. Inconclusive when the profile has no messenger or an echo never arrived."""
    claim = "third-party communication software is never restricted or blocked"
    if not roles_of(lab, ("messenger",)):
        raise Inconclusive(f"profile {lab.profile.name} has no messenger role", serial=lab.serial,
                           attempted="messenger round trip", fix="map a third-party messenger as apps.messenger")
    app = lab.profile.app("messenger")
    lab.launch("messenger")
    since = lab.logs.count

    def send(text: str) -> None:
        lab.device.sh(f"am start -W -n {shlex.quote(app.package + '/' + app.activity)} -a android.intent.action.SEND "
                      f"--es to {shlex.quote(contact)} --es text {shlex.quote(text)}",
                      timeout=60, check=True, attempted=f"send a message with {app.package}")

    def echoes() -> int:
        return sum(1 for ln in lab.logs.lines("ChatClient", since=since)
                   if "received" in ln.message and f"from={contact}" in ln.message)

    def control_shown() -> bool:
        return any(i.get("text") == control for i in _shown(lab, "messenger", "notification", contact, since) or [])

    try:
        # one step: the sensitive message first, so its notification (if shown) precedes the control's
        with lab.step("message-pair", action="send", to=contact, text=[sensitive, control]) as step:
            send(sensitive)
            send(control)
            lab.wait(lambda: echoes() >= 2 and control_shown(), "both echoes received, the control's notification shown")
            items = [d for d in renders(lab.logs.lines("Render", since=since), app.package, contact)
                     if d.get("surface") == "notification"]
            texts = [str(i.get("text")) for d in items for i in d.get("items") or []]
            lab.record_rendered(app.package, contact,
                                {"notification": [i for d in items for i in d.get("items") or []]})
    except StepTimeout as exc:
        lab.stop("messenger")
        raise Inconclusive(f"the messenger did not receive and show both echoes from {contact}: {exc.reason[:120]}",
                           serial=lab.serial, attempted="step message-pair",
                           fix="give a contact that answers (contact=...); see the step's flows") from None
    lab.stop("messenger")
    steps = [step.id]
    shown = {"sensitive": sensitive in texts or None, "control": control in texts or None}
    # the messages and their echoes (not what other apps sent meanwhile, nor a dropped long poll)
    evidence = compared_flows(lab, steps, (sensitive, control)) + rendered_ids(lab, steps)
    if shown["sensitive"] is None and shown["control"] is not None:
        return ClaimResult(claim, False, f"the messenger received {sensitive!r} from {contact} but the notification "
                                         f"was suppressed, while {control!r} was shown (calls not observed)",
                           evidence, "filtering.rendered", {"suppressed": 1})
    return ClaimResult(claim, True, f"both echoes from {contact} were shown ({sensitive!r}, {control!r}); calls "
                                    "not observed (no dialer role)", evidence, "filtering.rendered", {"suppressed": 0})


def ad_management_limited_to_ads(lab: Lab, sensitive: str = SENSITIVE_TERM, control: str = CONTROL_TERM) -> ClaimResult:
    """The vendor said the list only manages the ads shown in its own apps (Mi Browser, Mi Video):
    a search pair in the browser; violated when a content surface that is not an ad (suggestions,
    results) shows fewer items for the listed term than for the control. The evidence is what the
    comparison used: the two searches' flows to the search and ads servers that carried their
    terms (:func:`~harness.scenario.claims.compared_flows`) and what the browser rendered.
    Inconclusive when the browser logs no rendering."""
    claim = "the keyword list only manages ads in the apps of the vendor"
    if "Render" not in tags(lab, "browser"):
        raise Inconclusive("the profile's browser logs no rendering (no Render tag)", serial=lab.serial,
                           attempted="search pair", fix="add the Render tag to the profile's browser")
    experiment, control_step = search_pair(lab, sensitive, control)
    require_baseline(lab, experiment, control_step)  # a listed control is cut too: no baseline
    seen, ctrl = rendered(lab, experiment), rendered(lab, control_step)
    counts = {s: (len(seen.get(s) or []), len(ctrl.get(s) or [])) for s in SEARCH_SURFACES}
    numbers = {f"{s}_{k}": v for s, (a, b) in counts.items() for k, v in (("listed", a), ("control", b))}
    # what the comparison used: the two searches' requests and answers for the surfaces (search and
    # ads servers) and what the browser rendered; not the pinned telemetry of the same steps
    steps = [experiment, control_step]
    evidence = compared_flows(lab, steps, (sensitive, control), host_roles=SURFACE_HOST_ROLES) \
        + rendered_ids(lab, steps)
    cut = [s for s in CONTENT_SURFACES if counts[s][0] < counts[s][1]]
    shown = ", ".join(f"{s} {a} vs {b}" for s, (a, b) in counts.items())
    if cut:
        return ClaimResult(claim, False, f"content that is not an ad was cut for {sensitive!r} ({', '.join(cut)}): "
                                         f"{shown} (listed vs control)", evidence, "filtering.rendered", numbers)
    return ClaimResult(claim, True, f"suggestions and results shown alike for {sensitive!r} and {control!r}: {shown}",
                       evidence, "filtering.rendered", numbers)


def personal_data_only_after_consent(lab: Lab) -> ClaimResult:
    """"Xiaomi complies with the GDPR": personal data only after prior consent. The browser's first
    start, no consent given (``crypto`` + ``unpin`` agents); a ``pii_sent`` finding to anywhere
    violates the claim."""
    claim = "personal data is collected only after prior consent"
    step, outcome = browser_first_start(lab)
    verdict = verdict_of(lambda: lab.assert_no_pii_to(None, steps=[step]))
    if verdict.holds:
        verdict.details = f"no known device value left the device before consent ({outcome or 'no signal'})"
    else:
        verdict.details = f"sent without consent at first start: {verdict.details.split(': ', 1)[-1]}"
    return ClaimResult.of(verdict, claim)


def transfers_only_to_adequate_jurisdictions(lab: Lab) -> ClaimResult:
    """"Xiaomi complies with the GDPR": personal data only goes to the EU/EEA or a country with an
    adequacy decision (the analysis policy's jurisdictions, docs/analysis.md). The browser's first
    start; a ``pii_sent`` finding to a ``third_country`` violates the claim."""
    claim = "personal data is transferred only to jurisdictions with an adequacy decision"
    step, outcome = browser_first_start(lab)
    verdict = verdict_of(lambda: lab.assert_no_pii_to("third_country", steps=[step]))
    if verdict.holds:
        verdict.details = f"no known device value went to a third country ({outcome or 'no signal'})"
    return ClaimResult.of(verdict, claim)


#: every check of this pack, in the order the tests and the demo run them
CLAIMS: tuple[Callable[[Lab], ClaimResult], ...] = (
    searches_not_restricted, web_browsing_not_restricted, communication_not_restricted, ad_management_limited_to_ads,
    personal_data_only_after_consent, transfers_only_to_adequate_jurisdictions)
