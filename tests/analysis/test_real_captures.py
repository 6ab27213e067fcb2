"""Real captures made by other tools (``data/real/``, sources in its README): mitmproxy's own flow
files of older formats and HAR files exported by Chrome, Firefox, Safari, Charles, Insomnia and
mitmproxy.

* every ``.mitm`` file loads as mitmproxy 11's own ``FlowReader`` reads it (ids, hosts, methods,
  status codes, body bytes, WebSocket and TCP messages);
* every HAR file loads what its JSON holds (entries, hosts, methods, statuses, bodies);
* ``harness export --format har`` of each file validates against the HAR 1.2 JSON Schema
  (``data/har-schema``) and analyses back to the same flows; ``harness analyze --out`` then
  ``harness report`` of the output works;
* files the harness cannot read are refused in one line with a fix, exit 2.
"""

from __future__ import annotations

import base64
import ipaddress
import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from mitmproxy import http
from mitmproxy.tcp import TCPFlow

from harness.analysis.loaders import open_source
from harness.capture.export import export
from harness.testing.flows import http_flow, make_run

from .realdata import ATTACHED, HAR, MITM, REAL, har_json, har_problems, reference_flows, run_cli

# ---------------------------------------------------------------- .mitm as mitmproxy reads it


def _is_ip(text: str | None) -> bool:
    try:
        ipaddress.ip_address(text or "")
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("name", MITM)
def test_mitm_file_loads_as_mitmproxy_reads_it(name: str) -> None:
    ref = reference_flows(REAL / name)
    src = open_source(REAL / name)
    recs = list(src.flows)
    messages = defaultdict(list)
    for m in src.ws_messages:
        messages[m.flow_id].append((m.from_client, m.content))
    assert not src.incomplete, src.problems
    assert sorted(r.id for r in recs) == sorted(ref)  # same flows, each once
    for r in recs:
        f = ref[r.id]
        if isinstance(f, TCPFlow):
            assert r.kind == "tcp"
            assert messages[r.id] == [(m.from_client, m.content) for m in f.messages]
            continue
        assert isinstance(f, http.HTTPFlow)
        if r.extra.get("handshake_missing"):  # mitmproxy makes up a request to "unknown"
            assert f.request.host == "unknown" and r.host == f.server_conn.address[0]
        else:
            assert (r.host, r.method, r.url) == (f.request.pretty_host, f.request.method, f.request.pretty_url)
            assert r.request_body == f.request.raw_content
        assert r.status_code == (f.response.status_code if f.response else None)
        assert r.started_at == (f.timestamp_created or f.client_conn.timestamp_start)  # 0: made up by migration
        assert r.response_body == (f.response.raw_content if f.response else None)
        assert r.error == (f.error.msg if f.error else None)
        peer = f.server_conn.peername[0] if f.server_conn.peername else None
        assert r.server_ip == (peer if _is_ip(peer) else None)  # never a host name as an address
        if f.websocket is not None:
            assert r.kind == "websocket"
            # format 7 stored text messages as str, which mitmproxy 11 leaves as str
            assert messages[r.id] == [(m.from_client, m.content.encode() if isinstance(m.content, str) else m.content)
                                      for m in f.websocket.messages]


def test_old_format_host_name_as_peer_is_no_server_address() -> None:
    """dumpfile-10: the server's ``ip_address`` (made ``peername``) is ``example.com``."""
    (rec,) = open_source(REAL / "dumpfile-10.mitm").flows
    assert rec.host == "example.com" and rec.server_ip is None


def test_websocket_flow_without_its_handshake_keeps_its_server() -> None:
    """dumpfile-7-websocket: two WebSocket flows name one handshake; mitmproxy gives the second a
    made-up request to ``http://unknown/``: the harness takes the host from the server connection."""
    recs = {r.id: r for r in open_source(REAL / "dumpfile-7-websocket.mitm").flows}
    orphan = recs["bb2e201b-2e25-471d-8cc7-a08f6f311fff"]
    assert (orphan.kind, orphan.host, orphan.port, orphan.server_ip) == ("websocket", "echo.websocket.org", 80,
                                                                         "174.129.224.73")
    assert orphan.url == "http://echo.websocket.org/" and orphan.extra["handshake_missing"] is True
    assert orphan.started_at == pytest.approx(1612375499.0214832)  # the client connection, not 0
    assert {r.host for r in recs.values()} == {"echo.websocket.org"}


# ---------------------------------------------------------------- HAR as its JSON holds it


