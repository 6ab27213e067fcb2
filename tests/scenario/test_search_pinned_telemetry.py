"""Searches in a row on the ``ncsc-2021`` handset, whose browser sends a usage event named
"search" after every search, certificate-pinned to ``tracking.intl.vendor.test``: without the
``unpin`` agent the proxy's certificate fails the pin and the app logs ``W/SensorsData: event
search failed: ... Certificate pinning failure!``, a little after the search rendered. That line
is not the search failing: ``lab.search`` must not make the next search (or this one)
inconclusive because of it, and the analysis must still report the pin as a ``pinning_failure``.

Regression (pinflake): a claim searching twice with ``surfaces=("ads",)`` came out inconclusive in
about 2 of 3 runs ("the browser app's search for 'fresh bread recipes' failed: event search
failed: javax.net.ssl.SSLPeerUnverifiedException") because the harness took any app line
containing "search failed" for the search's own failure. Real handset, adb, proxy and JVM app;
the matcher itself is also tested on those very lines, in order, without the race.

A search reads only what the app logged after the search began (a marker line in the device log),
so an app whose failure line names no query cannot lend an earlier search's failure to the next
one, even when the logcat stream delivers it late. Such an app is played by the device's own
``log -t BrowserSearch`` command; the late delivery by holding the harness's logcat reader (its
line parser) until the next search has begun.

Regression (pinflake, 2): at a load average of ~7-8 the pinning claim came out *holds* on a pinned
world: the agent's ``unpin:bypassed`` message was still in flight when the browser's first-start
step ended on its log line, so it carried no step. A step now ends only after a round trip to each
agent (Frida delivers a script's messages and RPC replies in order). The late delivery is played by
holding that message in Frida's delivery thread until the harness asks the agent anything, or the
step has ended (what the old code did).
"""

from __future__ import annotations

import contextlib
import shlex
import threading

import pytest

from harness.device.logcat import LogLine
from harness.instrument.session import HookSession
from harness.packs.ncsc_2021.claims import browser_first_start, telemetry_not_pinned
from harness.scenario import LabSpec, logwatch, open_lab
from harness.scenario.claims import compared_flows
from harness.scenario.logwatch import search_failures
from harness.scenario.results import Inconclusive
from harness.scenario.virtual import VirtualTarget
from harness.scenario.waits import StepTimeout

pytestmark = pytest.mark.timeout(300)

LISTED, CONTROL = "Free Tibet", "fresh bread recipes"
TAGS = ("Browser", "BrowserSearch", "SensorsData", "AdBlacklist", "Render")
ROUNDS = 3
PIN_LINE = "event search failed: javax.net.ssl.SSLPeerUnverifiedException: Certificate pinning failure!"
#: a failure line naming no query (an app that does not say which search failed)
BARE_FAILURE = "search failed: java.io.IOException: unexpected end of stream"
OWN_FAILURE = "search failed: java.net.ConnectException: Connection refused"


def test_analytics_event_named_search_is_not_a_failed_search():
    """The lines of a run that came out inconclusive (artifacts/logcat.txt), in order: the first
    search's pinned usage event fails after the second search started."""
    lines = [
        LogLine("I", "BrowserSearch", 28010, 'search query="Free Tibet"'),
        LogLine("I", "Render", 28010, '{"pkg":"com.vendor.browser","surface":"ads","subject":"Free Tibet","items":[]}'),
        LogLine("I", "BrowserSearch", 28010, 'search query="fresh bread recipes"'),
        LogLine("W", "SensorsData", 28010, PIN_LINE),
        LogLine("W", "SensorsData", 28010, "  Peer certificate chain:"),
    ]
    assert search_failures(lines, TAGS, CONTROL) == []
    assert search_failures(lines, TAGS, LISTED) == []


