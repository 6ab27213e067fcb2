"""The recorder on a real mitmproxy with real HTTPS servers and real clients."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import stat
import subprocess

import httpx
import pytest
import requests
from websockets.sync.client import connect as ws_connect

from harness.capture.mitmfile import read_mitm
from harness.capture.store import RunStore


def _proxy_client(capture, http2: bool = False) -> httpx.Client:
    return httpx.Client(http2=http2, verify=ssl.create_default_context(cafile=capture.ca.cert), proxy=capture.proxy_url, timeout=20)


def test_proxy_address_and_private_files(capture):
    host, port = capture.address
    assert host == "127.0.0.1" and port > 0
    assert stat.S_IMODE(os.stat(capture.ca.key).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(capture.ca.confdir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(capture.run_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(capture.run_dir / "flows.mitm").st_mode) == 0o600
    assert capture.store.meta()["proxy"]["port"] == port


def test_http1_flows(capture, recorded, h1_server):
    capture.timeline.begin("h1", "http/1.1 exchange")
    session = requests.Session()
    session.proxies = {"https": capture.proxy_url}
    ca = str(capture.ca.cert)  # per request: REQUESTS_CA_BUNDLE would override session.verify
    r1 = session.get(h1_server.url("/hello?q=Free+Tibet"), timeout=20, verify=ca)
    garbage = bytes(range(256)) * 4
    r2 = session.post(h1_server.url("/echo"), data=garbage, timeout=20, verify=ca,
                      headers={"Content-Type": "application/octet-stream", "X-Dup": "a"})
    assert r1.text == "hello" and r2.content == garbage
    flows = recorded.wait(2)
    assert len(flows) == 2
    get, post = flows
    assert (get.kind, get.method, get.status_code, get.http_version) == ("http", "GET", 200, "HTTP/1.1")
    assert get.url == h1_server.url("/hello?q=Free+Tibet") and get.path == "/hello?q=Free+Tibet"
    assert get.response_body == b"hello" and get.response_body_size == 5
    assert (get.server_ip, get.server_port) == ("127.0.0.1", h1_server.port)
    assert get.tls_version in ("TLSv1.2", "TLSv1.3") and get.alpn == "http/1.1"
    assert get.step_id == "h1" and get.client_ip == "127.0.0.1" and get.client_port > 0
    assert get.started_at <= get.ended_at
    assert post.request_body == garbage and post.response_body == garbage
    assert post.request_body_size == len(garbage) and not post.request_body_truncated
    assert post.header("x-dup") == "a" and post.header("content-type", response=True) == "application/octet-stream"


def test_http2_flows(capture, recorded, h2_server):
    with _proxy_client(capture, http2=True) as client:
        rs = [client.get(h2_server.url(f"/hello?n={i}")) for i in range(3)]
        rj = client.get(h2_server.url("/json"))
    assert all(r.http_version == "HTTP/2" for r in rs)
    flows = recorded.wait(4)
    assert len(flows) == 4
    assert {f.http_version for f in flows} == {"HTTP/2.0"} and {f.alpn for f in flows} == {"h2"}
    assert sorted(f.path for f in flows) == ["/hello?n=0", "/hello?n=1", "/hello?n=2", "/json"]
    [js] = [f for f in flows if f.path == "/json"]
    assert js.response_body == rj.content and b"Free Tibet" in js.response_body


def test_websocket_messages(capture, recorded, h2_server):
    capture.timeline.begin("ws", "websocket")
    ctx = ssl.create_default_context(cafile=str(capture.ca.cert))
    with ws_connect(h2_server.ws_url(), ssl=ctx, proxy=capture.proxy_url, open_timeout=20) as ws:
        ws.send("Long live Taiwan independence")
        assert ws.recv(timeout=10) == "Long live Taiwan independence"
        ws.send(b"\x00\xff\x10")
        assert ws.recv(timeout=10) == b"\x00\xff\x10"
    [flow] = recorded.wait(1)
    assert flow.kind == "websocket" and flow.status_code == 101 and flow.step_id == "ws"
    assert flow.extra["ws_messages"] == 4 and flow.extra["closed_by_client"] is True
    msgs = list(capture.store.iter_ws_messages(flow.id))
    assert [(m.from_client, m.is_text, m.content) for m in msgs] == [
        (True, True, b"Long live Taiwan independence"), (False, True, b"Long live Taiwan independence"),
        (True, False, b"\x00\xff\x10"), (False, False, b"\x00\xff\x10"),
    ]
    assert {m.step_id for m in msgs} == {"ws"}


def test_pinned_client_handshake_failure_is_recorded(capture, recorded, h2_server):
    """The client trusts only the server's own CA (as a pinning app does), so the proxy's
    certificate is refused and the client aborts the handshake: recorded as tls_failure."""
    capture.timeline.begin("pin", "pinned app")
    with socket.create_connection(capture.address, timeout=10) as raw:
        raw.sendall(f"CONNECT 127.0.0.1:{h2_server.port} HTTP/1.1\r\nHost: 127.0.0.1:{h2_server.port}\r\n\r\n".encode())
        assert raw.recv(4096).startswith(b"HTTP/1.1 200")
        with pytest.raises(ssl.SSLCertVerificationError):
            h2_server.pinned_client_context().wrap_socket(raw, server_hostname="pinned.test")
    [flow] = recorded.wait(1)
    assert flow.kind == "tls_failure" and flow.sni == "pinned.test" and flow.server_host == "pinned.test"
    assert flow.step_id == "pin" and "does not trust" in flow.error
    assert flow.server_port == h2_server.port and flow.method is None


def test_connection_rows_keep_the_step_they_started_in(capture, recorded, h2_server):
    """A failed handshake and a malformed request that end after their step ended belong to the
    step current when the client connected, as every flow does (docs/scenarios.md, "Steps and
    settling"): an app stopped at a step's end cuts its handshake in the next step or in none
    (seen as a stepless ``tls_failure`` in benchmarks/handsets.py runs)."""
    capture.timeline.begin("early", "connects")
    with socket.create_connection(capture.address, timeout=10) as raw:
        raw.sendall(f"CONNECT 127.0.0.1:{h2_server.port} HTTP/1.1\r\nHost: 127.0.0.1:{h2_server.port}\r\n\r\n".encode())
        assert raw.recv(4096).startswith(b"HTTP/1.1 200")
        capture.timeline.begin("late", "the handshake fails here")
        with pytest.raises(ssl.SSLCertVerificationError):
            h2_server.pinned_client_context().wrap_socket(raw, server_hostname="pinned.test")
    capture.timeline.begin("early-2", "connects")
    with socket.create_connection(capture.address, timeout=10) as raw:
        raw.sendall(b"\x16\x00\xffNOT HTTP\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 400")
        capture.timeline.end()  # closed outside any step
    failed, malformed = recorded.wait(2)
    assert (failed.kind, failed.step_id) == ("tls_failure", "early")
    assert (malformed.kind, malformed.step_id) == ("error", "early-2")


def test_step_attribution_and_mark_command(capture, recorded, h1_server):
    with _proxy_client(capture) as client:
        capture.timeline.begin("a", "first")
        client.get(h1_server.url("/hello?s=a"))
        capture.timeline.begin("b", "second")
        client.get(h1_server.url("/hello?s=b"))
        capture.timeline.end()
        client.get(h1_server.url("/hello?s=none"))
        # from outside, as a mitmproxy command (runs on the proxy's event loop)
        loop = capture.proxy.loop
        asyncio.run_coroutine_threadsafe(_call(capture, "harness.mark", "m1", "marked"), loop).result(10)
        client.get(h1_server.url("/hello?s=m1"))
    flows = recorded.wait(4)
    assert [(f.path, f.step_id) for f in flows] == [
        ("/hello?s=a", "a"), ("/hello?s=b", "b"), ("/hello?s=none", None), ("/hello?s=m1", "m1"),
    ]
    steps = {s.id: s for s in capture.store.steps()}
    assert steps["a"].ended_at is not None and steps["m1"].name == "marked"


async def _call(capture, cmd: str, *args: str) -> None:
    capture.proxy.master.commands.call(cmd, *args)


def test_curl_through_proxy(capture, recorded, h1_server):
    out = subprocess.run(
        ["curl", "-sS", "--max-time", "20", "--proxy", capture.proxy_url, "--cacert", str(capture.ca.cert),
         "-H", "X-Canary: c4n4ry", h1_server.url("/hello")],
        capture_output=True, timeout=30, check=True,
    )
    assert out.stdout == b"hello"
    [flow] = recorded.wait(1)
    assert flow.header("x-canary") == "c4n4ry" and flow.header("user-agent").startswith("curl/")


def test_unreachable_server_and_killed_flow(capture, recorded, h1_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    r = requests.get(f"http://127.0.0.1:{closed_port}/nothing", proxies={"http": capture.proxy_url}, timeout=20)
    assert r.status_code == 502
    with _proxy_client(capture) as client, pytest.raises(httpx.HTTPError):
        client.get(h1_server.url("/kill/me"))
    flows = recorded.wait(2)
    assert [f.kind for f in flows] == ["error", "error"]
    refused, killed = flows
    assert refused.port == closed_port and refused.status_code is None and refused.server_ip is None
    assert "connect call failed" in refused.error.lower() or "refused" in refused.error.lower()
    assert killed.path == "/kill/me" and killed.extra.get("killed") is True and killed.error.startswith("Connection killed")


def test_mitm_file_opens_with_mitmproxy_and_stops_at_tear(capture, recorded, h1_server, tmp_path):
    with _proxy_client(capture) as client:
        client.get(h1_server.url("/hello?mitm=1"))
    recorded.wait(1)
    result = read_mitm(capture.run_dir / "flows.mitm")
    assert not result.torn
    assert any(f.request.path == "/hello?mitm=1" and f.response.content == b"hello" for f in result.flows)
    data = (capture.run_dir / "flows.mitm").read_bytes()
    torn = tmp_path / "torn.mitm"
    torn.write_bytes(data[:-7])
    cut = read_mitm(torn)
    assert cut.torn and len(cut.flows) == len(result.flows) - 1


def test_reader_opens_live_store(capture, recorded, h1_server):
    with _proxy_client(capture) as client:
        client.get(h1_server.url("/hello?live=1"))
    recorded.wait(1)
    ro = RunStore.open(capture.run_dir)
    assert ro.status == "recording"
    assert any(f.path == "/hello?live=1" for f in ro.iter_flows("http"))


def test_world_name_resolved_by_addon_keeps_host_and_records_real_ip(capture, recorded, h2_server):
    """An extra addon (like the virtual world's resolver) sends world.test to a loopback server:
    the flow keeps its host name; server_ip/port are where the proxy really connected."""
    with _proxy_client(capture, http2=True) as client:
        r = client.get("https://collector.world.test/json")
    assert r.status_code == 200
    [flow] = recorded.wait(1)
    assert flow.host == "collector.world.test" and flow.server_host == "collector.world.test"
    assert flow.sni == "collector.world.test" and flow.url == "https://collector.world.test/json"
    assert (flow.server_ip, flow.server_port) == ("127.0.0.1", h2_server.port)


def _connect_refused(capture, target: str) -> bytes:
    """Send ``CONNECT target`` through the proxy; the proxy's answer (its status line and text)."""
    with socket.create_connection(capture.address, timeout=20) as s:
        s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and b"Cannot connect" in answer:
                break
        return answer


def test_failed_connect_keeps_its_target_and_reason(capture, recorded, tmp_path):
    """Issue 10 item 15: a CONNECT the proxy cannot complete is a named destination with its reason."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    capture.timeline.begin("connect", "failed CONNECTs")
    assert _connect_refused(capture, "nx-host.invalid:8443").startswith(b"HTTP/1.1 502")
    assert _connect_refused(capture, f"127.0.0.1:{closed_port}").startswith(b"HTTP/1.1 502")
    flows = recorded.wait(2)
    assert [(f.kind, f.method, f.server_host, f.server_port, f.step_id) for f in flows] == [
        ("error", "CONNECT", "nx-host.invalid", 8443, "connect"),
        ("error", "CONNECT", "127.0.0.1", closed_port, "connect")]
    unresolvable, refused = flows
    assert unresolvable.error.startswith("cannot connect to nx-host.invalid:8443: ")
    assert "name or service not known" in unresolvable.error.lower() or "resolve" in unresolvable.error.lower()
    assert "refused" in refused.error.lower() and "If you plan" not in refused.error
    assert unresolvable.extra == {"connect_failed": True, "proxy_status": 502}
    # analysis names the destination, from the store and from flows.mitm
    from harness.analysis import analyze

    capture.flush()
    for source in (capture.store.run_dir, capture.store.run_dir / "flows.mitm"):
        a = analyze(source)
        rows = a.flows[a.flows["method"] == "CONNECT"]
        assert set(rows["server_host"]) >= {"nx-host.invalid"} and set(rows["kind"]) == {"error"}, source
        # it never reached a server: not a destination, listed as not connected with its flow
        from harness.analysis.destinations import not_connected

        assert "nx-host.invalid" not in set(a.destinations["host"]), source
        assert "nx-host.invalid" in {r["host"] for r in not_connected(a.flows)}, source


def test_a_raw_tcp_flow_keeps_the_step_it_started_in(capture, recorded):
    """A raw TCP stream (not TLS, not HTTP: mitmproxy relays it as a TCP flow) that ends after its
    step ended belongs to the step current when the client connected, as every flow does."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.settimeout(10)
    try:
        capture.timeline.begin("tcp-early", "connects")
        with socket.create_connection(capture.address, timeout=10) as raw:
            raw.sendall(f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            assert raw.recv(4096).startswith(b"HTTP/1.1 200")
            raw.sendall(b"\x00\x01PING\x00\n")
            conn, _ = server.accept()
            with conn:
                conn.settimeout(10)
                assert conn.recv(64) == b"\x00\x01PING\x00\n"
                conn.sendall(b"PONG")
                assert raw.recv(64) == b"PONG"
                capture.timeline.begin("tcp-late", "the stream ends here")
        flows = recorded.wait(1)
    finally:
        server.close()
    tcp = [f for f in flows if f.kind == "tcp"]
    assert len(tcp) == 1, [(f.kind, f.step_id) for f in flows]
    assert tcp[0].step_id == "tcp-early" and tcp[0].request_body == b"\x00\x01PING\x00\n"