@pytest.mark.parametrize("name", HAR)
def test_har_file_loads_what_it_holds(name: str) -> None:
    entries = [e for e in har_json(REAL / name)["log"]["entries"] if not e["request"]["url"].startswith("data:")]
    src = open_source(REAL / name)
    recs = list(src.flows)
    ws = defaultdict(int)
    for m in src.ws_messages:
        ws[m.flow_id] += 1
    assert not src.incomplete, src.problems
    assert len(recs) == len(entries)
    for i, (e, r) in enumerate(zip(entries, recs, strict=True)):
        assert r.host == urlsplit(e["request"]["url"]).hostname and r.method == e["request"]["method"]
        assert r.status_code == (e["response"]["status"] or None)
        stamp = datetime.fromisoformat(e["startedDateTime"].replace("Z", "+00:00"))
        started = (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()  # no offset: UTC
        assert r.started_at == started and r.ended_at == pytest.approx(started + max(e["time"], 0) / 1000)
        content = e["response"].get("content", {})
        if i in ATTACHED.get(name, {}):
            assert content["_file"] == ATTACHED[name][i] and r.response_body == (REAL / content["_file"]).read_bytes()
        elif "text" in content:
            text = content["text"]
            assert r.response_body == (base64.b64decode(text) if content.get("encoding") == "base64"
                                       else text.encode())
        else:
            assert r.response_body is None
        post = e["request"].get("postData") or {}
        if post.get("text"):
            assert r.request_body == post["text"].encode()
        assert ws[r.id] == len(e.get("_webSocketMessages") or ())


# ---------------------------------------------------------------- export, analyse back, report


@pytest.mark.parametrize("name", MITM + HAR)
def test_export_validates_and_analyses_back(name: str, tmp_path: Path) -> None:
    src = open_source(REAL / name)
    recs = [r for r in src.flows if r.method and r.kind in ("http", "websocket", "error")]
    messages = defaultdict(list)
    for m in src.ws_messages:
        messages[m.flow_id].append((m.from_client, m.content))
    har = tmp_path / "export.har"
    code, out, err = run_cli("export", str(REAL / name), "--format", "har", "-o", str(har), home=tmp_path)
    assert code == 0 and err == "" and out == f"wrote {har}\n", err
    doc = json.loads(har.read_text())
    assert har_problems(doc) == []
    back = open_source(har)
    again = list(back.flows)
    assert not back.incomplete, back.problems
    assert [r.id for r in again] == [r.id for r in recs]
    for a, r in zip(again, recs, strict=True):
        assert (a.kind, a.host, a.method, a.status_code, a.url) == (r.kind, r.host, r.method, r.status_code, r.url)
        assert a.http_version == r.http_version  # an unknown version (Firefox's cache entries) is not made up
        assert a.server_ip == r.server_ip and a.started_at == pytest.approx(r.started_at, abs=1e-3)
        assert a.ended_at == pytest.approx(r.ended_at, abs=2e-3)  # a flow without a response too
        # bodies as they were, empty ones too, unless the export removed a content-encoding (HAR text is decoded)
        if not a.extra.get("request_content_decoded") or r.extra.get("request_content_decoded"):
            assert a.request_body == r.request_body
        if not a.extra.get("response_content_decoded") or r.extra.get("response_content_decoded"):
            assert a.response_body == r.response_body
    again_messages = defaultdict(list)
    for m in back.ws_messages:
        again_messages[m.flow_id].append((m.from_client, m.content))
    assert again_messages == {k: v for k, v in messages.items() if k in {r.id for r in recs}}
    # analyse with frames written, then render the report of them
    code, _, err = run_cli("analyze", str(har), "--out", str(tmp_path / "out"), "--no-list-store", home=tmp_path)
    if not recs:  # every entry left out (data: URLs): nothing recorded proves nothing, exit 2, said so
        assert code == 2 and "holds no flows" in err and "Traceback" not in err, err
    else:
        assert code in (0, 1) and "Traceback" not in err, err  # 1: findings; never an error
    code, _, err = run_cli("report", str(tmp_path / "out"), home=tmp_path)
    assert code == 0 and (tmp_path / "out" / "report.html").is_file(), err


def test_export_of_an_undecodable_gzip_request_body(tmp_path: Path) -> None:
    """mitmproxy's HAR writer decodes a request body strictly: a body labelled gzip that is not
    (as in mitmproxy's ``corrupted_gzip_body`` flows) made ``harness export`` of a run fail."""
    body = b"\n\x14this is not gzip"
    run = make_run(tmp_path / "run", [http_flow("https://t.test/up", method="POST", request_body=body,
                                                request_headers=[("Content-Encoding", "gzip")])])
    doc = json.loads(export(run, "har", tmp_path / "run.har").read_text())
    assert har_problems(doc) == []
    post = doc["log"]["entries"][0]["request"]["postData"]
    assert post["_contentEncoding"] == "" and post["text"].encode() == body  # kept as sent
    (rec,) = open_source(tmp_path / "run.har").flows
    assert rec.request_body == body