def test_the_search_own_failure_is_still_reported():
    """A failure naming the query is this search's; one naming another query is an earlier
    search's, logged late; one naming no query (an app that does not say) is taken as this one's;
    tags the profile does not list are not read."""
    own = 'search failed query="fresh bread recipes": java.net.ConnectException: Connection refused'
    other = 'search failed query="Free Tibet": java.net.SocketTimeoutException: timeout'
    bare = "search failed: java.io.IOException: unexpected end of stream"
    lines = [LogLine("E", "BrowserSearch", 7, other), LogLine("W", "SensorsData", 7, PIN_LINE),
             LogLine("E", "BrowserSearch", 7, own), LogLine("E", "Elsewhere", 7, bare)]
    assert search_failures(lines, TAGS, CONTROL) == [own]
    assert search_failures(lines, TAGS, LISTED) == [other]
    assert search_failures(lines, (*TAGS, "Elsewhere"), "x") == [bare]
    quoted = 'search failed query="say \\"hi\\" \\/ bye": java.io.IOException: x'
    assert search_failures([LogLine("E", "BrowserSearch", 7, quoted)], TAGS, 'say "hi" / bye') == [quoted]


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """Searches with ``surfaces=("ads",)`` back to back in one step (the next search starts as soon
    as the last one's ads rendered, so that search's pinned usage event fails while the next one
    runs), then as the lab claim did: one step per search, each ending on its ``ads`` flow.
    Returns (rendered per search, inconclusive reasons, the app's pin failure lines, analysis, the
    late-failure searches, what compared_flows cites for the in-a-row step)."""
    root = tmp_path_factory.mktemp("pinned-telemetry")
    spec = LabSpec(VirtualTarget("ncsc-2021"), run_dir=root / "run", home=root / "home", root=root / "target",
                   handle_signals=False)
    rendered: dict[str, dict] = {}
    inconclusive: list[str] = []

    def search(name: str, term: str) -> None:
        try:
            rendered[name] = lab.search("browser", term, surfaces=("ads",))
        except Inconclusive as exc:
            inconclusive.append(f"{name}: {exc.reason}")

    with open_lab(spec) as lab:
        with lab.step("in-a-row", action="search"):
            for n in range(ROUNDS):
                search(f"listed-{n}", LISTED)
                search(f"control-{n}", CONTROL)
        for n in range(ROUNDS):
            for name, term in ((f"step-listed-{n}", LISTED), (f"step-control-{n}", CONTROL)):
                with lab.step(name, action="search", term=term) as step:
                    search(name, term)
                    step.expect_flow("ads", answered=True)
        def pin_lines() -> list:
            return [ln for ln in lab.logs.lines("SensorsData") if ln.message == PIN_LINE]

        with contextlib.suppress(StepTimeout):  # the last search's line comes a little after it rendered
            lab.wait(lambda: len(pin_lines()) >= 4 * ROUNDS, "a pin failure line per search", timeout=30)
        pins = pin_lines()
        cited = _cited(lab)
        late = _late_failure(lab)
        analysis = lab.analyse()
        held = _first_start_with_late_bypass(lab)
    return rendered, inconclusive, pins, analysis, late, cited, held


def _cited(lab) -> dict:
    """What :func:`compared_flows` cites for the ``in-a-row`` step's searches (with and without
    the profile's surface host roles; a term no search used), and that step's flows by id."""
    step, terms = ["in-a-row"], (LISTED, CONTROL)
    return {"flows": {f.id: f for f in lab.flows(lambda f: f.step_id == "in-a-row")},
            "roles": compared_flows(lab, step, terms, host_roles=("search", "ads")),
            "any_host": compared_flows(lab, step, terms),
            "unused_term": compared_flows(lab, step, ("no such query",)),
            "unused_term_roles": compared_flows(lab, step, ("no such query",), host_roles=("search",))}


def _first_start_with_late_bypass(lab) -> dict:
    """The pinning claim on the browser's first start, the agent's ``unpin:bypassed`` message held
    in Frida's delivery thread (as a loaded machine delays it) until the harness asks the agent
    anything or the step has ended. Returns the verdict, the step, the bypass events' steps and
    whether a message was held."""
    holding, released = threading.Event(), threading.Event()
    real_on_message, real_rpc, real_end = HookSession._on_message, HookSession._rpc, lab.capture.timeline.end

    def on_message(self, agent, message, data):
        body = message.get("payload") if isinstance(message, dict) else None
        if isinstance(body, dict) and body.get("type") == "unpin:bypassed":
            holding.set()
            released.wait(60)  # bounded: an unreleased message is delivered late, not lost
        real_on_message(self, agent, message, data)

    def rpc(self, loaded, method, *args, **kw):
        if holding.is_set():  # a request goes after the message already on the channel
            released.set()
        return real_rpc(self, loaded, method, *args, **kw)

    def end():
        step = real_end()
        released.set()
        return step

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(HookSession, "_on_message", on_message)
        mp.setattr(HookSession, "_rpc", rpc)
        mp.setattr(lab.capture.timeline, "end", end)
        result = telemetry_not_pinned(lab)
        step, _ = browser_first_start(lab)
    events = lab.events("unpin:bypassed")
    return {"result": result, "step": step, "steps": [e.step_id for e in events], "held": holding.is_set()}


def _log_as_the_app(lab, message: str) -> None:
    """A line in the device log as the browser's search logs it (``E/BrowserSearch``)."""
    lab.device.sh(f"log -p e -t BrowserSearch {shlex.quote(message)}", check=True)


