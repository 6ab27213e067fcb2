"""Capture-layer fixtures: real HTTPS servers (session) and a real in-process proxy (per module)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from harness.capture import FlowRecord
from harness.capture.session import CaptureSession
from harness.testing.servers import TestPKI, TestServer


class Killer:
    """Test addon: kills every request whose path contains ``/kill`` (a real ``flow.kill()``)."""

    def request(self, flow) -> None:
        if "/kill" in flow.request.path:
            flow.kill()


class Resolver:
    """Test addon like the virtual world's: ``*.test`` names go to a loopback server; flows keep
    their host name while the proxy connects to the loopback address."""

    def __init__(self) -> None:
        self.target: tuple[str, int] | None = None

    def server_connect(self, data) -> None:
        if self.target and data.server.address and str(data.server.address[0]).endswith(".test"):
            data.server.address = self.target


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> TestPKI:
    return TestPKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def h1_server(pki) -> Iterator[TestServer]:
    with TestServer(pki, http2=False) as server:
        yield server


@pytest.fixture(scope="session")
def h2_server(pki) -> Iterator[TestServer]:
    with TestServer(pki, http2=True) as server:
        yield server


@pytest.fixture(scope="module")
def capture(pki, h2_server, tmp_path_factory) -> Iterator[CaptureSession]:
    """One recording proxy per test module (mitmproxy allows one master per process)."""
    root = tmp_path_factory.mktemp("capture")
    resolver = Resolver()
    resolver.target = ("127.0.0.1", h2_server.port)
    session = CaptureSession(
        root / "run", confdir=root / "ca", addons=[Killer(), resolver],
        options={"ssl_verify_upstream_trusted_ca": str(pki.ca_cert)},
    ).start()
    yield session
    session.stop()


class Recorded:
    """Flows recorded since a mark: ``wait(n)`` waits (bounded) until n new flows are in the store."""

    def __init__(self, session: CaptureSession) -> None:
        assert session.store is not None
        self.session = session
        self.store = session.store
        self.since = self.store.count_flows() if not session.recorder else session.recorder.recorded

    def wait(self, n: int, timeout: float = 10.0, settle: float = 0.2) -> list[FlowRecord]:
        rec = self.session.recorder
        assert rec is not None
        deadline = time.monotonic() + timeout
        while rec.recorded - self.since < n and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(settle)  # let a surplus flow show up, so counts are exact
        self.session.flush()
        flows = [f for f in self.store.iter_flows() if f.seq is not None and f.seq > self.since]
        return flows


@pytest.fixture
def recorded(capture) -> Recorded:
    capture.timeline.end()
    return Recorded(capture)
