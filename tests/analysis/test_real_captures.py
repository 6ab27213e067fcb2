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
import io
import ipaddress
import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from mitmproxy import http
from mitmproxy import io as mitmio
from mitmproxy.tcp import TCPFlow
from referencing import Registry, Resource

from harness.analysis.loaders import open_source
from harness.capture.export import export
from harness.cli.context import Env
from harness.cli.main import main
from harness.testing.flows import http_flow, make_run

DATA = Path(__file__).parent / "data"
REAL = DATA / "real"
REFUSED = {  # file: what the one error line must say
    "dumpfile-010.mitm": "has flow format 0.10, older than mitmproxy",
    "har_extractor.har": "no top-level 'log' object",
    "corrupted-brokenfile.har": "invalid JSON at line 5 column 1",
}
MITM = sorted(p.name for p in REAL.glob("*.mitm") if p.name not in REFUSED) + ["msgpack_flows", "generic_keys_flows"]
HAR = sorted(p.name for p in REAL.glob("*.har") if p.name not in REFUSED) + ["flows-compressed.zhar"]
#: bodies Playwright keeps beside the HAR (content._file), by entry index
ATTACHED = {"har-sha1.har": {0: "har-sha1-main-response.txt"}}


def run_cli(*args: str, home: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def har_validator() -> jsonschema.Draft6Validator:
    """The HAR 1.2 schema of the ``har-schema`` package (data/har-schema/README.md)."""
    resources = []
    for p in (DATA / "har-schema").glob("*.json"):
        schema = json.loads(p.read_text())
        resources.append((schema["$id"].rstrip("#"), Resource.from_contents(schema)))
    return jsonschema.Draft6Validator({"$ref": "har.json#"}, registry=Registry().with_resources(resources),
                                      format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)


def har_problems(doc: dict) -> list[str]:
    """Schema errors plus the ranges HAR 1.2 gives that the schema package leaves out."""
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}" for e in har_validator().iter_errors(doc)]
    for i, e in enumerate(doc["log"]["entries"]):
        if e["time"] < 0:
            problems.append(f"entries/{i}/time is {e['time']}")
        problems += [f"entries/{i}/timings/{k} is {v}" for k, v in e["timings"].items()
                     if isinstance(v, int | float) and v < -1]
    return problems


# ---------------------------------------------------------------- .mitm as mitmproxy reads it


def reference_flows(path: Path) -> dict[str, object]:
    """mitmproxy 11's flows of ``path`` by id. A WebSocket flow migrated from a format before 12
    repeats its handshake's id (mitmproxy marks it ``duplicated``); the harness keeps that one."""
    by_id: dict[str, object] = {}
    with path.open("rb") as fh:
        for f in mitmio.FlowReader(fh).stream():
            if f.id not in by_id or f.metadata.get("duplicated"):
                by_id[f.id] = f
    return by_id


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


def _json(path: Path) -> dict:
    text = open_bytes(path).decode("utf-8-sig").strip()
    if not text.startswith("{"):  # HARP: onInputData({...});
        text = text[text.index("(") + 1:text.rstrip(";").rindex(")")]
    return json.loads(text)


def open_bytes(path: Path) -> bytes:
    import zlib

    data = path.read_bytes()
    return zlib.decompress(data) if path.suffix == ".zhar" else data


@pytest.mark.parametrize("name", HAR)
def test_har_file_loads_what_it_holds(name: str) -> None:
    entries = [e for e in _json(REAL / name)["log"]["entries"] if not e["request"]["url"].startswith("data:")]
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


# ---------------------------------------------------------------- refused, in one line


@pytest.mark.parametrize("name", sorted(REFUSED))
@pytest.mark.parametrize("command", ["analyze", "export"])
def test_unreadable_real_file_is_refused_in_one_line(name: str, command: str, tmp_path: Path) -> None:
    args = [command, str(REAL / name)] + (["-o", str(tmp_path / "x.har")] if command == "export" else [])
    code, _, err = run_cli(*args, home=tmp_path)
    lines = err.splitlines()
    assert code == 2 and len(lines) == 1, err
    assert name in lines[0] and REFUSED[name] in lines[0] and "(fix: " in lines[0] and "Traceback" not in err
    assert not (tmp_path / "x.har").exists()


def test_export_of_a_file_refuses_other_formats_and_overwriting(tmp_path: Path) -> None:
    code, _, err = run_cli("export", str(REAL / "insomnia.har"), "--format", "parquet", home=tmp_path)
    assert code == 2 and "only --format har" in err and "harness analyze" in err
    copy = tmp_path / "in.har"
    copy.write_bytes((REAL / "insomnia.har").read_bytes())
    code, _, err = run_cli("export", str(copy), "-o", str(copy), home=tmp_path)
    assert code == 2 and "would overwrite it" in err and copy.read_bytes() == (REAL / "insomnia.har").read_bytes()
    code, out, err = run_cli("export", str(copy), home=tmp_path)  # the default is beside it, never it
    assert code == 0 and out == f"wrote {tmp_path / 'in.harness.har'}\n", err
    assert copy.read_bytes() == (REAL / "insomnia.har").read_bytes()


