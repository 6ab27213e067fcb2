"""The ADB transport wire format: 24-byte little-endian headers followed by a payload.

Header fields: ``command, arg0, arg1, data_length, data_crc32, magic``. ``data_crc32`` is not a
CRC but the byte sum of the payload; peers at protocol version ``A_VERSION_SKIP_CHECKSUM`` or
later send 0 there. ``magic`` is ``command ^ 0xffffffff``.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from harness.errors import SimError

A_SYNC = 0x434E5953
A_CNXN = 0x4E584E43
A_OPEN = 0x4E45504F
A_OKAY = 0x59414B4F
A_CLSE = 0x45534C43
A_WRTE = 0x45545257
A_AUTH = 0x48545541
A_STLS = 0x534C5453

COMMAND_NAMES = {
    A_SYNC: "SYNC",
    A_CNXN: "CNXN",
    A_OPEN: "OPEN",
    A_OKAY: "OKAY",
    A_CLSE: "CLSE",
    A_WRTE: "WRTE",
    A_AUTH: "AUTH",
    A_STLS: "STLS",
}

A_VERSION_MIN = 0x01000000
A_VERSION_SKIP_CHECKSUM = 0x01000001
A_VERSION = A_VERSION_SKIP_CHECKSUM

#: Largest payload this daemon accepts (and advertises in its CNXN).
MAX_PAYLOAD = 256 * 1024
#: CNXN and AUTH packets are limited to this before the peer's limit is known.
MAX_PAYLOAD_V1 = 4 * 1024

AUTH_TOKEN = 1
AUTH_SIGNATURE = 2
AUTH_RSAPUBLICKEY = 3
AUTH_TOKEN_SIZE = 20

HEADER = struct.Struct("<6I")
HEADER_SIZE = HEADER.size  # 24


class AdbProtocolError(SimError):
    """The peer sent something that is not valid ADB transport protocol."""


def checksum(data: bytes) -> int:
    """The ``data_crc32`` header field: the byte sum of the payload."""
    return sum(data) & 0xFFFFFFFF


def command_name(command: int) -> str:
    return COMMAND_NAMES.get(command, f"0x{command:08x}")


@dataclass(frozen=True)
class Packet:
    command: int
    arg0: int
    arg1: int
    data: bytes = b""

    def encode(self, *, with_checksum: bool = True) -> bytes:
        crc = checksum(self.data) if with_checksum else 0
        header = HEADER.pack(
            self.command, self.arg0, self.arg1, len(self.data), crc, self.command ^ 0xFFFFFFFF
        )
        return header + self.data

    def __str__(self) -> str:
        return f"{command_name(self.command)}({self.arg0:#x}, {self.arg1:#x}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class Header:
    command: int
    arg0: int
    arg1: int
    data_length: int
    data_check: int
    magic: int


def parse_header(raw: bytes, *, max_payload: int) -> Header:
    """Decode and validate a 24-byte header; raises :class:`AdbProtocolError` on bad framing."""
    if len(raw) != HEADER_SIZE:
        raise AdbProtocolError(f"short header: {len(raw)} of {HEADER_SIZE} bytes")
    header = Header(*HEADER.unpack(raw))
    if header.magic != header.command ^ 0xFFFFFFFF:
        raise AdbProtocolError(
            f"wrong magic {header.magic:#010x} for command {header.command:#010x}",
            fix="the peer is not speaking the ADB transport protocol",
        )
    if header.data_length > max_payload:
        raise AdbProtocolError(
            f"{command_name(header.command)} payload of {header.data_length} bytes exceeds "
            f"maxdata {max_payload}"
        )
    return header


def recv_exact(sock: socket.socket, n: int) -> bytes:
    """Read exactly ``n`` bytes; raises ``ConnectionError`` if the peer closes first."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise ConnectionError(f"peer closed the connection after {got} of {n} bytes")
        got += k
    return bytes(buf)


def read_packet(sock: socket.socket, *, max_payload: int) -> Packet:
    """Read one packet. A zero ``data_crc32`` is always accepted: peers at
    ``A_VERSION_SKIP_CHECKSUM`` send 0, and the adb server keeps doing so when it reconnects
    (its first CNXN then carries 0 too). A non-zero one must match the payload."""
    header = parse_header(recv_exact(sock, HEADER_SIZE), max_payload=max_payload)
    data = recv_exact(sock, header.data_length) if header.data_length else b""
    if header.data_length and header.data_check != 0:
        actual = checksum(data)
        if actual != header.data_check:
            raise AdbProtocolError(
                f"{command_name(header.command)} checksum {header.data_check:#x} does not match "
                f"payload sum {actual:#x}"
            )
    return Packet(header.command, header.arg0, header.arg1, data)
