"""OONI web_connectivity-style verdicts on crafted experiment/control pairs, and the pipeline's
pairing of steps through ``Step.info["probe"]``; TLS-failure and coverage findings."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.analysis import Options, analyze
from harness.analysis.filtering import (
    COMMON_HEADERS,
    Side,
    compare,
    headers_match,
    title_of,
    title_words,
    titles_match,
)
from harness.analysis.loaders import Source
from harness.capture.records import AgentEvent, FlowRecord, Step

H_COMMON = [("content-type", "text/html"), ("server", "nginx")]
H_APP = H_COMMON + [("x-search-backend", "eu-1")]


def side(step: str, term: str, status=200, length=10_000, title="Search results – Example Search",
         headers=None, rendered=None, flow="f") -> Side:
    return Side(step_id=step, term=term, flow_id=f"{flow}-{step}", status_code=status, body_length=length,
                title=title, headers=headers if headers is not None else H_APP, rendered=rendered)


@pytest.mark.parametrize("exp,ctl,verdict,numbers", [
    # same page shape: accessible
    (side("e", "Free Tibet"), side("c", "weather", length=9_000), "not_filtered",
     {"status_match": True, "body_length_ratio": 0.9, "body_length_match": True}),
    # status differs: filtered
    (side("e", "Free Tibet", status=451), side("c", "weather"), "filtered", {"status_match": False}),
    # short body, other title, missing uncommon header: filtered
    (side("e", "Free Tibet", length=1_000, title="Notice", headers=H_COMMON), side("c", "weather"), "filtered",
     {"body_length_ratio": 0.1, "title_match": False, "headers_match": False}),
    # short body but same title words (query words excluded) and headers: not filtered
    (side("e", "Free Tibet", length=1_000, title="Free Tibet – Example Search"),
     side("c", "weather", title="weather – Example Search"), "not_filtered",
     {"body_length_match": False, "title_match": True}),
    # the boundary: ratio exactly 0.7 is not a match (OONI: proportion > 0.7)
    (side("e", "x1", length=7_000, title="Other", headers=H_COMMON), side("c", "x2"), "filtered",
     {"body_length_ratio": 0.7, "body_length_match": False, "title_match": False, "headers_match": False}),
    # network looks the same, but the app showed nothing: filtered by the client
    (side("e", "Free Tibet", rendered=0), side("c", "weather", rendered=12), "filtered",
     {"rendered_ratio": 0.0, "rendered_match": False}),
    (side("e", "Free Tibet", rendered=11), side("c", "weather", rendered=12), "not_filtered",
     {"rendered_match": True}),
])
def test_rules(exp: Side, ctl: Side, verdict: str, numbers: dict) -> None:
    c = compare(exp, ctl)
    assert c.verdict == verdict, c.reasons
    for k, v in numbers.items():
        assert getattr(c, k) == v, (k, c.numbers())
    assert c.reasons


def test_missing_sides() -> None:
    no_ctl = compare(side("e", "t"), Side(step_id="c", term="w"))
    assert no_ctl.verdict == "inconclusive"
    exp_failed = Side(step_id="e", term="t", flow_id="x", failed="connection reset")
    assert compare(exp_failed, side("c", "w")).verdict == "filtered"


@dataclass
class _List:
    name: str
    terms: list[str]
    flow_id: str | None


def test_a_listed_control_gives_no_baseline() -> None:
    """Both sides cut alike look alike: a control term on a keyword list of the run (as the list
    matcher sees it: case-folded, a listed entry inside the term) never gives ``not_filtered``."""
    lst = _List("MiAdBlacklistConfig", ["Dalai Lama", "Free Tibet", "fresh bread recipes"], "list-flow")
    alike = (side("e", "Free Tibet", rendered=2), side("c", "fresh bread recipes", rendered=2))
    assert compare(*alike).verdict == "not_filtered"  # without the lists: what the trial got
    c = compare(*alike, [lst])
    assert c.verdict == "inconclusive"
    assert "control term 'fresh bread recipes' is on the list MiAdBlacklistConfig found in flow list-flow" in c.reasons
    assert c.control_listed == ["MiAdBlacklistConfig found in flow list-flow"] and "list-flow" in c.flow_ids
    # any form the matcher takes: case, spacing, a listed entry inside a longer query
    for control in ("DALAI  lama", "dalai lama biography"):
        c = compare(side("e", "Free Tibet"), side("c", control), [lst])
        assert c.verdict == "inconclusive" and "is on the list MiAdBlacklistConfig" in c.reasons[-1], c.reasons
    assert c.reasons[-1].endswith("(as 'Dalai Lama')")
    # an unlisted control is a baseline; a filtered verdict against a listed control stands
    assert compare(side("e", "Free Tibet"), side("c", "weather"), [lst]).verdict == "not_filtered"
    assert compare(side("e", "Free Tibet", status=451), side("c", "Dalai Lama"), [lst]).verdict == "filtered"


def test_the_pipeline_checks_the_control_against_the_lists_of_the_run() -> None:
    import base64
    import gzip as gz

    terms = ["Free Tibet", "fresh bread recipes", *[f"term {i}" for i in range(60)]]
    content = base64.b64encode(gz.compress(json.dumps(terms).encode())).decode()
    config = FlowRecord(id="cfg", kind="http", started_at=0.5, ended_at=0.6, step_id="s0",
                        server_host="globalapi.ad.vendor.test", server_ip="127.0.0.11", host="globalapi.ad.vendor.test",
                        url="https://globalapi.ad.vendor.test/config", method="GET", status_code=200,
                        response_headers=[("content-type", "application/json")],
                        response_body=json.dumps({"MiAdBlacklistConfig": {"version": 1, "content": content}}).encode())
    config.response_body_size = len(config.response_body or b"")
    steps = [Step("s1", "e", 1.0, 2.0, info={"probe": {"role": "experiment", "pair": "p", "term": "Free Tibet"}}),
             Step("s2", "c", 3.0, 4.0, info={"probe": {"role": "control", "pair": "p", "term": "fresh bread recipes"}})]
    flows = [config, _rec("a", "s1", 200, 9000, "Results"), _rec("b", "s2", 200, 9000, "Results")]
    a = analyze(Source("test", Path("memory"), iter(flows), steps=steps), Options())
    assert [f.kind for f in a.finding_list if f.kind == "config_list"] == ["config_list"]
    (f,) = [x for x in a.finding_list if x.kind == "filtered"]
    assert f.verdict == "inconclusive", f.summary
    assert "control term 'fresh bread recipes' is on the list" in f.summary and "found in flow cfg" in f.summary
    assert "cfg" in f.flow_ids and f.details["control_listed"]


def test_title_words() -> None:
    assert title_words("Free Tibet – Example Search", exclude="Free Tibet") == {"example", "search"}
    assert title_words(None) == set()


def _rec(fid: str, step: str, status: int | None, size: int, title: str, **kw) -> FlowRecord:
    body = f"<html><head><title>{title}</title></head><body>{'x' * size}</body></html>".encode()
    return FlowRecord(id=fid, kind=kw.pop("kind", "http"), started_at=1.0, ended_at=2.0, step_id=step,
                      server_host="search.eu.test", server_ip="127.0.0.10", host="search.eu.test",
                      url="https://search.eu.test/s", method="GET", status_code=status,
                      response_headers=[("content-type", "text/html"), ("x-backend", "1")],
                      response_body=body if status else None, response_body_size=len(body) if status else None,
                      **kw)


def test_pipeline_pairs_steps_by_probe_info() -> None:
    steps = [
        Step("s1", "search sensitive", 1.0, 2.0, info={"probe": {"role": "experiment", "pair": "p1", "term": "Free Tibet"}}),
        Step("s2", "search control", 3.0, 4.0, info={"probe": {"role": "control", "pair": "p1", "term": "weather"}}),
        Step("s3", "sensitive, config withheld", 5.0, 6.0, info={"role": "experiment", "pair": "p2", "term": "Free Tibet"}),
        Step("s4", "control, config withheld", 7.0, 8.0, info={"role": "control", "pair": "p2", "term": "Free Tibet"}),
    ]
    flows = [_rec("a", "s1", 200, 300, "Nothing found"), _rec("b", "s2", 200, 9000, "Results for weather"),
             _rec("c", "s3", 200, 9000, "Results for Free Tibet"), _rec("d", "s4", 200, 9100, "Results for Free Tibet")]
    events = [AgentEvent("ui:rendered", "agent", 1.5, payload={"count": 0}, step_id="s1"),
              AgentEvent("ui:rendered", "agent", 3.5, payload={"count": 10}, step_id="s2")]
    src = Source("test", Path("memory"), iter(flows), events=iter(events), steps=steps)
    a = analyze(src, Options())
    verdicts = {c.experiment: c.verdict for c in a.comparisons}
    assert verdicts == {"s1": "filtered", "s3": "not_filtered"}
    f = next(x for x in a.finding_list if x.kind == "filtered" and x.verdict == "filtered")
    assert f.flow_ids == ["a", "b"] and f.event_ids == [e.id for e in events]
    assert f.details["body_length_ratio"] < 0.7 and f.details["rendered_ratio"] == 0.0
    assert f.severity.name == "HIGH"
    assert list(a.steps["id"]) == ["s1", "s2", "s3", "s4"] and list(a.steps["flows"]) == [1, 1, 1, 1]


def test_rendered_reason_counts_items_per_surface() -> None:
    """The verdict names rendered *items* and breaks them down by surface (trial 5, finding 12:
    "app rendered 4 results vs control 9" read as contradicting "results 2 vs 2")."""
    steps = [Step("s1", "search sensitive", 1.0, 2.0, info={"probe": {"role": "experiment", "pair": "p", "term": "Free Tibet"}}),
             Step("s2", "search control", 3.0, 4.0, info={"probe": {"role": "control", "pair": "p", "term": "bread"}})]
    flows = [_rec("a", "s1", 200, 9000, "Results"), _rec("b", "s2", 200, 9000, "Results")]
    events = [AgentEvent("ui:rendered", "harness", 1.5, step_id="s1",
                         payload={"count": 4, "surfaces": {"suggestions": 1, "results": 2, "ads": 1}}),
              AgentEvent("ui:rendered", "harness", 3.5, step_id="s2",
                         payload={"count": 9, "surfaces": {"suggestions": 5, "results": 2, "ads": 2}})]
    a = analyze(Source("test", Path("memory"), iter(flows), events=iter(events), steps=steps), Options())
    (c,) = a.comparisons
    assert c.verdict == "filtered"
    assert "app rendered 4 items (1 suggestion, 2 results, 1 ad) vs control 9 (5, 2, 2)" in c.reasons, c.reasons
    assert not any("results vs control" in r for r in c.reasons)


@pytest.mark.parametrize("exp,ctl,text", [
    ({}, {}, "3 items vs control 1"),  # no per-surface counts (an agent's ui:results)
    ({"ads": 1}, {"ads": 2}, "1 item (1 ad) vs control 2 (2)"),
    ({"page": 1}, {"results": 1}, "1 item (1 page) vs control 1 (1 result)"),  # other surfaces: named
])
def test_rendered_text(exp: dict, ctl: dict, text: str) -> None:
    from harness.analysis.filtering import rendered_text

    e = Side("e", rendered=float(sum(exp.values()) or 3), rendered_surfaces=exp)
    c = Side("c", rendered=float(sum(ctl.values()) or 1), rendered_surfaces=ctl)
    assert rendered_text(e, c) == text


def test_tls_failures_and_coverage() -> None:
    flows = [
        FlowRecord(id="t1", kind="tls_failure", started_at=1.0, ended_at=1.1, server_host="pinned.example.test",
                   server_ip="127.0.0.9", error="Client TLS handshake failed: certificate unknown"),
        FlowRecord(id="t2", kind="tls_failure", started_at=2.0, ended_at=2.1, server_host="pinned.example.test",
                   server_ip="127.0.0.9", error="Client TLS handshake failed: certificate unknown"),
        _rec("h1", "s1", 200, 10, "ok"),
    ]
    events = [AgentEvent("net:connect", "agent", 1.0, payload={"host": "search.eu.test", "port": 443}),
              AgentEvent("net:connect", "agent", 1.0, payload={"host": "direct.example.test", "port": 443})]
    a = analyze(Source("test", Path("memory"), iter(flows), events=iter(events)), Options())
    pin = [f for f in a.finding_list if f.kind == "pinning_failure"]
    assert len(pin) == 1 and pin[0].flow_ids == ["t1", "t2"] and pin[0].details["host"] == "pinned.example.test"
    gap = [f for f in a.finding_list if f.kind == "coverage_gap"]
    assert [g.details["target"] for g in gap] == ["direct.example.test"]
    assert gap[0].event_ids == [events[1].id]
    assert a.meta["coverage"] == {"agent_targets": 2, "proxied": 1, "missing": ["direct.example.test"]}


# ---------------------------------------------------------------- OONI web_connectivity edges (issue 10.8)

@pytest.mark.parametrize("exp_len,ratio,match", [
    (69_000, 0.69, False),      # below OONI's 0.7
    (70_000, 0.70, False),      # exactly 0.7: OONI needs proportion > 0.7
    (70_004, 0.70004, True),    # above 0.7 unrounded (rounded to 4 places it would be 0.7 and fail)
    (71_000, 0.71, True),       # above
])
def test_body_length_ratio_edges(exp_len: int, ratio: float, match: bool) -> None:
    """Only the body length can decide: titles and uncommon headers differ on the two sides."""
    c = compare(side("e", "x1", length=exp_len, title="Notice", headers=H_COMMON), side("c", "x2", length=100_000))
    assert c.body_length_ratio == pytest.approx(ratio, abs=1e-12)
    assert c.body_length_match is match
    assert c.headers_match is False and c.title_match is False
    assert c.verdict == ("not_filtered" if match else "filtered")


@pytest.mark.parametrize("exp_h,ctl_h,want", [
    # the same names, all of them common: a match (OONI compares all names first)
    ([("Date", "x"), ("Server", "a")], [("date", "y"), ("server", "b")], True),
    # names differ but one uncommon name is shared
    ([("x-backend", "1"), ("date", "x")], [("X-Backend", "2"), ("x-other", "3")], True),
    # alt-svc is not in OONI's common list: sharing it is a match
    ([("alt-svc", "h3")], [("alt-svc", "h3"), ("x-extra", "1")], True),
    # names differ, shared names are all common (link and x-varnish are on OONI's list)
    ([("date", "x"), ("link", "a"), ("x-varnish", "1"), ("x-a", "1")], [("date", "y"), ("link", "b"),
                                                                         ("x-varnish", "2"), ("x-b", "1")], False),
    # a side without headers: unknown
    ([], [("x-a", "1")], None),
])
def test_headers_rule(exp_h, ctl_h, want) -> None:
    assert headers_match(exp_h, ctl_h) is want
    assert {"link", "x-varnish", "cf-ray", "content-encoding"} <= COMMON_HEADERS and "alt-svc" not in COMMON_HEADERS


def test_empty_body_is_unknown_not_match() -> None:
    c = compare(side("e", "x1", length=0, title=None, headers=H_COMMON), side("c", "x2", length=0, title=None))
    assert c.body_length_ratio is None and c.body_length_match is None
    assert c.title_match is None
    assert c.headers_match is False and c.verdict == "filtered"
    # nothing comparable at all: no evidence either way
    c = compare(side("e", "x1", length=0, title=None, headers=[]), side("c", "x2", length=0, title=None))
    assert (c.body_length_match, c.title_match, c.headers_match, c.verdict) == (None, None, None, "inconclusive")


def test_truncated_side_has_no_length_or_title() -> None:
    exp = side("e", "x1", length=None, headers=H_COMMON)
    exp.truncated = True
    c = compare(exp, side("c", "x2"))
    assert c.body_length_match is None and c.title_match is None


@pytest.mark.parametrize("exp_t,ctl_t,want", [
    ("Example Search results", "Example Search results", True),
    ("Example Search results", None, None),             # missing title: unknown, not False
    (None, None, None),
    ("Example Search-results", "Example Search results", False),   # split on whitespace, not on "-"
    ("Search\tExample", "Example  Search", True),       # any whitespace separates words
    ("Example News", "Example Blog", True),             # 4-letter words do not count
    ("自由西藏 Example", "Example", False),              # 12 bytes of UTF-8: a word for OONI
])
def test_title_rule(exp_t, ctl_t, want) -> None:
    assert titles_match(exp_t, ctl_t) is want


def test_status_rule() -> None:
    # control failed with a non-2xx status that differs: OONI does not compare -> inconclusive
    c = compare(side("e", "x1", status=200), side("c", "x2", status=503))
    assert c.status_match is None and c.verdict == "inconclusive"
    # both 404: equal status
    assert compare(side("e", "x1", status=404), side("c", "x2", status=404)).status_match is True


@pytest.mark.parametrize("body,want", [
    (b"<html><TITLE>Results for you</TITLE>", "Results for you"),
    (b'<title lang="en">attrs are not matched by OONI</title>', None),
    (b"<title>" + b"a" * 512 + b"</title>", "a" * 512),
    (b"<title>" + b"a" * 513 + b"</title>", None),
    (b"<title></title>", None),
])
def test_title_pattern(body: bytes, want: str | None) -> None:
    assert title_of(body) == want


def test_decoded_bodies_compared(tmp_path: Path) -> None:
    """The same page gzip-encoded on one side only is the same body: ratio 1.0."""
    page = b"<html><head><title>Results</title></head><body>" + b"result " * 4000 + b"</body></html>"
    steps = [Step("s1", "e", 1.0, 2.0, info={"probe": {"role": "experiment", "pair": "p", "term": "Free Tibet"}}),
             Step("s2", "c", 3.0, 4.0, info={"probe": {"role": "control", "pair": "p", "term": "weather"}})]
    zipped = gzip.compress(page)
    flows = [FlowRecord(id="e", kind="http", started_at=1.0, ended_at=2.0, step_id="s1", host="s.test",
                        url="http://s.test/", status_code=200, response_body=zipped, response_body_size=len(zipped),
                        response_headers=[("content-type", "text/html"), ("content-encoding", "gzip")]),
             FlowRecord(id="c", kind="http", started_at=3.0, ended_at=4.0, step_id="s2", host="s.test",
                        url="http://s.test/", status_code=200, response_body=page, response_body_size=len(page),
                        response_headers=[("content-type", "text/html"), ("x-a", "1")])]
    a = analyze(Source("test", tmp_path, iter(flows), steps=steps), Options())
    c = a.comparisons[0]
    assert c.body_length_ratio == 1.0 and c.body_length_match is True and c.verdict == "not_filtered"
    assert list(a.flows["response_length"]) == [len(page), len(page)]
    assert list(a.flows["response_title"]) == ["Results", "Results"]


def test_title_extraction_is_linear(tmp_path: Path) -> None:
    """Issue 12 item 6: 256 KiB of repeated ``<title>`` took 42 s (a quadratic regex). The case file,
    and the same pattern at 4 MiB (which would take hours if quadratic), analyse within a bound."""
    har = Path(__file__).parent / "data" / "har-title-quadratic.har"
    big = tmp_path / "big.har"
    doc = json.loads(har.read_text())
    content = doc["log"]["entries"][0]["response"]["content"]
    content["text"] = "<title>" * (4 * 1024 * 1024 // 7)
    big.write_text(json.dumps(doc))
    for path in (har, big):
        proc = subprocess.run([sys.executable, "-m", "harness", "analyze", str(path), "--no-list-store", "--json"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode in (0, 2), proc.stderr[-2000:]
        assert json.loads(proc.stdout)["counts"]["flows"] == 1
