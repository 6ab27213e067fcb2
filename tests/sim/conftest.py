"""Fixtures for the virtual handset tests: a session handset attached to the adb server, local
TLS servers with their own CA, and a hosts file that names them (``*.server.test``)."""

from __future__ import annotations

import http.server
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import adbutils
import pytest

from harness.sim.android import AndroidDevice, DeviceConfig
from harness.sim.handset import HandsetConfig, VirtualHandset
from harness.testing.pki import KeyPair, make_ca, make_leaf
from harness.testing.sim import sim_device, sim_handset, sim_serial, virtual_handset  # noqa: F401
from tests.sim.adbfake import Handset, wait_state
from tests.sim.adbtools import AdbTool, available_adbs, make_tool

SERVER_NAME = "probe.server.test"
BODY = b"hello from the test server\n" * 10


@dataclass
class TlsServer:
    url: str
    ca: KeyPair
    port: int
    requests: list[str]


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def hosts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("world") / "hosts"
    path.write_text(f"127.0.0.1 {SERVER_NAME}\n")
    return path


@pytest.fixture(scope="session")
def sim_handset_config(tmp_path_factory: pytest.TempPathFactory, hosts_file: Path) -> HandsetConfig:
    return HandsetConfig(state_dir=tmp_path_factory.mktemp("handset") / "state", hosts_file=hosts_file)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[Callable[[], TlsServer]]:
    """Factory: an HTTPS server on 127.0.0.1 for ``probe.server.test`` with a fresh CA."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def make() -> TlsServer:
        ca = make_ca("Probe Test CA")
        leaf = make_leaf(ca, [SERVER_NAME, "127.0.0.1"])
        cert, key = tmp_path / f"leaf{len(servers)}.pem", tmp_path / f"leaf{len(servers)}.key"
        leaf.write(cert, key)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        httpd.requests = []  # type: ignore[attr-defined]
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        servers.append(httpd)
        port = httpd.server_address[1]
        return TlsServer(f"https://{SERVER_NAME}:{port}/probe", ca, port, httpd.requests)  # type: ignore[attr-defined]

    yield make
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture
def make_device(tmp_path: Path) -> Iterator[Callable[..., AndroidDevice]]:
    """Factory for in-process devices (no ADB daemon) with their own state folder."""
    devices: list[AndroidDevice] = []

    def make(personality: str | None = None, name: str = "dev", **kw) -> AndroidDevice:
        dev = AndroidDevice(DeviceConfig(tmp_path / name, personality=personality, **kw))
        devices.append(dev)
        return dev

    yield make
    for d in devices:
        d.close()


# ---- the ADB daemon over a fake personality, per adb binary (tests/sim/adbfake.py) -------------


@pytest.fixture(scope="module", params=available_adbs())
def adb_tool(request: pytest.FixtureRequest) -> Iterator[AdbTool]:
    """Each adb binary on this machine (bundled, Debian's), each with its own adb server."""
    tool = make_tool(request.param)
    tool.start_server()
    yield tool
    tool.stop_server()


@pytest.fixture(scope="module")
def adb_client(adb_tool: AdbTool) -> adbutils.AdbClient:
    return adbutils.AdbClient(host="127.0.0.1", port=adb_tool.port)


@pytest.fixture(scope="module")
def handset(tmp_path_factory: pytest.TempPathFactory, adb_tool: AdbTool, adb_client: adbutils.AdbClient):
    h = Handset(tmp_path_factory.mktemp("device"), adb_tool, adb_client)
    assert h.connect().returncode == 0
    wait_state(adb_client, h.serial, {"device"})
    yield h
    h.close()


@pytest.fixture
def make_handset(tmp_path: Path, adb_tool: AdbTool, adb_client: adbutils.AdbClient):
    made: list[Handset] = []

    def make(mode: str = "device", port: int = 0) -> Handset:
        h = Handset(tmp_path / f"device{len(made)}", adb_tool, adb_client, mode=mode, port=port)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


def attach(tool: AdbTool, serial: str) -> None:
    """``adb connect SERIAL`` on ``tool``'s server and wait until it shows ``device``."""
    tool("connect", serial)
    deadline = time.monotonic() + 20
    while f"{serial}\tdevice" not in tool("devices").stdout.decode():
        assert time.monotonic() < deadline, tool("devices").stdout
        time.sleep(0.1)


@pytest.fixture
def tool_serial(adb_tool: AdbTool, request: pytest.FixtureRequest) -> Iterator[tuple[AdbTool, str]]:
    """The session's handset (``sim_handset``, reset) attached to ``adb_tool``'s own adb server."""
    handset: VirtualHandset = request.getfixturevalue("sim_handset")
    attach(adb_tool, handset.serial)
    yield adb_tool, handset.serial
    if adb_tool.own_server:
        adb_tool("disconnect", handset.serial)
