"""The daemon's resources stay bounded whatever a client sends (issue 12, item 7): memory under
writes that ignore flow control, threads under a flood of OPENs, and the stack under deep paths.
These measure (bytes accepted, queue lengths, thread counts, peak RSS), they do not time."""

from __future__ import annotations

import resource
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.sim.adb import AdbDaemon
from harness.sim.adb.wire import A_CLSE, A_CNXN, A_OKAY, A_OPEN, A_WRTE, MAX_PAYLOAD, Packet
from harness.sim.android import AndroidDevice, DeviceConfig
from harness.sim.hostfs import remove_tree
from tests.sim.adbfake import FakeBackend, RawClient

pytestmark = pytest.mark.timeout(120)

MIB = 1024 * 1024


@pytest.fixture
def daemon(tmp_path: Path):
    (tmp_path / "sdcard").mkdir()
    with AdbDaemon(FakeBackend(tmp_path), max_streams=32) as d:
        yield d
    assert d.leaked_threads == []


def test_writes_without_acknowledgement_do_not_pile_up(daemon):
    client = RawClient(daemon.port)
    client.handshake()
    client.send(Packet(A_OPEN, 1, 0, b"exec:sleep 60\0"))  # a command that never reads stdin
    okay = client.recv()
    assert okay.command == A_OKAY
    chunk = Packet(A_WRTE, 1, okay.arg0, b"\xaa" * MAX_PAYLOAD).encode()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    sent = 0
    client.sock.settimeout(3.0)  # a full socket buffer: the daemon stopped reading from us
    try:
        while sent < 256 * MIB:
            client.sock.sendall(chunk)
            sent += len(chunk)
    except TimeoutError:
        pass
    stream = daemon_stream(daemon)
    assert len(stream._inbound) <= 1  # one outstanding write per stream, as adbd
    assert sent < 32 * MIB, f"the daemon took {sent // MIB} MiB it had not acknowledged"
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    assert grown < 64 * MIB
    client.close()


def daemon_stream(daemon: AdbDaemon):
    conns = list(daemon._connections)
    assert len(conns) == 1
    streams = list(conns[0]._streams.values())
    assert len(streams) == 1
    return streams[0]


def test_connection_flood_is_capped(tmp_path):
    with AdbDaemon(FakeBackend(tmp_path), max_connections=8) as d:
        threads_before = threading.active_count()
        clients = [RawClient(d.port) for _ in range(40)]
        served = [c for c in clients if not _closed_at_once(c)]
        assert len(served) <= 8 and threading.active_count() - threads_before <= 8
        for c in clients:
            c.close()
    assert d.leaked_threads == []


def _closed_at_once(client: RawClient) -> bool:
    """Refused connections are closed before any CNXN; served ones answer it (and AUTH)."""
    try:
        return client.handshake().command not in (A_CNXN,)
    except (ConnectionError, OSError):
        return True


def test_open_flood_is_capped(daemon):
    client = RawClient(daemon.port)
    client.handshake()
    threads_before = threading.active_count()
    for i in range(1, 1501):
        client.send(Packet(A_OPEN, i, 0, b"exec:sleep 60\0"))
    answers = {A_OKAY: 0, A_CLSE: 0}
    for _ in range(1500):
        p = client.recv()
        answers[p.command] = answers.get(p.command, 0) + 1
    assert answers[A_OKAY] <= daemon.max_streams and answers[A_CLSE] >= 1500 - daemon.max_streams
    assert threading.active_count() - threads_before <= daemon.max_streams + 4
    client.sock.shutdown(socket.SHUT_RDWR)
    client.close()


@pytest.fixture
def deep_device() -> Iterator[AndroidDevice]:
    """A device in a temp folder outside pytest's basetemp (whose clean-up recurses and would
    choke on a 2 000-deep tree), removed without recursion however the test ends."""
    folder = Path(tempfile.mkdtemp(prefix="vsim-deep-"))
    device = AndroidDevice(DeviceConfig(folder / "s"))
    try:
        yield device
    finally:
        device.close()
        remove_tree(folder)


def test_deep_paths_do_not_recurse(deep_device):
    device = deep_device
    deep = "/data/local/tmp/" + "/".join(["d"] * 2000)
    code, out, err = device.run(f"mkdir -p {deep}")
    # made, or ended by the host's PATH_MAX as toybox would be; never a RecursionError
    assert (code, err) == (0, "") or (code == 1 and "File name too long" in err), err[:300]
    code, _, err = device.run("rm -rf /data/local/tmp/d")
    assert code == 0, err
    fits = "/data/local/tmp/" + "/".join(["e"] * 200)
    assert device.run(f"mkdir -p {fits}")[0] == 0
    assert device.run("cp -r /data/local/tmp/e /data/local/tmp/f")[0] == 0
    assert device.run("chmod -R 700 /data/local/tmp/f")[0] == 0
    assert device.run("rm -rf /data/local/tmp/e /data/local/tmp/f")[0] == 0
    assert device.run("ls /data/local/tmp")[1] == ""