def test_export_of_a_file_says_which_flows_har_has_no_place_for(tmp_path: Path) -> None:
    """TCP, UDP and DNS flows (written by mitmproxy's own FlowWriter) are named, not dropped silently."""
    from mitmproxy.test import tflow

    path = tmp_path / "mixed.mitm"
    with path.open("wb") as fh:
        writer = mitmio.FlowWriter(fh)
        for f in (tflow.tdnsflow(resp=True), tflow.tudpflow(), tflow.ttcpflow(), tflow.tflow(resp=True)):
            writer.add(f)
    code, out, err = run_cli("export", str(path), home=tmp_path)
    assert code == 0, err
    assert out.splitlines()[1] == (f"left out 3 flows HAR has no place for (1 dns, 1 tcp, 1 udp): "
                                   f"`harness analyze {path}` reads them")
    doc = json.loads((tmp_path / "mixed.har").read_text())
    assert len(doc["log"]["entries"]) == 1 and har_problems(doc) == []


def test_playwright_body_beside_the_har_is_read_and_never_outside_its_folder(tmp_path: Path) -> None:
    """``content._file`` (Playwright): read from the HAR's folder; a missing file or a name with a
    folder part leaves the body out and marks the result incomplete (one warning, exit 2)."""
    (rec,) = open_source(REAL / "har-sha1.har").flows
    assert rec.response_body == b"Hello, world" and rec.response_body_size == 12
    assert rec.extra["response_body_file"] == "har-sha1-main-response.txt"
    doc = _json(REAL / "har-sha1.har")
    (tmp_path / "secret.txt").write_bytes(b"not for the HAR")
    (tmp_path / "in").mkdir()
    for name, problem in [("har-sha1-main-response.txt", "cannot be read"),
                          ("../secret.txt", "is not a file name in the HAR's folder")]:
        doc["log"]["entries"][0]["response"]["content"]["_file"] = name
        har = tmp_path / "in" / "pw.har"
        har.write_text(json.dumps(doc))
        src = open_source(har)
        (rec,) = src.flows
        assert rec.response_body is None and src.incomplete and problem in src.problems[0], src.problems
        code, _, err = run_cli("analyze", str(har), "--no-list-store", home=tmp_path)
        assert code == 2 and len(err.splitlines()) == 1 and problem in err and "Traceback" not in err, err


@pytest.mark.parametrize("name", ["dumpfile-7-websocket.mitm", "flows-websocket.mitm"])
def test_destination_bytes_count_websocket_messages(name: str) -> None:
    """A destination's bytes sent/received include its WebSocket messages (they were 0 here)."""
    from harness.analysis import Options, analyze
    from harness.analysis.geo import GeoResolver

    sent = received = bodies_sent = bodies_received = 0
    for f in reference_flows(REAL / name).values():
        assert isinstance(f, http.HTTPFlow)
        bodies_sent += len(f.request.raw_content or b"")
        bodies_received += len(f.response.raw_content or b"") if f.response else 0
        for m in f.websocket.messages if f.websocket else ():
            size = len(m.content.encode() if isinstance(m.content, str) else m.content)
            sent, received = (sent + size, received) if m.from_client else (sent, received + size)
    assert sent and received
    a = analyze(REAL / name, Options(geo=GeoResolver([], use_iptocc=False, location_db=False)))
    assert (a.destinations["bytes_sent"].sum(), a.destinations["bytes_received"].sum()) == (
        sent + bodies_sent, received + bodies_received)


def test_formats_the_harness_does_not_read_are_named(tmp_path: Path) -> None:
    """A Playwright HAR zip, a pcapng and a flow file newer than mitmproxy 11: one line each naming
    what the file is, with a fix, exit 2 (instead of "not a tnetstring")."""
    import zipfile

    from mitmproxy.io import tnetstring

    archive = tmp_path / "trace.har.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(REAL / "har-sha1.har", "har.har")
        z.write(REAL / "har-sha1-main-response.txt", "har-sha1-main-response.txt")
    pcapng = tmp_path / "cap.pcapng"  # a Section Header Block (pcapng's first block)
    pcapng.write_bytes(bytes.fromhex("0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000"))
    newer = tmp_path / "newer.mitm"
    with (REAL / "flows-websocket.mitm").open("rb") as fh:
        state = tnetstring.load(fh)
    newer.write_bytes(tnetstring.dumps({**state, "version": 99}))
    empty = tmp_path / "sklep.lisek.app.har"  # mitmproxy2swagger's testdata has this file empty
    empty.write_bytes(b"")
    for path, says in [(archive, "is a zip archive"), (pcapng, "is a packet capture"), (empty, "is empty"),
                       (newer, "has flow format 99, newer than mitmproxy")]:
        code, _, err = run_cli("analyze", str(path), home=tmp_path)
        assert code == 2 and len(err.splitlines()) == 1 and says in err and "(fix: " in err, err


