"""Test doubles for the ADB daemon tests: a fake Android personality, a handset on it, and a
hand-driven ADB host over a raw socket.

Only the Android personality is faked (:class:`FakeBackend`); the ADB protocol, the adb server
and adbutils are the real ones.
"""

from __future__ import annotations

import errno
import os
import shlex
import socket
import subprocess
import threading
import time
from pathlib import Path

import adbutils
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.device.adbbin import bundled_adb
from harness.sim.adb import AdbDaemon
from harness.sim.adb.auth import sign_token
from harness.sim.adb.wire import (
    A_AUTH,
    A_CNXN,
    A_VERSION,
    AUTH_SIGNATURE,
    AUTH_TOKEN,
    MAX_PAYLOAD,
    Packet,
    read_packet,
)
from harness.sim.backend import ShellIO
from tests.sim.adbtools import AdbTool

BANNER = (
    "device::ro.product.name=vtest;ro.product.model=Virtual_Mi_10T;ro.product.device=apollo;"
    "features=shell_v2,cmd,stat_v2,ls_v2,fixed_push_mkdir,abb,delayed_ack,sendrecv_v2"
)


def user_adb_key() -> Path:
    """``~/.android/adbkey`` of the test session's HOME, made with ``adb keygen`` if the adb
    server has not written it yet. The daemon trusts it; the stock adb server signs with it."""
    key = Path.home() / ".android" / "adbkey"
    if not key.exists():
        key.parent.mkdir(mode=0o700, exist_ok=True)
        subprocess.run([bundled_adb(), "keygen", str(key)], capture_output=True, timeout=30, check=True)
    return key


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


class FakeBackend:
    """Stands in for the Android personality (``harness.sim.android``, built elsewhere) so the
    protocol can be tested alone: a temp dir is the device filesystem (``/system`` read-only),
    a dict holds reverse forwards, and a few toy shell commands (``echo``, ``fail N``, ``cat``,
    ``yes``, ``sleep S``; ``;`` and ``$?``) exercise stdout, stderr, stdin, exit codes and
    streaming."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.reverse: dict[int, int] = {}
        self.device_ports: dict[int, int] = {}
        self.is_root = False
        self.reboots: list[str] = []
        self.streaming_stopped = threading.Event()

    def banner(self) -> str:
        return BANNER

    def resolve_path(self, device_path: str, *, write: bool = False) -> Path:
        if write and (device_path == "/system" or device_path.startswith("/system/")):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), device_path)
        return self.root / device_path.lstrip("/")

    def connect_device_port(self, port: int) -> socket.socket:
        if port not in self.device_ports:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        return socket.create_connection(("127.0.0.1", self.device_ports[port]), timeout=5)

    def set_reverse(self, device_port: int, host_port: int | None) -> None:
        if host_port is None:
            self.reverse.pop(device_port, None)
        else:
            self.reverse[device_port] = host_port

    def set_adb_root(self, root: bool) -> str:
        if root == self.is_root:
            return "adbd is already running as root" if root else "adbd not running as root"
        self.is_root = root
        return "restarting adbd as root" if root else "restarting adbd as non root"

    def reboot(self, target: str) -> None:
        self.reboots.append(target)

    def shell(self, command: str, io: ShellIO) -> int:
        code = 0
        for part in command.split(";"):
            part = part.strip().replace("$?", str(code))
            if part:
                code = self._run(shlex.split(part), io)
        return code

    def _run(self, argv: list[str], io: ShellIO) -> int:
        name, args = argv[0], argv[1:]
        if name == "echo":
            io.write_stdout((" ".join(args) + "\n").encode())
        elif name == "fail":
            io.write_stderr(b"oops\n")
            return int(args[0])
        elif name == "cat":
            while data := io.stdin.read(65536):
                io.write_stdout(data)
        elif name == "yes":
            while not io.closed.is_set():
                io.write_stdout(b"y\n" * 4096)
            self.streaming_stopped.set()
        elif name == "sleep":
            io.closed.wait(float(args[0]))
        else:
            io.write_stderr(f"/system/bin/sh: {name}: inaccessible or not found\n".encode())
            return 127
        return 0


def state_of(client: adbutils.AdbClient, serial: str) -> str | None:
    for info in client.list():
        if info.serial == serial:
            return info.state
    return None


def wait_state(client: adbutils.AdbClient, serial: str, states: set[str | None], timeout: float = 15) -> str | None:
    deadline = time.monotonic() + timeout
    state = state_of(client, serial)
    while state not in states and time.monotonic() < deadline:
        time.sleep(0.1)
        state = state_of(client, serial)
    assert state in states, f"{serial} is {state!r}, expected one of {states}"
    return state


class Handset:
    """A daemon over :class:`FakeBackend`, attached to the adb server of ``tool``."""

    def __init__(self, root: Path, tool: AdbTool, client: adbutils.AdbClient, mode: str = "device",
                 port: int = 0) -> None:
        self.root = root
        self.tool = tool
        self.client = client
        self.backend = FakeBackend(root)
        (root / "sdcard").mkdir(parents=True, exist_ok=True)
        (root / "system").mkdir(exist_ok=True)
        self.daemon = AdbDaemon(self.backend, port=port, mode=mode, reboot_delay=0.5).start()
        self.serial = self.daemon.serial

    def connect(self) -> subprocess.CompletedProcess:
        return self.tool("connect", self.serial)

    def adb(self, *args: str, timeout: float = 30, stdin: bytes | None = None) -> subprocess.CompletedProcess:
        """``adb -s SERIAL ARGS`` with this handset's adb binary and server."""
        return self.tool("-s", self.serial, *args, timeout=timeout, stdin=stdin)

    @property
    def device(self) -> adbutils.AdbDevice:
        return self.client.device(self.serial)

    def close(self) -> None:
        self.tool("disconnect", self.serial)
        self.daemon.stop()
        assert self.daemon.leaked_threads == []


class RawClient:
    """A hand-driven ADB host over a raw socket, for input the real adb never sends."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)

    def send(self, packet: Packet) -> None:
        self.sock.sendall(packet.encode())

    def recv(self) -> Packet:
        return read_packet(self.sock, max_payload=MAX_PAYLOAD)

    def handshake(self, key: Path | None = None) -> Packet:
        """CNXN, then answer AUTH TOKENs with signatures by ``key`` (default: the user's adb
        key, which the daemon trusts); returns the daemon's last packet (CNXN when let in)."""
        self.send(Packet(A_CNXN, A_VERSION, MAX_PAYLOAD, b"host::features=shell_v2"))
        reply = self.recv()
        if reply.command == A_AUTH and reply.arg0 == AUTH_TOKEN:
            private = load_private_key(key or user_adb_key())
            self.send(Packet(A_AUTH, AUTH_SIGNATURE, 0, sign_token(private, reply.data)))
            reply = self.recv()
        return reply

    def closed_by_peer(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


