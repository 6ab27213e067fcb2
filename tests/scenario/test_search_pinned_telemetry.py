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
"""

from __future__ import annotations

import pytest

from harness.device.logcat import LogLine
from harness.scenario import LabSpec, open_lab
from harness.scenario.logwatch import search_failures
from harness.scenario.results import Inconclusive
from harness.scenario.virtual import VirtualTarget

pytestmark = pytest.mark.timeout(300)

LISTED, CONTROL = "Free Tibet", "fresh bread recipes"
TAGS = ("Browser", "BrowserSearch", "SensorsData", "AdBlacklist", "Render")
ROUNDS = 3
PIN_LINE = "event search failed: javax.net.ssl.SSLPeerUnverifiedException: Certificate pinning failure!"


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
    Returns (rendered per search, inconclusive reasons, the app's pin failure lines, analysis)."""
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
        pins = [ln for ln in lab.logs.lines("SensorsData") if ln.message == PIN_LINE]
        analysis = lab.analyse()
    return rendered, inconclusive, pins, analysis


def test_searches_in_a_row_are_not_blamed_for_the_pinned_usage_event(searched):
    rendered, inconclusive, pins, _ = searched
    assert inconclusive == []
    # the race was there to be lost: the app did log the pinned event's failure, once per search
    assert len(pins) >= 4 * ROUNDS, pins
    assert len(rendered) == 4 * ROUNDS
    for name, shown in rendered.items():
        assert set(shown) == {"ads"}, name
        if "control" in name:  # the control term gets ads on ncsc-2021
            assert shown["ads"], (name, shown)


def test_the_pin_is_still_reported_as_a_pinning_failure(searched):
    *_, analysis = searched
    pinned = [f for f in analysis.finding_list if f.kind == "pinning_failure"]
    assert pinned, [f.kind for f in analysis.finding_list]
    assert {f.details.get("host") for f in pinned} == {"tracking.intl.vendor.test"}
