"""Virtual handsets for the device-layer tests, reached only through the real adb server.

Session fixtures start one handset per kind (Android 10 MIUI with Magisk-style su, Android 14 with
the Conscrypt APEX store, an unrooted one); function fixtures reset it. Each test gets its own
HARNESS_HOME (journals) through ``home``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.device.adb import AdbServer, ensure_server
from harness.sim.handset import HandsetConfig, VirtualHandset
from harness.testing.sim import start_handset, stop_handset


@pytest.fixture(scope="session")
def adb_server() -> AdbServer:
    server = AdbServer.parse(None)
    ensure_server(server)
    return server


def _session_handset(tmp_path_factory: pytest.TempPathFactory, name: str, **kw) -> VirtualHandset:
    cfg = HandsetConfig(state_dir=tmp_path_factory.mktemp(name) / "state", **kw)
    return start_handset(cfg)


@pytest.fixture(scope="session")
def _a10(adb_server, tmp_path_factory) -> Iterator[VirtualHandset]:
    # test_apps installs lab apps: this handset allows installs outside its bundled world
    h = _session_handset(tmp_path_factory, "a10", personality="miui-android10", allow_app_install=True)
    yield h
    stop_handset(h)


@pytest.fixture(scope="session")
def _a14(adb_server, tmp_path_factory) -> Iterator[VirtualHandset]:
    h = _session_handset(tmp_path_factory, "a14", personality="android14")
    yield h
    stop_handset(h)


@pytest.fixture(scope="session")
def _noroot(adb_server, tmp_path_factory) -> Iterator[VirtualHandset]:
    h = _session_handset(tmp_path_factory, "noroot", personality="miui-android10", root="none")
    yield h
    stop_handset(h)


def _fresh(h: VirtualHandset) -> VirtualHandset:
    if h.daemon is not None and h.daemon.mode != "device":
        h.daemon.set_mode("device")
        h.connect()
    h.reset()
    return h


@pytest.fixture
def a10(_a10) -> VirtualHandset:
    return _fresh(_a10)


@pytest.fixture
def a14(_a14) -> VirtualHandset:
    return _fresh(_a14)


@pytest.fixture
def noroot(_noroot) -> VirtualHandset:
    return _fresh(_noroot)


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "harness-home"
