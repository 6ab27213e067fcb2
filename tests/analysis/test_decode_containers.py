"""Decoding what real Android SDKs send (issue 10 item 4): base64 wrapped in lines, gRPC messages,
multipart parts, zip archives and compressed streams that do not start the body; the cases 05 and
07 of 2026-11-30; decompression-bomb caps held inside every container."""

from __future__ import annotations

import base64
import gzip
import json
import struct
from pathlib import Path

import pytest
import zstandard

from harness.analysis import Options, analyze
from harness.analysis.containers import grpc_messages, multipart_parts, zip_members
from harness.analysis.decode import Limits, base64_text, expand
from harness.analysis.facts import load_facts
from harness.analysis.lists import find_lists
from harness.analysis.synthetic_containers import (
    android_base64_default,
    grpc_frame,
    mime_base64,
    multipart,
    zip_archive,
)

DATA = Path(__file__).parent / "data"
AID = "5f2d8c1a9b3e7d40"
IMEI = "861234056789012"


def _found(ex, value: str = AID) -> list[str]:
    return [">".join(layer.chain) for layer in ex.layers if value.encode() in layer.data]


def test_case_05_base64_default_gzip() -> None:
    """JSON -> gzip -> base64 wrapped at 76 columns, in a JSON body and in a form field; unwrapped control."""
    d = DATA / "05-android-base64-default-gzip"
    a = analyze(d / "batch.mitm", Options(facts=load_facts(d / "facts.json")))
    assert len(a.flows) == 3
    for fid in a.flows["id"]:
        mine = a.pii_hits[a.pii_hits["flow_id"] == fid]
        assert set(mine["value_name"]) == {"android_id", "imei"}, fid
        assert all(c.endswith("base64>gzip") for c in mine["chain"]), list(mine["chain"])


def test_case_07_grpc_compressed() -> None:
    d = DATA / "07-grpc-compressed-message"
    a = analyze(d / "grpc.mitm", Options(facts=load_facts(d / "facts.json")))
    assert len(a.flows) == 3
    chains = {}
    for fid in a.flows["id"]:
        mine = a.pii_hits[a.pii_hits["flow_id"] == fid]
        assert set(mine["value_name"]) == {"android_id", "advertising_id"}, fid
        chains[fid] = set(mine["chain"])
    assert sorted(map(sorted, chains.values())) == [[""], ["grpc>gzip"], ["grpc>zstd"]]


@pytest.mark.parametrize("wrap", [
    lambda b: json.dumps({"data": android_base64_default(b)}),            # \n, escaped in raw JSON
    lambda b: json.dumps({"data": mime_base64(b)}),                       # \r\n
    lambda b: "data=" + android_base64_default(b).replace("\n", "%0A"),   # a form field, %0A
    lambda b: "data=" + mime_base64(b).replace("\r\n", "%0D%0A"),         # %0D%0A
    lambda b: "log line\n" + android_base64_default(b) + "\nend",          # plain text, real line breaks
])
def test_wrapped_base64(wrap) -> None:
    payload = gzip.compress(json.dumps({"aid": AID, "pad": "x1y2" * 60, "n": list(range(80))}).encode())
    body = wrap(payload).encode()
    assert b"\n" in body or b"%0" in body or b"\\n" in body
    assert any(c.endswith("base64>gzip") for c in _found(expand(body)))


def test_separate_tokens_on_consecutive_lines_still_decode() -> None:
    """Lines that are separate base64 values (not one wrapped value) are tried one by one too."""
    lines = f"{base64.b64encode(b'xx' + AID.encode()).decode()}\n{base64.b64encode(b'yyy' + IMEI.encode()).decode()}"
    ex = expand(lines.encode())
    assert _found(ex) and _found(ex, IMEI)


def test_json_values_are_not_joined_into_one_token() -> None:
    """Unpadded base64 values in neighbouring JSON strings stay separate tokens."""
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
    body = json.dumps({"a": b64(b"k" + AID.encode()), "b": b64(b"i=" + IMEI.encode())}).encode()
    ex = expand(body)
    assert "json>base64" in _found(ex) and "json>base64" in _found(ex, IMEI)


def test_base64_text() -> None:
    token = android_base64_default(b"z" * 200)
    assert base64_text(token.encode()) == token.replace("\n", "").encode()
    assert base64_text(b"not base64 at all") is None


