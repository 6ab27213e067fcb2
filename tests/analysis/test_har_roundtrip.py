"""run → ``harness export --format har`` → ``harness analyze`` gives the findings the run gives
(issue 10 item 7), and the Parquet frames ``--out`` writes read back with plain pandas (item 6).

Case 16 (``data/har-roundtrip-brotli``): a run with a brotli keyword-list response in step
``first-start`` and a gzip telemetry body in step ``telemetry``.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import shutil
import zlib
from pathlib import Path

import brotli
import pandas as pd
import pyarrow.parquet as pq
import pytest

from harness.analysis import Options, analyze
from harness.analysis.frames import SCHEMAS
from harness.analysis.har import load_har
from harness.capture.export import export, validate_har
from harness.capture.records import WsMessage
from harness.cli.context import Env
from harness.cli.main import main
from harness.testing.flows import http_flow, make_run

CASE = Path(__file__).parent / "data" / "har-roundtrip-brotli"


@pytest.fixture
def case_run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    shutil.copyfile(CASE / "store.sqlite", run / "store.sqlite")
    (run / "store.sqlite").chmod(0o600)
    return run


def _cli(*args: str, home: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def _findings(a) -> list[dict]:
    return sorted((f.to_dict() for f in a.finding_list), key=lambda d: (d["kind"], d["summary"]))


def test_run_to_har_to_analyze_gives_the_same_findings_case_16(case_run: Path, tmp_path: Path) -> None:
    facts = json.loads((CASE / "facts.json").read_text())
    har = tmp_path / "run.har"
    code, _, err = _cli("export", str(case_run), "--format", "har", "-o", str(har), home=tmp_path)
    assert code == 0, err
    assert validate_har(json.loads(har.read_text())) == []
    direct = analyze(case_run, Options(facts=facts))
    again = analyze(har, Options(facts=facts))
    zhar = tmp_path / "run.zhar"  # mitmproxy's compressed form, read back the same
    assert _cli("export", str(case_run), "--format", "har", "-o", str(zhar), home=tmp_path)[0] == 0
    assert zlib.decompress(zhar.read_bytes()) == har.read_bytes()
    assert _findings(analyze(zhar, Options(facts=facts))) == _findings(direct)
    # the right values of case 16
    assert len(again.lists) == 1 and again.lists.loc[0, "chain"] == "br>json"
    assert set(again.pii_hits["value_name"]) == {"android_id"}
    assert sorted(again.steps["id"]) == ["first-start", "telemetry"]
    # and exactly what the run gives
    assert _findings(again) == _findings(direct)
    cols = ["flow_id", "step_id", "host", "value_name", "form", "location", "chain"]
    assert again.pii_hits[cols].to_dict("records") == direct.pii_hits[cols].to_dict("records")
    assert list(again.flows["id"]) == list(direct.flows["id"])
    assert list(again.flows["step_id"]) == list(direct.flows["step_id"])


def test_har_export_decodes_bodies_and_fills_cookies(tmp_path: Path) -> None:
    plain = json.dumps({"terms": ["Free Tibet"]}).encode()
    telemetry = json.dumps({"aid": "5f2d8c1a9b3e7d40"}).encode()
    cut = gzip.compress(bytes(range(256)) * 64)[:100]  # a body cut at the cap: cannot be decoded
    flows = [
        http_flow("https://list.test/cfg", response_body=brotli.compress(plain), step_id="s1",
                  request_headers=[("Cookie", "sid=abc; lang=lt")],
                  response_headers=[("Content-Type", "application/json"), ("Content-Encoding", "br"),
                                    ("Set-Cookie", "uid=42; Path=/; HttpOnly")]),
        http_flow("https://t.test/track", method="PUT", request_body=gzip.compress(telemetry),
                  request_headers=[("Content-Encoding", "gzip"), ("Content-Type", "application/json")]),
        http_flow("https://big.test/blob", response_body=cut, response_body_truncated=True, body_cap=100,
                  response_headers=[("Content-Encoding", "gzip")]),
        http_flow("wss://ws.test/socket", kind="websocket", status_code=101, response_body=b"", step_id="s2"),
    ]
    ws_id = flows[3].id
    messages = [WsMessage(ws_id, 1.0, True, True, b'{"hello": 1}', 12, step_id="s2"),
                WsMessage(ws_id, 2.0, False, False, b"\x00\xff\x10", 3, step_id="s2")]
    run = make_run(tmp_path / "run", flows, steps=[("s1", "list"), ("s2", "socket")], ws_messages=messages)
    doc = json.loads(export(run, "har", tmp_path / "x.har").read_text())
    assert validate_har(doc) == []
    lst, put, big, ws = doc["log"]["entries"]
    assert lst["response"]["content"]["text"] == plain.decode()
    assert lst["response"]["content"]["_contentEncoding"] == "br"
    assert lst["response"]["content"]["size"] == len(plain)
    assert lst["request"]["cookies"] == [{"name": "sid", "value": "abc"}, {"name": "lang", "value": "lt"}]
    assert lst["response"]["cookies"][0]["name"] == "uid" and lst["response"]["cookies"][0]["httpOnly"]
    assert put["request"]["postData"]["text"] == telemetry.decode()
    assert put["request"]["postData"]["_contentEncoding"] == "gzip"
    assert big["response"]["content"]["_contentEncoding"] == ""  # kept as sent
    assert base64.b64decode(big["response"]["content"]["text"]) == cut and big["_truncated"]["response"] is True
    assert [m["type"] for m in ws["_webSocketMessages"]] == ["send", "receive"]
    # the loader reads back what the export wrote
    src = load_har(tmp_path / "x.har")
    recs = list(src.flows)
    back = list(src.ws_messages)
    assert [r.id for r in recs] == [f.id for f in flows] and [r.step_id for r in recs] == ["s1", None, None, "s2"]
    assert [r.kind for r in recs] == ["http", "http", "http", "websocket"]
    assert recs[0].response_body == plain and recs[0].extra["response_content_decoded"] == "br"
    assert recs[1].request_body == telemetry and recs[1].extra["request_content_decoded"] == "gzip"
    assert recs[2].response_body == cut and recs[2].extra["response_body_decoded"] is False
    assert recs[2].response_body_truncated and recs[2].body_cap == 100
    assert [(m.from_client, m.is_text, m.content, m.timestamp) for m in back] == [
        (m.from_client, m.is_text, m.content, m.timestamp) for m in messages]


def test_every_out_frame_reads_back_with_plain_pandas(case_run: Path, tmp_path: Path) -> None:
    """Item 6: ``pandas.read_parquet`` with no options, list columns included."""
    out = tmp_path / "out"
    code, _, err = _cli("analyze", str(case_run), "--facts", str(CASE / "facts.json"), "--out", str(out),
                        home=tmp_path)
    assert code == 1, err  # findings
    a = analyze(case_run, Options(facts=json.loads((CASE / "facts.json").read_text())))
    written = sorted(p.stem for p in out.glob("*.parquet"))
    assert written == sorted(SCHEMAS)
    for name in written:
        df = pd.read_parquet(out / f"{name}.parquet")
        mine = getattr(a, name)
        assert list(df.columns) == list(mine.columns) and len(df) == len(mine), name
        for col, typ in zip(SCHEMAS[name].names, SCHEMAS[name].types, strict=True):
            if str(typ).startswith("list"):
                assert [list(v) for v in df[col]] == [list(v) for v in mine[col]], (name, col)
        assert pq.read_table(out / f"{name}.parquet").schema.remove_metadata().equals(SCHEMAS[name]), name
    lists = pd.read_parquet(out / "lists.parquet")
    assert len(lists.loc[0, "terms"]) == 60 and "Free Tibet" in list(lists.loc[0, "terms"])
    assert list(pd.read_parquet(out / "destinations.parquet")["steps"].map(list)) == [["first-start"], ["telemetry"]]


def test_failed_connect_survives_the_har_export(tmp_path: Path) -> None:
    """Issue 10 item 15 through HAR: the CONNECT target stays a named destination."""
    from harness.capture.records import FlowRecord

    row = FlowRecord(id="c1", kind="error", started_at=1.0, ended_at=2.0, client_ip="127.0.0.1", client_port=5,
                     method="CONNECT", http_version="HTTP/1.1", server_host="nx.invalid", server_port=8443,
                     host="nx.invalid", port=8443, error="cannot connect to nx.invalid:8443: [Errno -2] Name or "
                     "service not known", extra={"connect_failed": True})
    har = export(make_run(tmp_path / "run", [row]), "har", tmp_path / "x.har")
    doc = json.loads(har.read_text())
    assert validate_har(doc) == [] and doc["log"]["entries"][0]["request"]["url"] == "https://nx.invalid:8443/"
    [rec] = list(load_har(har).flows)
    assert (rec.kind, rec.method, rec.server_host, rec.server_port, rec.error) == (
        "error", "CONNECT", "nx.invalid", 8443, row.error)
    a = analyze(har)  # the failed connect reached no server: not a destination, but not lost
    from harness.analysis.destinations import not_connected

    assert list(a.destinations["host"]) == [] and not_connected(a.flows) == [
        {"host": "nx.invalid", "flows": 1, "flow_ids": [rec.id]}]


def test_steps_and_filtering_probes_survive_the_har_export(tmp_path: Path) -> None:
    """Steps are HAR ``pages`` (with the probe in ``_info``), so the probes pair up as in the run.
    (Bodies plain here: the run compares wire sizes, HAR decoded ones, until item 8's rule lands.)"""
    from harness.capture.store import RunStore

    def page(title: str, size: int) -> bytes:
        return f"<html><head><title>{title}</title></head><body>{'x' * size}</body></html>".encode()

    store = RunStore.create(tmp_path / "run")
    pairs = [("s1", "search sensitive", {"probe": {"role": "experiment", "pair": "p1", "term": "Free Tibet"}},
              page("Nothing found", 300), [("x-filter", "1")]),
             ("s2", "search control", {"probe": {"role": "control", "pair": "p1", "term": "weather"}},
              page("Results for weather", 9000), [("x-backend", "2")])]
    for sid, name, info, body, extra_headers in pairs:
        store.begin_step(sid, name, action="search", info=info)
        store.add_flow(http_flow("https://search.eu.test/s", response_body=body, step_id=sid,
                                 response_headers=[("content-type", "text/html"), *extra_headers]))
        store.end_step(sid)
    store.close("complete")
    har = export(tmp_path / "run", "har", tmp_path / "x.har")
    doc = json.loads(har.read_text())
    assert [(p["id"], p["title"], p["_action"]) for p in doc["log"]["pages"]] == [
        ("s1", "search sensitive", "search"), ("s2", "search control", "search")]
    assert [e["pageref"] for e in doc["log"]["entries"]] == ["s1", "s2"]
    direct, again = analyze(tmp_path / "run"), analyze(har)
    assert [(c.experiment, c.control, c.verdict) for c in again.comparisons] == [("s1", "s2", "filtered")]
    assert [c.__dict__ for c in again.comparisons] == [c.__dict__ for c in direct.comparisons]
    assert _findings(again) == _findings(direct)
    cols = ["id", "name", "action", "info", "flows"]
    assert again.steps[cols].to_dict("records") == direct.steps[cols].to_dict("records")
