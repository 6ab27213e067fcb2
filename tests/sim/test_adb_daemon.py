"""The virtual handset's ADB daemon, driven by real adb binaries (the one adbutils bundles and,
when installed, Debian's older adb: see tests/sim/adbtools.py) and by adbutils, over real
loopback TCP.

Only the Android personality is faked (``tests/sim/adbfake.py``); the ADB protocol, the adb
servers and adbutils are the real ones. Under xdist the workers share the bundled adb's server,
so every test only looks at its own daemon's serial.
"""

from __future__ import annotations

import hashlib
import os
import resource
import socket
import threading
import time
from pathlib import Path

import adbutils
import pytest

from harness.errors import SimError
from harness.sim.adb import AdbDaemon
from tests.sim.adbfake import FakeBackend, wait_state

pytestmark = pytest.mark.timeout(90)


# ---- handshake ---------------------------------------------------------------------------------


def test_connect_shows_device_with_banner_props(handset):
    listing = handset.tool("devices", "-l").stdout.decode()
    line = next(ln for ln in listing.splitlines() if ln.startswith(handset.serial))
    assert line.split()[1] == "device"
    assert "product:vtest" in line and "model:Virtual_Mi_10T" in line and "device:apollo" in line


def test_only_implemented_features_are_advertised(handset):
    features = set(handset.adb("features").stdout.decode().split())
    assert {"shell_v2", "stat_v2", "ls_v2", "cmd"} <= features
    assert not features & {"delayed_ack", "abb", "sendrecv_v2"}


# ---- shell -------------------------------------------------------------------------------------


def test_shell_v2_exit_code_and_separate_stderr(handset):
    result = handset.device.shell2("echo a; fail 5", v2=True)
    assert (result.returncode, result.stdout, result.stderr) == (5, "a\n", "oops\n")
    proc = handset.adb("shell", "echo hi; fail 3")
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, b"hi\n", b"oops\n")


def test_raw_shell_merges_stderr_without_exit_code(handset):
    proc = handset.adb("shell", "-x", "echo hi; fail 3")
    assert (proc.returncode, proc.stdout) == (0, b"hi\noops\n")
    assert handset.device.shell("echo hello") == "hello"
    # adbutils' default shell2 appends "; echo X4EXIT:$?" to a raw shell
    assert handset.device.shell2("fail 7").returncode == 7


def test_shell_stdin_and_exec_out(handset):
    proc = handset.adb("shell", "cat", stdin=b"typed on the host\n")
    assert proc.stdout == b"typed on the host\n" and proc.returncode == 0
    assert handset.adb("exec-out", "echo raw").stdout == b"raw\n"


def test_host_closing_a_stream_stops_the_command(handset):
    handset.backend.streaming_stopped.clear()
    conn = handset.device.shell("yes", stream=True)
    assert conn.read(10000).startswith(b"y\ny\n")
    conn.close()
    assert handset.backend.streaming_stopped.wait(10)
    assert handset.device.shell("echo still here") == "still here"


def test_concurrent_streams(handset):
    results: dict[int, object] = {}

    def work(i: int) -> None:
        results[i] = handset.device.shell2(f"echo {i}; fail {i}", v2=True)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    blob = os.urandom(3 * 1024 * 1024)
    (handset.root / "sdcard" / "blob.bin").write_bytes(blob)
    for t in threads:
        t.start()
    pulled = handset.device.sync.read_bytes("/sdcard/blob.bin")
    for t in threads:
        t.join(30)
    assert pulled == blob
    for i in range(8):
        r = results[i]
        assert (r.returncode, r.stdout, r.stderr) == (i, f"{i}\n", "oops\n")