def test_grpc_stream_trailers_and_sniffing() -> None:
    msgs = [grpc_frame(gzip.compress(b"\x0a\x10" + AID.encode()), True), grpc_frame(b"\x0a\x0fimei=" + b"x" * 10, False),
            struct.pack(">BI", 0x80, 12) + b"grpc-status:"]  # a gRPC-Web trailers frame
    body = b"".join(msgs)
    parts = grpc_messages(body, "gzip")
    assert parts is not None and [p.encoding for p in parts] == ["gzip", None]
    assert "grpc>gzip" in _found(expand(body, content_type="application/grpc-web+proto", grpc_encoding="gzip"))
    # no content type: the framing must cover the body exactly
    assert grpc_messages(body[:-3], "gzip", sniffed=True) is None
    assert grpc_messages(b"\x00\x00\x00\x00\x05abc", sniffed=True) is None
    assert grpc_messages(b"\x04\x00\x00\x00\x01a") is None  # an undefined flag bit
    sniffed = expand(grpc_frame(gzip.compress(AID.encode() * 3), True), grpc_encoding="gzip")
    assert "grpc>gzip" in _found(sniffed)


def test_grpc_web_text() -> None:
    """application/grpc-web-text: the frames are base64 text; a compressed message uses grpc-encoding."""
    frames = grpc_frame(zstandard.ZstdCompressor().compress(json.dumps({"aid": AID, "pad": "ab" * 200}).encode()),
                        True) + struct.pack(">BI", 0x80, 14) + b"grpc-status: 0"
    body = base64.b64encode(frames)
    assert "base64>grpc>zstd" in _found(expand(body, content_type="application/grpc-web-text",
                                               grpc_encoding="zstd"))


