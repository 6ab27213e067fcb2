"""A TLS 1.3 client that aborts right after the handshake, byte for byte as a JDK client does.

A JDK 17 ``SSLSocket`` closed by OkHttp's ``CertificatePinner`` (the pin check runs after the
handshake) writes, in one TCP segment behind its ``Finished``, the alerts ``user_canceled`` and
``close_notify``, then sends FIN (see ``javax.net.debug=ssl:record``: "duplex close of SSLSocket").
Python's ``ssl`` cannot send ``user_canceled``, so this client runs the handshake with an
``SSLObject`` over memory BIOs, holds its ``Finished`` back, and seals the two alert records itself
with the client application traffic secret (RFC 8446 section 7: HKDF-Expand-Label, per-record
nonce = iv XOR sequence number) taken from the ``keylog_filename`` output.
"""

from __future__ import annotations

import socket
import ssl
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

ALERT_CLOSE_NOTIFY = 0
ALERT_USER_CANCELED = 90
ALERT_BAD_CERTIFICATE = 42
_APPLICATION_DATA = 0x17
_ALERT = 0x15


def _expand_label(secret: bytes, label: bytes, length: int, algorithm: hashes.HashAlgorithm) -> bytes:
    full = b"tls13 " + label
    info = struct.pack(">HB", length, len(full)) + full + b"\x00"
    return HKDFExpand(algorithm, length, info).derive(secret)


@dataclass
class RecordSealer:
    """Seals TLS 1.3 records of one direction (application traffic keys, sequence from 0)."""

    cipher: str
    secret: bytes
    seq: int = 0

    def seal(self, content_type: int, payload: bytes) -> bytes:
        algorithm: hashes.HashAlgorithm = hashes.SHA384() if self.cipher.endswith("SHA384") else hashes.SHA256()
        key_len = 16 if self.cipher == "TLS_AES_128_GCM_SHA256" else 32
        key = _expand_label(self.secret, b"key", key_len, algorithm)
        iv = _expand_label(self.secret, b"iv", 12, algorithm)
        aead = ChaCha20Poly1305(key) if "CHACHA20" in self.cipher else AESGCM(key)
        inner = payload + bytes([content_type])
        header = bytes([_APPLICATION_DATA, 3, 3]) + struct.pack(">H", len(inner) + 16)
        nonce = bytes(a ^ b for a, b in zip(iv, self.seq.to_bytes(12, "big"), strict=True))
        self.seq += 1
        return header + aead.encrypt(nonce, inner, header)

    def alert(self, description: int) -> bytes:
        """An alert record: level 1 (warning) for close_notify and user_canceled, else 2 (fatal)."""
        level = 1 if description in (ALERT_CLOSE_NOTIFY, ALERT_USER_CANCELED) else 2
        return self.seal(_ALERT, bytes([level, description]))


def connect_tunnel(proxy: tuple[str, int], host: str, port: int = 443, timeout: float = 10.0) -> socket.socket:
    """A socket with an open ``CONNECT host:port`` tunnel through an HTTP proxy."""
    sock = socket.create_connection(proxy, timeout=timeout)
    sock.sendall(f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError(f"proxy closed the connection during CONNECT: {head!r}")
        head += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        raise ConnectionError(f"CONNECT refused: {head!r}")
    return sock


def handshake_then_abort(sock: socket.socket, cafile: str | Path, server_hostname: str, *,
                         alerts: tuple[int, ...] = (ALERT_USER_CANCELED, ALERT_CLOSE_NOTIFY),
                         with_finished: bool = True, fin: bool = True) -> str:
    """Complete a TLS 1.3 handshake on ``sock``, then close it without sending a request.

    ``with_finished``: the alerts travel in the same write as the client ``Finished`` (as the
    JDK's do); else the ``Finished`` goes alone first. ``fin``: shut down the write side after
    the alerts (the caller keeps the socket to see what the proxy does). Returns the cipher suite.
    """
    ctx = ssl.create_default_context(cafile=str(cafile))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    with tempfile.TemporaryDirectory(prefix="tlsclose-") as tmp:
        keylog = Path(tmp) / "keys.log"
        ctx.keylog_filename = str(keylog)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(incoming, outgoing, server_hostname=server_hostname)
        deadline = time.monotonic() + (sock.gettimeout() or 10.0)
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                if outgoing.pending:
                    sock.sendall(outgoing.read())
                if time.monotonic() > deadline:
                    raise TimeoutError("TLS handshake through the proxy did not finish") from None
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("the proxy closed the connection during the handshake") from None
                incoming.write(data)
        finished = outgoing.read()
        secrets = {}  # NSS key log format: LABEL CLIENT_RANDOM SECRET (and '#' comments)
        for line in keylog.read_text().splitlines():
            fields = line.split()
            if len(fields) == 3 and not line.startswith("#"):
                secrets[fields[0]] = fields[2]
    cipher = tls.cipher()
    assert cipher is not None and tls.version() == "TLSv1.3", tls.version()
    sealer = RecordSealer(cipher[0], bytes.fromhex(secrets["CLIENT_TRAFFIC_SECRET_0"]))
    records = b"".join(sealer.alert(a) for a in alerts)
    if with_finished:
        sock.sendall(finished + records)
    else:
        sock.sendall(finished)
        time.sleep(0.1)
        sock.sendall(records)
    if fin:
        sock.shutdown(socket.SHUT_WR)
    return cipher[0]
