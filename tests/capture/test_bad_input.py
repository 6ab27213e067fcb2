"""Hostile and broken input: the proxy survives, each case is recorded as far as it got, and
nothing recorded earlier is lost."""

from __future__ import annotations

import os
import socket
import ssl
import time

import httpx

from harness.capture.records import DEFAULT_BODY_CAP

FIFTY_MB = 50 * 1024 * 1024


def _client(capture) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=capture.ca.cert), proxy=capture.proxy_url, timeout=60)


def _hello_still_works(capture, server) -> None:
    with _client(capture) as c:
        assert c.get(server.url("/hello?alive=1")).text == "hello"


def test_bad_input_sequence(capture, recorded, h1_server):
    with _client(capture) as c:
        first = c.post(h1_server.url("/echo"), content=b"before")
    assert first.content == b"before"

    # 1. malformed HTTP from a raw socket: mitmproxy answers 400; the connection is recorded
    with socket.create_connection(capture.address, timeout=10) as raw:
        raw.sendall(b"\x16\x00\xffNOT HTTP AT ALL\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 400")
    # a connection that sends nothing is not a flow
    socket.create_connection(capture.address, timeout=10).close()
    # 2. binary garbage as a body, round-tripped exactly
    garbage = os.urandom(300_000)
    with _client(capture) as c:
        assert c.post(h1_server.url("/echo"), content=garbage).content == garbage
    # 3. a client that disconnects in the middle of its request body
    with socket.create_connection(capture.address, timeout=10) as raw:
        raw.sendall(
            f"POST http://127.0.0.1:{h1_server.port}/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Length: 100000\r\n\r\n".encode() + b"partial" * 100
        )
        time.sleep(0.2)
    _hello_still_works(capture, h1_server)

    flows = recorded.wait(5)
    assert [f.kind for f in flows] == ["http", "error", "http", "error", "http"]
    before, malformed, binary, cut, alive = flows
    assert before.request_body == b"before" and before.response_body == b"before"
    assert malformed.extra == {"client_connection": True} and malformed.method is None
    assert malformed.request_body == b"\x16\x00\xffNOT HTTP AT ALL\r\n\r\n"
    assert binary.request_body == garbage and binary.response_body == garbage
    assert cut.path == "/upload" and cut.method == "POST" and "peer closed connection" in cut.error
    assert cut.header("content-length") == "100000"
    assert alive.path == "/hello?alive=1"
    # nothing earlier was lost or changed
    again = capture.store.get_flow(before.id)
    assert again == before


def test_fifty_megabyte_bodies_are_streamed_and_capped(capture, recorded, h1_server):
    with _client(capture) as c:
        down = c.get(h1_server.url(f"/bytes/{FIFTY_MB}"))
        up = c.post(h1_server.url("/upload"), content=b"u" * FIFTY_MB)
        over_cap = c.get(h1_server.url(f"/bytes/{DEFAULT_BODY_CAP + 1000}"))
    assert len(down.content) == FIFTY_MB and up.text == str(FIFTY_MB)
    assert len(over_cap.content) == DEFAULT_BODY_CAP + 1000
    _hello_still_works(capture, h1_server)
    big_down, big_up, capped, alive = recorded.wait(4)
    assert big_down.response_body_size == FIFTY_MB and big_down.response_body_truncated
    assert big_down.response_body == b"x" * DEFAULT_BODY_CAP and big_down.body_cap == DEFAULT_BODY_CAP
    assert big_down.extra["streamed"] == ["response"]
    assert big_up.request_body_size == FIFTY_MB and big_up.request_body_truncated
    assert len(big_up.request_body) == DEFAULT_BODY_CAP and big_up.response_body == str(FIFTY_MB).encode()
    assert big_up.extra["streamed"] == ["request"]
    # over the cap but under the streaming threshold: buffered by mitmproxy, cut when recorded
    assert capped.response_body_size == DEFAULT_BODY_CAP + 1000 and capped.response_body_truncated
    assert len(capped.response_body) == DEFAULT_BODY_CAP and "streamed" not in capped.extra
    assert alive.kind == "http"