def test_multipart_parts_and_transfer_encoding() -> None:
    gz = gzip.compress(json.dumps({"aid": AID}).encode())
    inner = multipart([("note", None, "text/plain", b"hello")], boundary="inner-b")
    body = multipart([("a", None, "text/plain", b"1"), ("f", "x.gz", "application/gzip", gz),
                      ("nested", None, "multipart/mixed; boundary=inner-b", inner)])
    parts = multipart_parts(body, "multipart/form-data; boundary=----okhttp-7f3a9c")
    assert parts is not None and [p.content_type for p in parts] == ["text/plain", "application/gzip", "text/plain"]
    assert parts[1].data == gz
    # boundary taken from the body when the header is missing
    assert multipart_parts(body) is not None
    # a part in base64 Content-Transfer-Encoding (email-style upload) is decoded by the parser
    b64 = (b"--b1\r\nContent-Type: application/json\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.encodebytes(json.dumps({"aid": AID}).encode()) + b"\r\n--b1--\r\n")
    assert "multipart" in _found(expand(b64, content_type="multipart/related; boundary=b1"))
    # a part with its own Content-Encoding
    ce = (b"--b2\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n\r\n" + gz + b"\r\n--b2--\r\n")
    assert "multipart>gzip" in _found(expand(ce, content_type="multipart/form-data; boundary=b2"))


def test_zip_members() -> None:
    body = zip_archive({"a/": b"", "events.json": json.dumps({"aid": AID}).encode()})
    parts, bounded = zip_members(body, 1 << 20)
    assert [p.content_type for p in parts] == ["events.json"] and not bounded  # folders skipped
    assert "zip" in _found(expand(body))
    # an archive after a prefix (an upload envelope) is still read: zipfile finds the end record
    assert _found(expand(b"\x01\x02HDR" + body))
    assert zip_members(b"PK\x03\x04 not a zip", 100) == ([], False)


@pytest.mark.parametrize("kind", ["zip", "grpc", "multipart", "embedded"])
def test_bombs_capped_inside_containers(kind: str) -> None:
    raw = b"\0" * (64 * 1024 * 1024)
    gz = gzip.compress(raw, 9)
    body = {
        "zip": lambda: zip_archive({"bomb.bin": raw}),
        "grpc": lambda: grpc_frame(gz, True),
        "multipart": lambda: multipart([("f", "b.gz", "application/gzip", gz)]),
        "embedded": lambda: b"\x02HDR\x00" + gz,
    }[kind]()
    assert len(body) < 200_000
    limits = Limits(max_output=1024 * 1024)
    ex = expand(body, content_type="application/grpc" if kind == "grpc" else None, limits=limits,
                grpc_encoding="gzip")
    assert ex.bounded and any("capped" in n for n in ex.notes), ex.notes
    assert max(len(layer.data) for layer in ex.layers[1:]) <= limits.max_output


def test_many_bombs_in_one_zip_stay_within_the_total_budget() -> None:
    raw = b"\0" * (4 * 1024 * 1024)
    body = zip_archive({f"bomb{i}.bin": raw for i in range(40)})  # 160 MiB if all were inflated
    assert len(body) < 400_000
    limits = Limits(max_output=1024 * 1024, max_total=4 * 1024 * 1024)
    parts, bounded = zip_members(body, limits.max_output, limits.max_total)
    assert bounded and sum(len(p.data) for p in parts) <= limits.max_total
    ex = expand(body, limits=limits)
    assert ex.bounded and sum(len(layer.data) for layer in ex.layers[1:]) <= limits.max_total


def test_huge_multipart_split_within_the_cap() -> None:
    """Only the first ``max_output`` bytes of a huge multipart body are split (marked bounded); the
    raw body is still scanned whole."""
    gz = gzip.compress(json.dumps({"aid": AID}).encode())
    body = multipart([("f", "x.gz", "application/gzip", gz), ("big", None, "text/plain", b"x" * (3 << 20)),
                      ("tail", None, "text/plain", f"imei={IMEI}".encode())])
    ex = expand(body, content_type="multipart/form-data; boundary=----okhttp-7f3a9c",
                limits=Limits(max_output=1 << 20))
    assert ex.bounded and "multipart>gzip" in _found(ex)
    assert _found(ex, IMEI) == [""]  # the tail part is past the cap: found in the raw body only


def test_zstd_grpc_bomb_capped() -> None:
    bomb = zstandard.ZstdCompressor(level=19).compress(b"\0" * (64 * 1024 * 1024))
    ex = expand(grpc_frame(bomb, True), content_type="application/grpc", grpc_encoding="zstd",
                limits=Limits(max_output=1024 * 1024))
    assert ex.bounded


def _terms_doc(n: int = 25) -> list[str]:
    return ["Free Tibet", "89 Democracy Movement"] + [f"banned phrase number {i}" for i in range(n)]


@pytest.mark.parametrize("wrap", [android_base64_default, mime_base64])
def test_keyword_list_in_wrapped_base64(wrap) -> None:
    blob = wrap(gzip.compress(json.dumps(_terms_doc()).encode()))
    doc = json.dumps({"configName": "MiAdBlacklistConfig", "version": "7", "data": blob}).encode()
    lists = find_lists(doc, url="https://api.vendor.test/config")
    assert len(lists) == 1 and lists[0].chain == "base64>gzip>json" and "free tibet" in [
        t.lower() for t in lists[0].terms]
    # the whole response body is the wrapped base64
    whole = find_lists(blob.encode(), url="https://api.vendor.test/blacklist")
    assert len(whole) == 1 and whole[0].chain.startswith("base64>gzip")


def test_zip_of_text() -> None:
    """A zip whose member is plain text is unpacked and the text searched."""
    body = zip_archive({"log.txt": f"device {AID} ok".encode()})
    assert _found(expand(body)) == ["zip"]


def test_keyword_list_in_zip_and_multipart_responses() -> None:
    """A config bundle delivered as a zip archive, or as a part of a multipart response."""
    terms = json.dumps(_terms_doc()).encode()
    bundle = zip_archive({"readme.txt": b"config bundle", "conf/ad_blacklist.json": terms})
    found = find_lists(bundle, url="https://api.vendor.test/bundle")
    assert len(found) == 1 and found[0].chain.startswith("zip>") and found[0].url.endswith("#conf/ad_blacklist.json")
    assert found[0].name == "ad_blacklist.json"
    gz = gzip.compress(json.dumps({"blacklist": _terms_doc()}).encode())
    body = multipart([("meta", None, "text/plain", b"v=3"), ("cfg", "cfg.json.gz", "application/gzip", gz)])
    found = find_lists(body, url="https://api.vendor.test/cfg",
                       content_type="multipart/mixed; boundary=----okhttp-7f3a9c")
    assert len(found) == 1 and found[0].chain.startswith("multipart>gzip")
