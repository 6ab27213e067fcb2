"""Containers and framings inside a payload: multipart bodies, zip archives, gRPC messages and
compressed streams that do not start the payload. Each gives the parts to decode further
(:mod:`harness.analysis.decode`), bounded.

- **multipart** (RFC 7578 ``multipart/form-data``, RFC 2046 ``multipart/*``): parsed with the
  standard library's ``email`` parser; each part's ``Content-Transfer-Encoding`` (base64,
  quoted-printable) is undone by it, and its ``Content-Type`` / ``Content-Encoding`` are kept.
- **zip** (PKWARE APPNOTE): the standard library's ``zipfile``; each member read through its
  stream with an output cap (a zip bomb gives bounded output); encrypted members are skipped.
- **gRPC** (gRPC over HTTP/2, "Length-Prefixed-Message"): a 1-byte compressed flag, a 4-byte
  big-endian length, the message; a compressed message uses the ``grpc-encoding`` header's
  method. gRPC-Web frames are the same, with the flag's top bit marking trailers.
- **embedded compression**: a gzip member or zstd frame starting after other bytes (a custom
  binary envelope), found by its magic number; at most :data:`MAX_EMBEDDED` are tried.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import re
import struct
import zipfile
from dataclasses import dataclass

#: parts / members / messages / embedded streams taken from one container
MAX_PARTS = 64
#: embedded compressed streams tried per payload
MAX_EMBEDDED = 8
_GZIP_MAGIC = b"\x1f\x8b\x08"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_BOUNDARY_LINE = re.compile(rb"--([0-9A-Za-z'()+_,./:=?-]{1,70})\r?\n")


@dataclass(frozen=True)
class Part:
    """One piece of a container: its bytes, a name for the chain, and what its headers say."""

    data: bytes
    #: chain element: ``multipart``, ``zip``, ``grpc``, ``embedded``
    kind: str
    content_type: str = ""
    #: compression to undo first (``Content-Encoding`` of a part, ``grpc-encoding`` of a message)
    encoding: str | None = None
    #: the part was cut (a torn gRPC message)
    cut: bool = False


def _boundary(data: bytes, content_type: str) -> bytes | None:
    m = re.search(r'boundary="?([^";,]{1,70})"?', content_type, re.IGNORECASE)
    if m:
        return m.group(1).encode("latin-1", "replace")
    first = _BOUNDARY_LINE.match(data)
    if first and b"--" + first.group(1) + b"--" in data:
        return first.group(1)
    return None


def multipart_parts(data: bytes, content_type: str = "") -> list[Part] | None:
    """The parts of a multipart body (boundary from ``content_type`` or the body's first line);
    None when ``data`` is not multipart."""
    if "multipart/" not in content_type.lower() and not data.startswith(b"--"):
        return None
    boundary = _boundary(data, content_type)
    if boundary is None or b"--" + boundary not in data:
        return None
    head = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
    if not msg.is_multipart():
        return None
    parts: list[Part] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload:
            continue
        parts.append(Part(payload, "multipart", part.get_content_type(),
                          (part.get("Content-Encoding") or "").strip().lower() or None))
        if len(parts) >= MAX_PARTS:
            break
    return parts or None


def is_zip(data: bytes) -> bool:
    """A zip archive: a local file header at the start, or (an archive after other bytes, which
    ``zipfile`` reads from its end) an end-of-central-directory record in the last 64 KiB + 22
    bytes and a local file header before it."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return True
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    return end > 0 and data.find(b"PK\x03\x04", 0, end) >= 0


def zip_members(data: bytes, cap: int, total: int | None = None) -> tuple[list[Part], bool]:
    """The members of a zip archive, each read to at most ``cap`` bytes and all together to at most
    ``total`` (default ``4 * cap``), so many bombs in one archive stay bounded too. Returns (parts,
    bounded)."""
    parts: list[Part] = []
    bounded = False
    left = 4 * cap if total is None else total
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist()[:MAX_PARTS]:
                if info.is_dir() or info.flag_bits & 0x1:  # a folder, or an encrypted member
                    continue
                if left <= 0:
                    bounded = True
                    break
                limit = min(cap, left)
                try:
                    with zf.open(info) as fh:
                        out = fh.read(limit + 1)
                except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
                    continue  # an unsupported method (e.g. deflate64) or a damaged member
                if len(out) > limit:
                    out, bounded = out[:limit], True
                left -= len(out)
                parts.append(Part(out, "zip", info.filename))
            bounded |= len(zf.infolist()) > MAX_PARTS
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return [], False
    return parts, bounded


def grpc_messages(data: bytes, grpc_encoding: str | None = None, *, sniffed: bool = False) -> list[Part] | None:
    """The messages of a gRPC (or gRPC-Web) body; None unless the 5-byte prefixes frame the whole
    body. With a gRPC content type the last message may be cut (a torn recording); when the framing
    is only ``sniffed`` (no content type) it must be exact."""
    parts: list[Part] = []
    pos = 0
    encoding = (grpc_encoding or "").strip().lower() or None
    while pos < len(data):
        if len(parts) >= MAX_PARTS:
            return parts
        if len(data) - pos < 5:
            return None
        flag = data[pos]
        if flag & 0x7E:  # only bit 0 (compressed) and bit 7 (gRPC-Web trailers) are defined
            return None
        (length,) = struct.unpack_from(">I", data, pos + 1)
        body = data[pos + 5 : pos + 5 + length]
        cut = len(body) < length
        if cut and sniffed:
            return None
        if not flag & 0x80:  # trailers carry no message
            compressed = bool(flag & 1) and encoding not in (None, "identity")
            parts.append(Part(body, "grpc", "application/grpc", encoding if compressed else None, cut=cut))
        pos += 5 + length
    return parts or None


def embedded_streams(data: bytes) -> list[tuple[int, str]]:
    """Offsets (> 0) where a gzip member or a zstd frame starts inside ``data``, at most
    :data:`MAX_EMBEDDED`, found with ``bytes.find`` (linear)."""
    found: list[tuple[int, str]] = []
    for magic, method in ((_GZIP_MAGIC, "gzip"), (_ZSTD_MAGIC, "zstd")):
        pos = data.find(magic, 1)
        while pos > 0 and len(found) < MAX_EMBEDDED:
            found.append((pos, method))
            pos = data.find(magic, pos + 1)
    return sorted(found)[:MAX_EMBEDDED]
