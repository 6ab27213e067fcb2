"""OONI web_connectivity-style verdicts on crafted experiment/control pairs, and the pipeline's
pairing of steps through ``Step.info["probe"]``; TLS-failure and coverage findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.analysis import Options, analyze
from harness.analysis.filtering import Side, compare, title_words
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
    # the boundary: ratio exactly 0.7 is not a match
    (side("e", "x1", length=7_000, title="Other", headers=H_COMMON), side("c", "x2"), "filtered",
     {"body_length_ratio": 0.7, "body_length_match": False}),
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
