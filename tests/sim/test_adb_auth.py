"""The daemon's ADB AUTH handshake: only hosts that sign the token with a trusted key get in.

Attack model (issue 11, item 1): another local user connects to the handset's loopback port with
their own adb (their own key) or a hand-written client, or replays the victim's public key."""

from __future__ import annotations

import logging
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.device.adbbin import bundled_adb
from harness.sim.adb import AdbDaemon
from harness.sim.adb.auth import AdbKeyError, TrustedKeys, decode_pubkey, encode_pubkey, load_key_file
from harness.sim.adb.wire import A_AUTH, A_CNXN, AUTH_RSAPUBLICKEY, AUTH_SIGNATURE, AUTH_TOKEN, Packet
from tests.sim.adbfake import FakeBackend, RawClient, user_adb_key

pytestmark = pytest.mark.timeout(60)


def _new_key(folder: Path, name: str) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = folder / name
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    (folder / f"{name}.pub").write_text(encode_pubkey(key.public_key()) + " mallory@elsewhere\n")
    return path


@pytest.fixture
def daemon(tmp_path: Path):
    (tmp_path / "sdcard").mkdir()
    with AdbDaemon(FakeBackend(tmp_path)) as d:
        yield d
    assert d.leaked_threads == []


def test_our_key_encoding_is_adbs():
    """adb keygen writes ``adbkey.pub``; encoding the private key's public half gives the same."""
    key = user_adb_key()
    written = (key.parent / "adbkey.pub").read_text().split()[0]
    assert encode_pubkey(load_key_file(key)) == written
    assert decode_pubkey(written).public_numbers() == load_key_file(key).public_numbers()
    with pytest.raises(AdbKeyError):
        decode_pubkey("bm90IGEga2V5")


def test_user_key_gets_in_other_keys_do_not(daemon, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="harness.sim.adb")
    good = RawClient(daemon.port)
    assert good.handshake().command == A_CNXN
    good.close()

    mallory = _new_key(tmp_path, "mallory")
    bad = RawClient(daemon.port)
    reply = bad.handshake(key=mallory)
    assert (reply.command, reply.arg0) == (A_AUTH, AUTH_TOKEN)  # a new token: try another key
    # replaying the victim's *public* key is not enough: a public key proves nothing
    victim_pub = (user_adb_key().parent / "adbkey.pub").read_bytes()
    bad.send(Packet(A_AUTH, AUTH_RSAPUBLICKEY, 0, victim_pub + b"\0"))
    bad.send(Packet(A_AUTH, AUTH_SIGNATURE, 0, os.urandom(256)))
    reply = bad.recv()  # processed in order: no CNXN came for the public key
    assert (reply.command, reply.arg0) == (A_AUTH, AUTH_TOKEN)
    assert daemon.online_connections() == 0
    bad.close()
    assert "without signing with it" in caplog.text


def test_signature_attempts_are_capped(daemon):
    client = RawClient(daemon.port)
    client.send(Packet(A_CNXN, 0x01000001, 4096, b"host::"))
    token = client.recv()
    assert token.command == A_AUTH
    tokens = 0
    for _ in range(16):
        client.send(Packet(A_AUTH, AUTH_SIGNATURE, 0, os.urandom(256)))
    with pytest.raises(ConnectionError):
        while True:
            assert client.recv().command == A_AUTH
            tokens += 1
    assert tokens == 15  # a new token after each of the first 15 bad signatures, then closed


