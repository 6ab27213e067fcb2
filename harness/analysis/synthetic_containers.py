"""Body encoders for the containers and wrappings real Android SDKs send (issue 10 item 4), used by
:data:`harness.analysis.synthetic.BODY_ENCODERS`: base64 wrapped in lines (MIME ``\\r\\n``, Android
``Base64.DEFAULT`` ``\\n``) in JSON and in form fields, multipart uploads with a gzip part, zip
archives, gRPC messages (gzip, zstd) and a gzip stream after a binary envelope header.

Each encoder takes the value and gives ``(request body, extra request headers)``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import struct
import zipfile
from collections.abc import Callable
from urllib.parse import quote_plus

import zstandard

#: incompressible filler so compressed payloads are long enough to be wrapped in several lines
FILLER = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(6))


def _doc(value: str) -> bytes:
    return json.dumps({"events": [{"aid": value, "t": 1700000000}], "pad": FILLER}).encode()


def android_base64_default(data: bytes) -> str:
    """Android ``Base64.encodeToString(data, Base64.DEFAULT)``: 76 columns, ``\\n`` after every line."""
    return base64.encodebytes(data).decode()


def mime_base64(data: bytes) -> str:
    """MIME base64 (RFC 2045): 76 columns, ``\\r\\n`` between lines."""
    return base64.encodebytes(data).decode().replace("\n", "\r\n").rstrip("\r\n")


def multipart(fields: list[tuple[str, str | None, str, bytes]], boundary: str = "----okhttp-7f3a9c") -> bytes:
    """A ``multipart/form-data`` body from (name, filename, content type, bytes)."""
    out = io.BytesIO()
    for name, filename, ctype, data in fields:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.write(f"--{boundary}\r\nContent-Disposition: {disp}\r\nContent-Type: {ctype}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


def zip_archive(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def grpc_frame(message: bytes, compressed: bool) -> bytes:
    """One gRPC Length-Prefixed-Message: compressed flag, 4-byte big-endian length, message."""
    return struct.pack(">BI", int(compressed), len(message)) + message


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _protobuf(value: str) -> bytes:
    """A protobuf message: field 1 (bytes) the JSON document carrying ``value``, field 2 (varint) 1."""
    raw = _doc(value)
    return b"\x0a" + _varint(len(raw)) + raw + b"\x10\x01"


CONTAINER_ENCODERS: dict[str, Callable[[str], tuple[bytes, list[tuple[str, str]]]]] = {
    "base64_android_default_json": lambda v: (
        json.dumps({"appkey": "k-1", "data": android_base64_default(gzip.compress(_doc(v)))}).encode(),
        [("content-type", "application/json")]),
    "base64_mime_form": lambda v: (
        f"appkey=k-1&data={quote_plus(mime_base64(gzip.compress(_doc(v))))}".encode(),
        [("content-type", "application/x-www-form-urlencoded")]),
    "multipart_gzip_part": lambda v: (
        multipart([("appkey", None, "text/plain", b"k-1"),
                   ("file", "events.json.gz", "application/gzip", gzip.compress(_doc(v)))]),
        [("content-type", "multipart/form-data; boundary=----okhttp-7f3a9c")]),
    "zip": lambda v: (zip_archive({"meta.txt": b"sdk 4.2", "events.json": _doc(v)}),
                      [("content-type", "application/zip")]),
    "grpc_gzip": lambda v: (grpc_frame(gzip.compress(_protobuf(v)), True),
                            [("content-type", "application/grpc"), ("grpc-encoding", "gzip")]),
    "grpc_zstd": lambda v: (grpc_frame(zstandard.ZstdCompressor().compress(_protobuf(v)), True),
                            [("content-type", "application/grpc+proto"), ("grpc-encoding", "zstd")]),
    "embedded_gzip": lambda v: (b"\x02SDKv1\x00" + struct.pack(">I", 7) + gzip.compress(_doc(v)),
                                [("content-type", "application/octet-stream")]),
}