def test_start_without_utc_offset_is_utc_on_any_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """mitmproxy's old HARExtractor wrote ``1993-08-24T14:41:12`` (UTC, no offset): it was read in
    the analysing machine's local time."""
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        src = open_source(REAL / "har_extractor-0.x-no-offset.har")
        (rec,) = src.flows
        assert rec.started_at == 746203272.0 and rec.host == "address" and rec.status_code == 200
        assert [s.started_at for s in src.steps] == [746203272.0]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_data_url_entries_are_left_out_not_unreadable(tmp_path: Path) -> None:
    """WebKit and Firefox's BiDi exporter put ``data:`` URLs in HAR (no network traffic): they are
    left out and counted, and the HAR is not "incomplete" because of them (it was: exit 2)."""
    doc = _json(REAL / "insomnia.har")
    real = doc["log"]["entries"][0]
    inline = json.loads(json.dumps(real))
    inline["request"]["url"] = "data:image/png;base64,iVBORw0KGgo="
    doc["log"]["entries"] = [inline, real]
    har = tmp_path / "with-data-url.har"
    har.write_text(json.dumps(doc))
    src = open_source(har)
    recs = list(src.flows)
    assert [r.url for r in recs] == [real["request"]["url"]]
    assert not src.incomplete and src.meta["non_network_entries"] == 1
    code, _, err = run_cli("analyze", str(har), "--no-list-store", home=tmp_path)
    assert code == 0 and err == "", err
    doc["log"]["entries"] = [inline]  # nothing but local entries: an empty, complete HAR
    har.write_text(json.dumps(doc))
    assert list(open_source(har).flows) == []


def test_harp_and_data_url_files_of_har_viewer() -> None:
    """HAR Viewer's HARP (JSONP) file was 'invalid JSON at line 1 column 1'; its data:-URL file
    made the analysis incomplete."""
    src = open_source(REAL / "harviewer-1-harp.har")
    (rec,) = src.flows
    assert rec.url == "http://legoas/har/viewer/selenium/tests/simplePage.html" and rec.status_code == 200
    assert [s.id for s in src.steps] == ["page_48069"] and not src.incomplete
    src = open_source(REAL / "harviewer-data-url.har")
    assert list(src.flows) == [] and not src.incomplete and src.meta["non_network_entries"] == 1


def test_http2_pseudo_headers_of_chrome_are_not_headers() -> None:
    """Chrome writes ``:authority``, ``:path`` ... among the request headers of an HTTP/2 entry; as
    header fields they made a URL's personal data a second hit "in header :path" (a .mitm of the
    same traffic has them in the URL only)."""
    doc = _json(REAL / "chrome-trimmed.har")
    assert any(h["name"] == ":path" for h in doc["log"]["entries"][0]["request"]["headers"])
    for e, r in zip(doc["log"]["entries"], open_source(REAL / "chrome-trimmed.har").flows, strict=True):
        assert [n for n, _ in r.request_headers] == [h["name"] for h in e["request"]["headers"]
                                                     if not h["name"].startswith(":")]
        assert not any(n.startswith(":") for n, _ in r.response_headers)


def test_personal_data_in_an_http2_url_is_one_hit_in_the_url(tmp_path: Path) -> None:
    from harness.analysis import Options, analyze
    from harness.analysis.geo import GeoResolver
    from harness.analysis.synthetic import SAMPLE_FACTS

    aid = SAMPLE_FACTS["android_id"]
    doc = _json(REAL / "chrome-trimmed.har")
    entry = doc["log"]["entries"][0]  # Chrome's HTTP/2 entry, its URL carrying the Android ID
    entry["request"]["url"] = f"https://mitmproxy.org/t?aid={aid}"
    for h in entry["request"]["headers"]:
        h["value"] = f"/t?aid={aid}" if h["name"] == ":path" else h["value"]
    doc["log"]["entries"] = [entry]
    har = tmp_path / "h2.har"
    har.write_text(json.dumps(doc))
    a = analyze(har, Options(facts=SAMPLE_FACTS, geo=GeoResolver([], use_iptocc=False, location_db=False)))
    assert a.pii_hits[["value_name", "location"]].to_dict("records") == [{"value_name": "android_id",
                                                                          "location": "url"}]
