"""The native agents on host processes with real Frida: tls-native (OpenSSL loaded after attach,
and a spawned process hooked before it runs) and redirect (a direct connection ends up in the
proxy's recording via its SOCKS5 listener; UDP/443 is refused)."""

from __future__ import annotations

import sys

import pytest

from harness.instrument.session import HookSession, store_sink
from tests.instrument.conftest import flows_for

pytestmark = pytest.mark.timeout(120)


def test_tls_native_captures_plaintext_when_libssl_loads_after_attach(frida_device, python_child, origin, origin_ca, tmp_path):
    (tmp_path / "ca.pem").write_bytes(origin_ca.cert_pem)
    body = "canary=8f3e2a&region=EU&incognito=1 " * 3
    child = python_child("tls_child.py", origin.host, str(origin.port), str(tmp_path / "ca.pem"), body)
    assert child.stdout.readline().strip() == "ready"
    with HookSession.attach(frida_device, child.pid) as session:
        session.load("tls-native")
        # libssl is not in the process yet: Python has not imported ssl
        assert not session.events("tls:module")
        child.stdin.write("go\n")
        child.stdin.flush()
        line = child.stdout.readline()
        assert line.startswith("sent "), line + child.stderr.read()
        sent = bytes.fromhex(line.split()[1])
        received = bytes.fromhex(child.stdout.readline().split()[1])
        session.wait_for("tls:read", lambda e: e.data is not None and e.data.endswith(b"}"))
        session.flush()
        writes = session.events("tls:write")
        reads = session.events("tls:read")
        modules = {e.payload["module"] for e in session.events("tls:module")}
    assert any(m.startswith("libssl") for m in modules)
    assert b"".join(e.data for e in writes) == sent
    assert sent.endswith(body.encode())
    assert b"".join(e.data for e in reads) == received
    assert {e.payload["peer"] for e in writes} == {f"{origin.host}:{origin.port}"}
    assert {e.payload["host"] for e in writes} == {None}  # an IP literal sends no SNI
    assert all(e.pid == child.pid and e.thread for e in writes)


def test_tls_native_hooks_a_spawned_process_before_it_runs(frida_device, origin, origin_ca, tmp_path):
    (tmp_path / "ca.pem").write_bytes(origin_ca.cert_pem)
    script = tmp_path / "once.py"
    script.write_text(
        "import ssl, socket, sys\n"
        f"ctx = ssl.create_default_context(cafile={str(tmp_path / 'ca.pem')!r})\n"
        f"s = ctx.wrap_socket(socket.create_connection(({origin.host!r}, {origin.port})), server_hostname='localhost')\n"
        f"s.sendall(b'GET /spawned HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')\n"
        "while s.recv(4096): pass\n"
        "import time; time.sleep(2)\n"
    )
    session = HookSession.spawn(frida_device, [sys.executable, "-I", "-S", str(script)])
    try:
        session.load("tls-native")
        session.resume()
        event = session.wait_for("tls:write", timeout=20)
        assert event.data.startswith(b"GET /spawned HTTP/1.1\r\n")
        assert event.payload["host"] == "localhost"  # from SSL_get_servername (SNI)
    finally:
        session.close()


def test_redirect_sends_a_direct_connection_through_the_proxy(frida_device, python_child, capture, tmp_path):
    from harness.testing.pki import make_ca
    from tests.instrument.servers import start_origin

    plain = start_origin(make_ca(), tmp_path, tls=False)
    try:
        child = python_child("redirect_child.py", plain.host, str(plain.port), "/direct?via=redirect")
        assert child.stdout.readline().strip() == "ready"
        capture.timeline.begin("redirect-1", "direct connection")
        with HookSession.attach(frida_device, child.pid, timeline=capture.timeline,
                                sinks=[store_sink(capture.store)]) as session:
            session.load("redirect", {"proxy_host": "127.0.0.1", "proxy_port": capture.socks_port,
                                      "ports": [plain.port]})
            child.stdin.write("go\n")
            child.stdin.flush()
            assert child.stdout.readline().split()[:2] == ["status", "HTTP/1.1"]
            assert child.stdout.readline().strip() == "udp blocked 101"
            connect = session.wait_for("redirect:connect")
            blocked = session.wait_for("redirect:quic-blocked")
        capture.timeline.end()
        assert connect.payload["destination"] == f"{plain.host}:{plain.port}"
        assert connect.step_id == "redirect-1"
        assert blocked.payload["destination"] == "127.0.0.1:443"
        flows = flows_for(capture, lambda f: f.path == "/direct?via=redirect")
        assert len(flows) == 1
        assert flows[0].step_id == "redirect-1"
        assert (flows[0].server_ip, flows[0].server_port) == (plain.host, plain.port)
        assert [s for s in plain.seen if s[1] == "/direct?via=redirect"]
    finally:
        plain.close()
