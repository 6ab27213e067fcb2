"""HAR input (issue 10 item 3): nothing a HAR file holds is lost on the way into analysis.

WebSocket messages (``_webSocketMessages``), bodies given only as ``postData.params``, the real
length of ``content.text`` (not ``content.size``), an IP-literal URL host as the address, and
compressed HAR files (mitmproxy's ``.zhar`` is zlib; gzipped HARs) are all read. Files written by
mitmproxy's own HAR writer (``SaveHar``) are read as well as hand-made ones.
"""

from __future__ import annotations

import base64
import copy
import gzip
import ipaddress
import json
import zlib
from pathlib import Path

import pytest
from mitmproxy.addons.savehar import SaveHar
from mitmproxy.test import tflow

from harness.analysis import Options, analyze
from harness.analysis.geo import GeoResolver, Override
from harness.analysis.har import load_har
from harness.analysis.loaders import open_source
from harness.errors import AnalysisError

DATA = Path(__file__).parent / "data"
ANDROID_ID = "5f2d8c1a9b3e7d40"
AD_ID = "3b1e0c6a-8f2d-4e7a-9c55-0d1f2e3a4b5c"
FACTS = {"android_id": ANDROID_ID, "advertising_id": AD_ID}


def _doc(*entries: dict, creator: str = "test") -> dict:
    return {"log": {"version": "1.2", "creator": {"name": creator, "version": "1"}, "entries": list(entries)}}


def _entry(url: str = "https://api.example.test/x", *, text: str | None = "{}", size: int | None = 2,
           **kw: object) -> dict:
    content: dict = {"mimeType": "application/json"}
    if text is not None:
        content["text"] = text
    if size is not None:
        content["size"] = size
    e = {"startedDateTime": "2024-05-01T08:00:00.000Z", "time": 10,
         "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": []},
         "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [],
                      "content": content}}
    e.update(kw)
    return e


def _write(tmp_path: Path, doc: dict, name: str = "x.har") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


def test_params_only_body_is_rebuilt_case_04() -> None:
    """Case 04: a form POST whose body is given only as ``postData.params``."""
    a = analyze(DATA / "har-params-only" / "params-only.har", Options(facts=FACTS))
    found = a.pii_hits[a.pii_hits["location"] == "request_body"]
    assert set(found["value_name"]) == {"android_id", "advertising_id"}
    body = a.flows.loc[0, "request_body"]
    assert body.startswith(b"app_token=abc123def456&gps_adid=3b1e0c6a") and b"android_id=" + ANDROID_ID.encode() in body
    assert json.loads(a.flows.loc[0, "extra"])["request_body_rebuilt"] == "params"


def test_multipart_params_keep_their_boundary(tmp_path: Path) -> None:
    e = _entry(request={"method": "POST", "url": "https://up.example.test/f", "headers": [],
                        "postData": {"mimeType": "multipart/form-data; boundary=XyZ",
                                     "params": [{"name": "id", "value": ANDROID_ID},
                                                {"name": "f", "fileName": "a.txt", "contentType": "text/plain",
                                                 "value": "hello"}]}})
    [rec] = list(load_har(_write(tmp_path, _doc(e))).flows)
    assert rec.request_body == (b'--XyZ\r\nContent-Disposition: form-data; name="id"\r\n\r\n' + ANDROID_ID.encode()
                                + b'\r\n--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
                                b"Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n")


def test_text_wins_over_params(tmp_path: Path) -> None:
    e = _entry(request={"method": "POST", "url": "https://x.example.test/", "headers": [],
                        "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "a=1&b=2",
                                     "params": [{"name": "a", "value": "1"}]}})
    [rec] = list(load_har(_write(tmp_path, _doc(e))).flows)
    assert rec.request_body == b"a=1&b=2" and "request_body_rebuilt" not in rec.extra


def test_websocket_messages_are_read(tmp_path: Path) -> None:
    """Chrome's shape: ``time`` in seconds, opcode 1 text, opcode 2 base64 binary."""
    binary = b"\x00\x01" + AD_ID.encode()
    e = _entry("wss://push.example.test/ws", text="", size=0, _resourceType="websocket", _webSocketMessages=[
        {"type": "send", "time": 1714550400.5, "opcode": 1, "data": json.dumps({"aid": ANDROID_ID})},
        {"type": "send", "time": 1714550401.0, "opcode": 2, "data": base64.b64encode(binary).decode()},
        {"type": "receive", "time": 1714550401.2, "opcode": 1, "data": "ok"},
        {"type": "receive", "time": 1714550401.5, "opcode": 9, "data": ""},  # a ping: not a message
    ])
    e["response"]["status"] = 101
    p = _write(tmp_path, _doc(e))
    src = load_har(p)
    [rec] = list(src.flows)
    msgs = list(src.ws_messages)
    assert rec.kind == "websocket" and rec.sni == "push.example.test"
    assert [(m.from_client, m.is_text, m.timestamp) for m in msgs] == [
        (True, True, 1714550400.5), (True, False, 1714550401.0), (False, True, 1714550401.2)]
    assert msgs[1].content == binary and all(m.flow_id == rec.id for m in msgs)
    a = analyze(p, Options(facts=FACTS))
    assert set(a.pii_hits["location"]) == {"ws_message"}  # (what the client sent is searched)
    assert set(a.pii_hits["value_name"]) == {"android_id", "advertising_id"}