def test_explicit_key_and_insecure(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="harness.sim.adb")
    lab = _new_key(tmp_path, "lab")
    backend = FakeBackend(tmp_path)
    with AdbDaemon(backend, trusted_keys=TrustedKeys(files=(tmp_path / "lab.pub",), user_keys=False)) as d:
        assert RawClient(d.port).handshake(key=lab).command == A_CNXN
        assert RawClient(d.port).handshake().command == A_AUTH  # the user's key is not trusted here
    with AdbDaemon(backend, insecure=True) as d:
        client = RawClient(d.port)
        client.send(Packet(A_CNXN, 0x01000001, 4096, b"host::"))
        assert client.recv().command == A_CNXN
        client.close()
    assert "INSECURE" in caplog.text
    (tmp_path / "junk.pub").write_text("not a key\n")
    with pytest.raises(AdbKeyError, match="junk.pub"):
        TrustedKeys(files=(tmp_path / "junk.pub",))


def test_another_users_adb_server_sees_unauthorized(daemon, tmp_path):
    """A second local user's adb (its own HOME, hence its own key) cannot use the handset."""
    home = tmp_path / "other-home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    port = str(_free_port())

    def other_adb(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([bundled_adb(), "-P", port, *args], env=env, capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL)

    try:
        other_adb("connect", daemon.serial)
        deadline = time.monotonic() + 15
        while f"{daemon.serial}\tunauthorized" not in other_adb("devices").stdout:
            assert time.monotonic() < deadline, other_adb("devices").stdout
            time.sleep(0.1)
        proc = other_adb("-s", daemon.serial, "shell", "echo hi")
        assert proc.returncode != 0 and "unauthorized" in proc.stdout + proc.stderr
        assert "hi" not in proc.stdout
        assert daemon.online_connections() == 0
        assert daemon.refused_keys  # what the handset's connect() names when it cannot attach
    finally:
        other_adb("kill-server")


def test_attaching_through_another_users_adb_server_names_the_cause(tmp_path, monkeypatch):
    """`harness sim start` / a lab on an adb server started under another HOME: one error naming the
    untrusted key and the fix (an adb server of one's own), not "did not attach"."""
    from harness.errors import DeviceNotFound
    from harness.sim.handset import HandsetConfig
    from harness.testing.sim import start_handset, stop_handset

    home = tmp_path / "other-home"
    home.mkdir()
    port = str(_free_port())
    env = {**os.environ, "HOME": str(home)}
    subprocess.run([bundled_adb(), "-P", port, "start-server"], env=env, capture_output=True, timeout=30,
                   stdin=subprocess.DEVNULL, check=True)
    handset = start_handset(HandsetConfig(state_dir=tmp_path / "phone"), connect=False)
    try:
        monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", port)
        with pytest.raises(DeviceNotFound) as err:
            handset.connect(timeout=8)
        assert f"adb server on port {port} signs with an adb key the virtual handset does not trust" in err.value.reason
        assert "ANDROID_ADB_SERVER_PORT" in (err.value.fix or "")
    finally:
        stop_handset(handset)
        subprocess.run([bundled_adb(), "-P", port, "kill-server"], env=env, capture_output=True, timeout=30,
                       stdin=subprocess.DEVNULL)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to become 'nobody'")
def test_unprivileged_local_user_cannot_use_the_handset(daemon, tmp_path):
    """The attack of issue 11 item 1: another local user (here ``nobody``, via setpriv) runs their
    own adb against the handset's loopback port. They get ``unauthorized``, never a shell."""
    home = Path(tempfile.mkdtemp(prefix="nobody-home-"))
    nobody = pwd.getpwnam("nobody")
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    port = str(_free_port())
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}

    def as_nobody(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
                               bundled_adb(), "-P", port, *args], env=env, capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL)

    try:
        as_nobody("connect", daemon.serial)
        deadline = time.monotonic() + 15
        while f"{daemon.serial}\tunauthorized" not in as_nobody("devices").stdout:
            assert time.monotonic() < deadline, as_nobody("devices").stdout
            time.sleep(0.1)
        proc = as_nobody("-s", daemon.serial, "shell", "id")
        assert proc.returncode != 0 and "uid=" not in proc.stdout
        assert daemon.online_connections() == 0
    finally:
        as_nobody("kill-server")
        subprocess.run(["rm", "-rf", str(home)], check=False)