def _late_failure(lab) -> dict:
    """Two searches in a row, the first one's failure (naming no query) logged before the second
    began but delivered to the harness after it began; then a failure logged after a search began,
    which is that search's. Returns what each search gave (items, or the Inconclusive reason)."""
    out: dict = {}
    real_sh, real_parse = lab.device.sh, logwatch.parse_brief
    delivered = threading.Event()
    delivered.set()
    before_start: list[str] = []

    def sh(command: str, **kw):
        if command.startswith("am start"):
            for message in before_start:  # logged after the search began (its marker), before the app runs
                _log_as_the_app(lab, message)
            delivered.set()  # the held stream goes on once the search has begun
        return real_sh(command, **kw)

    def parse(raw: str):
        assert delivered.wait(60), "the held logcat reader was never released"
        return real_parse(raw)

    def search(name: str, term: str, **kw) -> None:
        try:
            out[name] = lab.search("browser", term, **kw)
        except Inconclusive as exc:
            out[name] = exc.reason

    with pytest.MonkeyPatch.context() as mp, lab.step("late-failure", action="search"):
        mp.setattr(lab.device, "sh", sh)
        mp.setattr(logwatch, "parse_brief", parse)
        search("first", CONTROL)  # no surfaces: returns once the app has the intent
        delivered.clear()
        _log_as_the_app(lab, BARE_FAILURE)  # the first search's failure, in the device log now
        search("second", LISTED, surfaces=("ads",))
        before_start.append(OWN_FAILURE)
        search("third", CONTROL, surfaces=("ads",))
    out["lines"] = [ln.message for ln in lab.logs.lines("BrowserSearch")]
    return out


def test_searches_in_a_row_are_not_blamed_for_the_pinned_usage_event(searched):
    rendered, inconclusive, pins, *_ = searched
    assert inconclusive == []
    # the race was there to be lost: the app did log the pinned event's failure, once per search
    assert len(pins) >= 4 * ROUNDS, pins
    assert len(rendered) == 4 * ROUNDS
    for name, shown in rendered.items():
        assert set(shown) == {"ads"}, name
        if "control" in name:  # the control term gets ads on ncsc-2021
            assert shown["ads"], (name, shown)


def test_the_pin_is_still_reported_as_a_pinning_failure(searched):
    analysis = searched[3]
    pinned = [f for f in analysis.finding_list if f.kind == "pinning_failure"]
    assert pinned, [f.kind for f in analysis.finding_list]
    assert {f.details.get("host") for f in pinned} == {"tracking.intl.vendor.test"}


def test_an_earlier_search_failure_delivered_late_is_not_the_next_search_own(searched):
    """The first search's failure line names no query and reaches the harness only after the
    second search began: the second search is not inconclusive because of it (it was logged
    before that search's marker), and renders its ads."""
    late = searched[4]
    assert BARE_FAILURE in late["lines"]  # the line was there, and read, during the second search
    assert isinstance(late["second"], dict) and set(late["second"]) == {"ads"}, late["second"]


def test_a_failure_logged_after_the_search_began_is_its_own(searched):
    """A failure naming no query, logged after the search began, is taken as this search's."""
    late = searched[4]
    assert isinstance(late["third"], str) and OWN_FAILURE in late["third"], late["third"]


def test_searches_cite_their_requests_not_the_pinned_tracker_of_the_same_step(searched):
    """A step whose searches also met the pinned tracker (a failed TLS handshake per usage event):
    the flows that bear on comparing the searches are the requests that carried their terms, to
    the search and ads servers, each answered; not the failed handshakes, which carried nothing
    (trial 1 finding 10, trial 6 finding 15). A term no search used cites nothing, unless the
    comparison's servers are named (then their examined flows, and still no failed handshake)."""
    cited = searched[5]
    flows = cited["flows"]
    failed = [i for i, f in flows.items() if f.kind == "tls_failure" and f.server_host == "tracking.intl.vendor.test"]
    assert failed, {i: (f.kind, f.server_host) for i, f in flows.items()}  # the step did meet the pin
    carried = {i for i, f in flows.items() if f.kind == "http" and any(
        q in (f.url or "") for q in ("q=Free+Tibet", "q=fresh+bread+recipes", "query=Free+Tibet",
                                     "query=fresh+bread+recipes"))}
    assert {flows[i].server_host for i in carried} == {"search.vendor.test", "api.ad.vendor.test"}
    for how in ("roles", "any_host"):
        assert set(cited[how]) == carried, (how, {i: (flows[i].kind, flows[i].url) for i in cited[how]})
        assert not set(failed) & set(cited[how]), how
        assert {flows[i].status_code for i in cited[how]} == {200}, how
    assert cited["unused_term"] == []
    assert cited["unused_term_roles"] and {flows[i].server_host for i in cited["unused_term_roles"]} \
        == {"search.vendor.test"}


def test_a_bypassed_pin_reported_late_by_the_agent_still_violates_the_claim(searched):
    """The unpin agent's message arrives after the first start's log line: the step waits for it
    (the round trip), so the claim is violated with that event as evidence, never "holds"."""
    held = searched[-1]
    assert held["held"], "the agent never bypassed a pin: nothing was delayed"
    result = held["result"]
    assert not result.holds, result.details
    assert held["step"] in held["steps"], held
    assert "tracking.intl.vendor.test" in result.details
