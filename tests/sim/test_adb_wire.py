"""The daemon's wire protocol under input the real adb never sends, from a hand-driven host over
a raw socket (``tests/sim/adbfake.RawClient``, which answers AUTH with the user's adb key):
garbage, bad framing, flow control, silent and vanishing clients."""

from __future__ import annotations

import logging
import socket
import struct
import time

import pytest

from harness.sim.adb import AdbDaemon
from harness.sim.adb.wire import (
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_VERSION,
    A_WRTE,
    HEADER,
    MAX_PAYLOAD,
    Packet,
)
from tests.sim.adbfake import FakeBackend, RawClient

pytestmark = pytest.mark.timeout(90)


def test_bad_input_is_logged_and_other_clients_keep_working(handset, caplog):
    caplog.set_level(logging.INFO, logger="harness.sim.adb")
    port = handset.daemon.port

    garbage = RawClient(port)
    garbage.sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert garbage.closed_by_peer()

    wrong_magic = RawClient(port)
    wrong_magic.sock.sendall(HEADER.pack(A_CNXN, A_VERSION, MAX_PAYLOAD, 0, 0, 0x12345678))
    assert wrong_magic.closed_by_peer()

    oversized = RawClient(port)
    oversized.sock.sendall(HEADER.pack(A_WRTE, 1, 1, MAX_PAYLOAD + 1, 0, A_WRTE ^ 0xFFFFFFFF))
    assert oversized.closed_by_peer()

    bad_sum = RawClient(port)
    bad_sum.sock.sendall(HEADER.pack(A_CNXN, A_VERSION, MAX_PAYLOAD, 4, 999, A_CNXN ^ 0xFFFFFFFF) + b"host")
    assert bad_sum.closed_by_peer()

    client = RawClient(port)
    reply = client.handshake()
    assert reply.command == A_CNXN and reply.data.startswith(b"device::")
    client.sock.sendall(HEADER.pack(0x41414141, 0, 0, 3, 0, 0x41414141 ^ 0xFFFFFFFF) + b"???")  # unknown command
    client.send(Packet(A_OPEN, 7, 0, b"frobnicate:now\0"))  # unknown service
    refused = client.recv()
    assert (refused.command, refused.arg0, refused.arg1) == (A_CLSE, 0, 7)
    client.send(Packet(A_OPEN, 8, 0, b"shell,v2,raw:echo raw-ok\0"))  # same connection still serves
    okay = client.recv()
    assert okay.command == A_OKAY and okay.arg1 == 8
    out = b""
    while True:
        p = client.recv()
        if p.command == A_WRTE:
            out += p.data
            client.send(Packet(A_OKAY, 8, p.arg0))
        elif p.command == A_CLSE:
            break
    assert out.startswith(struct.pack("<BI", 1, 7) + b"raw-ok\n")
    assert out.endswith(struct.pack("<BI", 3, 1) + b"\x00")

    # a client that vanishes mid-stream: its command is stopped
    handset.backend.streaming_stopped.clear()
    client.send(Packet(A_OPEN, 9, 0, b"shell:yes\0"))
    assert client.recv().command == A_OKAY
    client.sock.shutdown(socket.SHUT_RDWR)
    client.close()
    assert handset.backend.streaming_stopped.wait(10)

    for c in (garbage, wrong_magic, oversized, bad_sum):
        c.close()
    messages = " | ".join(r.getMessage() for r in caplog.records)
    for reason in ("wrong magic", "exceeds maxdata", "checksum", "unsupported command", "unknown service"):
        assert reason in messages
    # the real adb server's connection was never disturbed
    assert handset.device.shell2("echo fine", v2=True).stdout == "fine\n"


def test_flow_control_on_the_wire(handset):
    client = RawClient(handset.daemon.port)
    client.handshake()
    # device -> host: one WRTE in flight until the host's OKAY
    client.send(Packet(A_OPEN, 21, 0, b"shell:yes\0"))
    okay = client.recv()
    assert okay.command == A_OKAY
    first = client.recv()
    assert first.command == A_WRTE and first.arg1 == 21
    client.sock.settimeout(0.5)
    with pytest.raises(TimeoutError):
        client.recv()  # nothing more without an OKAY
    client.sock.settimeout(5)
    client.send(Packet(A_OKAY, 21, okay.arg0))
    assert client.recv().command == A_WRTE
    client.send(Packet(A_CLSE, 21, okay.arg0))  # host closes: the command stops
    # host -> device: every WRTE is acknowledged with OKAY
    client.send(Packet(A_OPEN, 22, 0, b"exec:cat\0"))
    cat = client.recv()
    while cat.command != A_OKAY or cat.arg1 != 22:  # skip the tail of the yes stream
        cat = client.recv()
    seen = []
    for i in range(3):
        client.send(Packet(A_WRTE, 22, cat.arg0, f"line {i}\n".encode()))
        got: dict[int, bytes] = {}
        while A_OKAY not in got or A_WRTE not in got:
            p = client.recv()
            if p.arg1 == 22:
                got[p.command] = p.data
        client.send(Packet(A_OKAY, 22, cat.arg0))
        seen.append(got[A_WRTE])
    assert seen == [b"line 0\n", b"line 1\n", b"line 2\n"]
    client.send(Packet(A_CLSE, 22, cat.arg0))
    client.close()


def test_silent_client_times_out_and_interrupted_push_leaves_no_file(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="harness.sim.adb")
    backend = FakeBackend(tmp_path)
    with AdbDaemon(backend, handshake_timeout=0.5) as daemon:
        silent = RawClient(daemon.port)
        assert silent.closed_by_peer()  # no CNXN within the handshake timeout
        silent.close()

        client = RawClient(daemon.port)
        client.handshake()
        client.send(Packet(A_OPEN, 5, 0, b"sync:\0"))
        okay = client.recv()
        path = b"/sdcard/partial.bin,33188"
        chunk = b"x" * 60000
        request = b"SEND" + struct.pack("<I", len(path)) + path + b"DATA" + struct.pack("<I", len(chunk)) + chunk
        client.send(Packet(A_WRTE, 5, okay.arg0, request))
        assert client.recv().command == A_OKAY  # the daemon took the data
        deadline = time.monotonic() + 5
        while not (tmp_path / "sdcard/partial.bin").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (tmp_path / "sdcard/partial.bin").exists()
        client.sock.close()  # the host vanishes mid-transfer
        deadline = time.monotonic() + 5
        while (tmp_path / "sdcard/partial.bin").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not (tmp_path / "sdcard/partial.bin").exists()
    assert daemon.leaked_threads == []
    assert "no CNXN within 0.5 s" in caplog.text