# ---- sync --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def test_push_pull_100mb_streams(handset, tmp_path):
    src = tmp_path / "big.bin"
    with open(src, "wb") as fh:
        for _ in range(100):
            fh.write(os.urandom(1 << 20))
    want = _sha256(src)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    push = handset.adb("push", str(src), "/data/local/tmp/big.bin", timeout=60)
    assert push.returncode == 0, push.stderr
    assert _sha256(handset.root / "data/local/tmp/big.bin") == want  # parent dirs were made
    dst = tmp_path / "pulled.bin"
    pull = handset.adb("pull", "/data/local/tmp/big.bin", str(dst), timeout=60)
    assert pull.returncode == 0, pull.stderr
    assert _sha256(dst) == want
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grown_mib < 48, f"daemon grew by {grown_mib:.0f} MiB moving 100 MiB: not streaming"


def test_sync_stat_list_and_device_errors(handset, tmp_path):
    (handset.root / "sdcard" / "a.txt").write_text("hello")
    info = handset.device.sync.stat("/sdcard/a.txt")
    assert info.size == 5 and info.mode & 0o170000 == 0o100000
    assert handset.device.sync.stat("/sdcard/missing").mode == 0
    names = {f.path for f in handset.device.sync.list("/sdcard")}
    assert {"a.txt", ".", ".."} <= names
    listing = handset.adb("ls", "/sdcard").stdout.decode()  # LIS2 (ls_v2)
    assert listing.splitlines()[-1].endswith(" a.txt") or "a.txt" in listing
    handset.device.sync.push(b"pushed by adbutils", "/sdcard/b.txt")
    assert handset.device.sync.read_text("/sdcard/b.txt") == "pushed by adbutils"

    local = tmp_path / "x.bin"
    local.write_bytes(b"x" * 200_000)
    ro = handset.adb("push", str(local), "/system/x.bin")
    # adb 36 reports it on stderr, adb 29 on stdout (as with a phone)
    assert ro.returncode != 0 and b"Read-only file system" in ro.stdout + ro.stderr
    missing = handset.adb("pull", "/sdcard/nope", str(tmp_path / "nope"))
    assert missing.returncode != 0 and b"No such file or directory" in missing.stdout + missing.stderr
    with pytest.raises(adbutils.AdbError, match="No such file or directory"):
        handset.device.sync.read_bytes("/sdcard/nope")
    # the sync service is still fine afterwards
    assert handset.device.sync.stat("/sdcard/a.txt").size == 5


# ---- reverse and forward -----------------------------------------------------------------------


