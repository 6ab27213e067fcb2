"""The daemon as an ADB client that talks to adbd directly sees it: ``adb-shell`` (PyPI, a
pure-Python ADB host with no adb server in between). Such clients wait for the device's CLSE
after closing a stream, so every sync operation timed out while the daemon kept silent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from adb_shell.adb_device import AdbDeviceTcp
from adb_shell.auth.sign_cryptography import CryptographySigner

from harness.sim.adb import AdbDaemon
from tests.sim.adbfake import FakeBackend, user_adb_key

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def direct(tmp_path: Path):
    root = tmp_path / "device"
    (root / "sdcard").mkdir(parents=True)
    (root / "system").mkdir()
    backend = FakeBackend(root)
    with AdbDaemon(backend) as daemon:
        client = AdbDeviceTcp("127.0.0.1", daemon.port, default_transport_timeout_s=5.0)
        # the key the stock adb server uses too: the daemon trusts the starting user's key
        assert client.connect(rsa_keys=[CryptographySigner(str(user_adb_key()))], auth_timeout_s=5.0)
        yield client, root
        client.close()
    assert daemon.leaked_threads == []


def test_push_pull_list_stat_shell_without_timeouts(direct, tmp_path):
    client, root = direct
    payload = os.urandom(300_000)
    local = tmp_path / "in.bin"
    local.write_bytes(payload)
    # short read timeouts: a daemon that never answers CLSE fails each call here
    client.push(str(local), "/sdcard/in.bin", read_timeout_s=3)
    assert (root / "sdcard/in.bin").read_bytes() == payload
    out = tmp_path / "out.bin"
    client.pull("/sdcard/in.bin", str(out), read_timeout_s=3)
    assert out.read_bytes() == payload
    names = {bytes(entry.filename) for entry in client.list("/sdcard", read_timeout_s=3)}
    assert {b"in.bin", b".", b".."} <= names
    mode, size, _mtime = client.stat("/sdcard/in.bin", read_timeout_s=3)
    assert size == len(payload) and mode & 0o170000 == 0o100000
    assert client.shell("echo hello", read_timeout_s=3) == "hello\n"
    # the same connection keeps serving after every close
    for i in range(5):
        assert client.shell(f"echo {i}", read_timeout_s=3) == f"{i}\n"
