"""The open-relay probe (issue 11 item 4): a proxy listening on 0.0.0.0 must not carry a client
of another machine into this machine's loopback services (the real adb server here). The
"other machine" is a socket bound to this host's non-loopback address, so the proxy sees a
non-local peer; the local client shows the same request still works from this machine."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys

import pytest

from harness.capture.exposure import ProxyAccess
from harness.capture.session import CaptureSession
from harness.device.adb import AdbServer, ensure_server


def _lan_address() -> str | None:
    """A non-loopback IPv4 address of this machine (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.123", 9))  # TEST-NET-1: only selects the route
        except OSError:
            return None
        ip = s.getsockname()[0]
    return None if ip.startswith("127.") else ip


LAN = _lan_address()
needs_lan = pytest.mark.skipif(LAN is None, reason="this machine has no non-loopback address")
CREDS = "lab:relay-test-secret"


@pytest.fixture(scope="module")
def adb_port() -> int:
    server = AdbServer.parse(None)
    ensure_server(server)
    return server.port


@pytest.fixture(scope="module")
def exposed(tmp_path_factory):
    run = tmp_path_factory.mktemp("exposed") / "run"
    access = ProxyAccess.make(CREDS, [])
    session = CaptureSession(run, listen_host="0.0.0.0", confdir=run.parent / "ca", access=access)
    session.start()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lan_service():
    """A TCP service on the LAN address: a destination other machines may reach."""
    srv = socket.socket()
    srv.bind((LAN or "127.0.0.1", 0))
    srv.listen(8)
    yield srv.getsockname()[1]
    srv.close()


def _connect(proxy_port: int, target: str, source: str, creds: str | None = None) -> tuple[int, socket.socket]:
    sock = socket.create_connection((source, proxy_port), timeout=20, source_address=(source, 0))
    auth = f"Proxy-Authorization: Basic {base64.b64encode(creds.encode()).decode()}\r\n" if creds else ""
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n{auth}\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, sock


def _adb_version_through(sock: socket.socket) -> bytes:
    sock.sendall(b"000chost:version")
    return sock.recv(4)


def test_local_client_still_reaches_loopback(exposed, adb_port):
    status, sock = _connect(exposed.address[1], f"127.0.0.1:{adb_port}", "127.0.0.1")
    with sock:
        assert status == 200
        assert _adb_version_through(sock) == b"OKAY"  # the relay works from this machine


@needs_lan
def test_other_machine_without_credentials_gets_407(exposed, adb_port):
    status, sock = _connect(exposed.address[1], f"127.0.0.1:{adb_port}", LAN)
    sock.close()
    assert status == 407


@needs_lan
@pytest.mark.parametrize("target", ["127.0.0.1:{adb}", "localhost:{adb}", "[::1]:{adb}",
                                    "169.254.1.1:80", "0.0.0.0:{adb}", "[::ffff:127.0.0.1]:{adb}"])
def test_other_machine_cannot_reach_loopback_even_authenticated(exposed, adb_port, target):
    status, sock = _connect(exposed.address[1], target.format(adb=adb_port), LAN, CREDS)
    with sock:
        assert status != 200
        sock.settimeout(5)
        try:
            assert _adb_version_through(sock) != b"OKAY"
        except OSError:
            pass  # closed: nothing was relayed


@needs_lan
def test_other_machine_authenticated_reaches_lan_destinations(exposed, lan_service):
    status, sock = _connect(exposed.address[1], f"{LAN}:{lan_service}", LAN, CREDS)
    sock.close()
    assert status == 200


@needs_lan
def test_wrong_credentials_get_407(exposed, lan_service):
    status, sock = _connect(exposed.address[1], f"{LAN}:{lan_service}", LAN, "lab:wrong")
    sock.close()
    assert status == 407


def test_record_on_all_interfaces_warns_loudly(tmp_path):
    env = {**os.environ, "HARNESS_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-m", "harness", "record", "--listen-host", "0.0.0.0",
                             "--allow-client", "192.0.2.0/24", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr is not None and proc.stdout is not None
        warning = proc.stderr.readline()
        assert "proxy listens on 0.0.0.0, reachable from other machines" in warning
        assert "must authenticate as harness:" in warning and "192.0.2.0/24" in warning
        assert "proxy listening on 0.0.0.0:" in proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)


def test_bad_allow_client_is_one_line(tmp_path):
    env = {**os.environ, "HARNESS_HOME": str(tmp_path / "home")}
    proc = subprocess.run([sys.executable, "-m", "harness", "record", "--listen-host", "0.0.0.0",
                           "--allow-client", "not-an-ip"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "not-an-ip" in proc.stderr
