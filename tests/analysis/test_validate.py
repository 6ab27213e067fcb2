"""Record validation at the loader boundary (harness.analysis.validate), field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mitmproxy.io import tnetstring

from harness.analysis import validate
from harness.analysis.loaders import load_mitm
from harness.analysis.pipeline import analyze
from harness.analysis.synthetic import make_flow, write_flows
from harness.capture.records import FlowRecord


def _rec(**kw: object) -> FlowRecord:
    base: dict[str, object] = {"id": "f1", "kind": "http", "started_at": 1.0, "ended_at": 2.0,
                               "host": "a.test", "url": "https://a.test/"}
    return FlowRecord(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize("field,value,words", [
    ("status_code", 10**20, "outside 0..999"),
    ("started_at", float("inf"), "not a finite number"),
    ("ended_at", float("nan"), "not a finite number"),
    ("port", 70000, "outside 0..65535"),
    ("response_body_size", 2**63, "outside 0..9223372036854775807"),
    ("host", "a b", "is not a host name"),
    ("response_body", {"a": 1}, "not bytes or text"),
    ("request_headers", [["only-one"]], "not a name/value pair"),
    ("url", "/relative", "names no host"),
])
def test_bad_field_is_refused_with_its_name(field: str, value: object, words: str) -> None:
    rec = _rec(**{field: value})
    if field == "url":
        rec.host = None
    with pytest.raises(validate.RecordError, match=words):
        validate.flow_record(rec)


def test_text_and_bytes_are_taken_either_way() -> None:
    rec = validate.flow_record(_rec(response_body="text body", status_code=200.0, path=b"/p\xff",
                                    reason="OK\ud800"))
    assert rec.response_body == b"text body" and rec.status_code == 200
    assert rec.path == "/p\\udcff"  # Arrow accepts no surrogates: written out
    assert rec.reason == "OK\\ud800"


def test_header_values_keep_raw_bytes_but_not_lone_surrogates() -> None:
    rec = validate.flow_record(_rec(request_headers=[(b"X-A", b"\xff"), ("X-\udc00", "v\ud800")]))
    assert rec.request_headers == [("X-A", "\udcff"), ("X-\\udc00", "v\\ud800")]
    assert rec.request_headers[0][1].encode("utf-8", "surrogateescape") == b"\xff"


def test_one_element_peername_keeps_the_host(tmp_path: Path) -> None:
    state = make_flow("https://a.example.test/").get_state()
    state["client_conn"]["peername"] = ("10.0.0.7",)
    p = tmp_path / "short.mitm"
    p.write_bytes(tnetstring.dumps(state))
    src = load_mitm(p)
    flows = list(src.flows)
    assert [(f.client_ip, f.client_port) for f in flows] == [("10.0.0.7", 0)] and not src.incomplete


def test_flow_state_with_content_as_a_list_is_skipped_and_named(tmp_path: Path) -> None:
    good = make_flow("https://good.example.test/")
    bad = make_flow("https://bad.example.test/").get_state()
    bad["response"]["content"] = [1, 2]
    p = tmp_path / "mixed.mitm"
    write_flows(p, [good])
    with p.open("ab") as fh:
        fh.write(tnetstring.dumps(bad))
    a = analyze(p)
    assert len(a.flows) == 1 and a.incomplete and a.meta["skipped_records"] == 1
    assert a.problems == ["mixed.mitm: flow 2 skipped: response.content is list [1, 2], not bytes or text"]


def test_har_entry_numbers_in_range_are_kept(tmp_path: Path) -> None:
    entry = {"startedDateTime": "2024-05-01T10:00:00Z", "time": 1e3,
             "request": {"method": "GET", "url": "https://a.test/", "headers": []},
             "response": {"status": 200.0, "headers": [], "content": {"text": "x", "size": 1.0}}}
    har = tmp_path / "ok.har"
    har.write_text(json.dumps({"log": {"entries": [entry]}}))
    a = analyze(har)
    assert not a.incomplete and int(a.flows["status_code"].iloc[0]) == 200