def test_content_size_is_not_trusted_over_text(tmp_path: Path) -> None:
    """Safari writes ``content.size: 0`` beside a full text; a body-less entry keeps its size."""
    html = "<html><title>résumé</title></html>"
    safari = _entry(text=html, size=0)
    no_text = _entry(text=None, size=5120)
    p = _write(tmp_path, _doc(safari, no_text))
    a, b = list(load_har(p).flows)
    assert a.response_body_size == len(html.encode()) and a.extra["har_content_size"] == 0
    assert b.response_body is None and b.response_body_size == 5120


@pytest.mark.parametrize("url,ip", [("http://185.151.204.10:8080/c", "185.151.204.10"),
                                    ("https://[2408:8000::1]:8443/v1/collect", "2408:8000::1")])
def test_ip_literal_host_is_the_address(tmp_path: Path, url: str, ip: str) -> None:
    p = _write(tmp_path, _doc(_entry(url)))
    geo = GeoResolver([Override(ipaddress.ip_network(ip), "SG")])
    a = analyze(p, Options(geo=geo))
    assert a.flows.loc[0, "server_ip"] == ip
    assert list(a.destinations["country"]) == ["SG"]


def test_server_ip_address_is_kept_over_the_url_host(tmp_path: Path) -> None:
    p = _write(tmp_path, _doc(_entry("http://10.0.0.1/", serverIPAddress="[2001:db8::5]")))
    [rec] = list(load_har(p).flows)
    assert rec.server_ip == "2001:db8::5"


@pytest.mark.parametrize("name,pack", [
    ("flows.zhar", lambda b: zlib.compress(b, 9)),       # mitmproxy's save.har to a .zhar path
    ("flows.har.gz", gzip.compress),
    ("capture.bin", gzip.compress),                       # no telling name: found by its content
    ("export", lambda b: zlib.compress(b, 9)),
])
def test_compressed_har_is_read(tmp_path: Path, name: str, pack) -> None:
    p = tmp_path / name
    p.write_bytes(pack(json.dumps(_doc(_entry(f"https://a.example.test/?aid={ANDROID_ID}"))).encode()))
    src = open_source(p)
    assert src.kind == "har" and [r.url for r in src.flows] == [f"https://a.example.test/?aid={ANDROID_ID}"]


def test_damaged_compressed_har_is_one_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "cut.zhar"
    p.write_bytes(zlib.compress(json.dumps(_doc(_entry())).encode())[:20])
    with pytest.raises(AnalysisError, match="zlib data is damaged") as exc:
        analyze(p)
    assert exc.value.fix and str(p) in str(exc.value)


def test_mitmproxy_zhar_with_websocket(tmp_path: Path) -> None:
    """A file written by mitmproxy's own HAR writer: zlib (``.zhar``), a WebSocket flow, a gzip
    response (mitmproxy decodes ``content.text`` and keeps ``content-encoding``)."""
    ws = tflow.twebsocketflow()
    http_flow = tflow.tflow(resp=True)
    http_flow.response.headers["content-encoding"] = "gzip"
    http_flow.response.content = json.dumps({"aid": ANDROID_ID}).encode()  # encodes as gzip
    assert http_flow.response.raw_content != http_flow.response.content
    p = tmp_path / "mitm.zhar"
    p.write_bytes(zlib.compress(json.dumps(SaveHar().make_har([ws, http_flow])).encode()))
    src = open_source(p)
    flows = list(src.flows)
    msgs = list(src.ws_messages)
    assert [f.kind for f in flows] == ["websocket", "http"]
    assert len(msgs) == len(ws.websocket.messages) and [m.content for m in msgs] == [
        m.content for m in ws.websocket.messages]
    assert flows[1].response_body == http_flow.response.content
    assert flows[1].extra["response_content_decoded"] == "gzip"
    a = analyze(p, Options(facts=FACTS))
    assert a.flows.loc[1, "response_body_size"] == len(http_flow.response.content)


ODD = [
    ("headers not a list", lambda e: e["request"].update(headers="x")),
    ("header without name", lambda e: e["request"].update(headers=[{"value": 1}, ["a"], 5])),
    ("status text", lambda e: e["response"].update(status="two hundred")),
    ("time a string", lambda e: e.update(time="fast")),
    ("time infinite", lambda e: e.update(time=float("inf"))),
    ("content a list", lambda e: e["response"].update(content=[1])),
    ("text a number", lambda e: e["response"]["content"].update(text=5)),
    ("size a string", lambda e: e["response"]["content"].update(size="big")),
    ("postData a string", lambda e: e["request"].update(postData="a=1")),
    ("params odd", lambda e: e["request"].update(postData={"params": [1, {"name": 2, "value": None}]})),
    ("bad base64", lambda e: e["response"]["content"].update(encoding="base64", text="@@@")),
    ("server ip a list", lambda e: e.update(serverIPAddress=[1])),
    ("ws messages odd", lambda e: e.update(_webSocketMessages=[1, {"data": 5}, {"opcode": "x", "data": "d"}])),
    ("ws messages a dict", lambda e: e.update(_webSocketMessages={"a": 1})),
    ("step id a dict", lambda e: e.update(_stepId={"x": 1}, _truncated=[1])),
    ("bad port", lambda e: e["request"].update(url="http://a.example.test:99999/")),
]


@pytest.mark.parametrize("why,change", ODD, ids=[w for w, _ in ODD])
def test_odd_fields_do_not_crash(tmp_path: Path, why: str, change) -> None:
    e = copy.deepcopy(_entry())
    change(e)
    a = analyze(_write(tmp_path, _doc(_entry(), e)))
    assert 1 <= len(a.flows) <= 2
    if len(a.flows) == 1:
        assert a.incomplete and "HAR entry 2 skipped" in a.problems[0]