class EchoServer:
    """A host loopback TCP echo server."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                client, _ = self.sock.accept()
            except TimeoutError:
                continue
            with client:
                client.settimeout(5)
                while data := client.recv(4096):
                    client.sendall(data)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def echo_server():
    server = EchoServer()
    yield server
    server.close()


def _echo_roundtrip(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(payload)
        got = b""
        while len(got) < len(payload):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        return got


def test_reverse_reaches_host_server(handset, echo_server):
    proc = handset.adb("reverse", "tcp:8080", f"tcp:{echo_server.port}")
    assert proc.returncode == 0, proc.stderr
    host_port = handset.backend.reverse[8080]
    payload = os.urandom(300_000)
    assert _echo_roundtrip(host_port, payload) == payload
    listing = handset.adb("reverse", "--list").stdout.decode()
    assert f"tcp:8080 tcp:{echo_server.port}" in listing
    assert [(r.remote, r.local) for r in handset.device.reverse_list()] == [
        ("tcp:8080", f"tcp:{echo_server.port}")
    ]
    allocated = handset.adb("reverse", "tcp:0", f"tcp:{echo_server.port}")
    assert int(allocated.stdout) in handset.backend.reverse
    assert handset.adb("reverse", "--remove", "tcp:8080").returncode == 0
    assert 8080 not in handset.backend.reverse
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", host_port), timeout=2).close()
    missing = handset.adb("reverse", "--remove", "tcp:8080")
    assert missing.returncode != 0 and b"not found" in missing.stderr
    handset.device.reverse_remove_all()
    assert handset.backend.reverse == {}


def test_forward_reaches_device_port(handset, echo_server):
    handset.backend.device_ports[7000] = echo_server.port
    proc = handset.adb("forward", "tcp:0", "tcp:7000")
    assert proc.returncode == 0, proc.stderr
    local = int(proc.stdout)
    try:
        assert _echo_roundtrip(local, b"hello device port") == b"hello device port"
        # a device port nobody listens on: the daemon refuses the stream, the host drops the client
        refused = int(handset.adb("forward", "tcp:0", "tcp:7001").stdout)
        assert _echo_roundtrip(refused, b"x") == b""
    finally:
        handset.adb("forward", "--remove-all")


# ---- modes, drops, restarts --------------------------------------------------------------------


def test_unauthorized_mode(make_handset, adb_client):
    h = make_handset(mode="unauthorized")
    h.connect()
    wait_state(adb_client, h.serial, {"unauthorized"})
    proc = h.adb("shell", "echo hi")
    assert proc.returncode != 0 and b"unauthorized" in proc.stderr


def test_drop_mid_operation_then_reconnect(make_handset, adb_client):
    h = make_handset()
    assert h.connect().returncode == 0
    wait_state(adb_client, h.serial, {"device"})
    errors: list[BaseException] = []

    def long_command() -> None:
        try:
            h.device.shell2("sleep 30", v2=True, timeout=20)
        except Exception as exc:  # adbutils raises on the dropped connection
            errors.append(exc)

    worker = threading.Thread(target=long_command)
    worker.start()
    time.sleep(0.5)
    h.daemon.set_mode("drop")  # the phone is unplugged: current connection and retries fail
    worker.join(15)
    assert not worker.is_alive() and errors, "the running command did not fail"
    wait_state(adb_client, h.serial, {"offline", None})
    h.daemon.set_mode("device", drop=False)  # plugged back in: the server's retry attaches it
    wait_state(adb_client, h.serial, {"device"}, timeout=15)
    assert h.device.shell("echo back") == "back"


def test_daemon_restart_on_same_port_reconnects(make_handset, adb_client, tmp_path):
    h = make_handset()
    assert h.connect().returncode == 0
    wait_state(adb_client, h.serial, {"device"})
    port = h.daemon.port
    h.daemon.stop()
    assert h.daemon.leaked_threads == []
    h.daemon = AdbDaemon(h.backend, port=port).start()
    assert h.daemon.wait_online(15), "adb server did not reconnect by itself"
    wait_state(adb_client, h.serial, {"device"})
    assert h.device.shell("echo restarted") == "restarted"


def test_root_and_reboot_drop_and_come_back(make_handset, adb_client):
    h = make_handset()
    assert h.connect().returncode == 0
    wait_state(adb_client, h.serial, {"device"})
    proc = h.adb("root", timeout=30)
    assert proc.returncode == 0 and b"restarting adbd as root" in proc.stdout
    assert h.backend.is_root
    assert h.adb("root").stdout == b"adbd is already running as root\n"
    assert h.adb("reboot", "bootloader").returncode == 0
    # adb returns once the service is sent; the daemon handles it on its own thread
    deadline = time.monotonic() + 10
    while not h.backend.reboots and time.monotonic() < deadline:
        time.sleep(0.05)
    assert h.backend.reboots == ["bootloader"]
    assert h.adb("wait-for-device", timeout=20).returncode == 0
    assert h.device.shell("echo up") == "up"


def test_bad_constructor_arguments():
    backend = FakeBackend(Path("/nonexistent"))
    with pytest.raises(SimError, match="emulator scan range"):
        AdbDaemon(backend, port=5555)
    with pytest.raises(SimError, match="not a loopback"):
        AdbDaemon(backend, host="0.0.0.0")
    with pytest.raises(SimError, match="unknown ADB daemon mode"):
        AdbDaemon(backend, mode="sideload")
