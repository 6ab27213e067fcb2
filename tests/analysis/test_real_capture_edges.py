"""Real captures made by other tools, their edges (``data/real/``, sources in its README): files
the harness cannot read refused in one line with a fix (exit 2), export refusals, bodies kept
beside a HAR, WebSocket byte counts, HAR viewer formats, times without an offset, data: URLs and
HTTP/2 pseudo-headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mitmproxy import http
from mitmproxy import io as mitmio

from harness.analysis.loaders import open_source

from .realdata import REAL, REFUSED, har_json, har_problems, reference_flows, run_cli

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
    doc = har_json(REAL / "har-sha1.har")
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
    doc = har_json(REAL / "insomnia.har")
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
    doc = har_json(REAL / "chrome-trimmed.har")
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
    doc = har_json(REAL / "chrome-trimmed.har")
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
