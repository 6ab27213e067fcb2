"""Reading mitmproxy's flow file format (tnetstrings) without trusting a length prefix.

``mitmproxy.io.tnetstring.load`` reads as many bytes as a record's prefix announces: a 13-byte
file announcing a terabyte record allocates a terabyte (issue 12). :func:`read_tnetstring` checks
the prefix against what is left of the file first; the parsing of the record itself is
mitmproxy's own (``tnetstring.parse``).
"""

from __future__ import annotations

from typing import Any, BinaryIO

from mitmproxy.io import tnetstring


def read_tnetstring(fh: BinaryIO, size: int) -> Any:
    """One tnetstring from ``fh`` (mitmproxy's format); ``EOFError`` at a clean end of file.

    Unlike ``mitmproxy.io.tnetstring.load`` the length prefix is never trusted beyond what is left
    of the file (``size`` bytes in all): a prefix announcing more is a torn record (``ValueError``),
    so a 13-byte file announcing a terabyte allocates nothing.
    """
    prefix = b""
    while True:
        c = fh.read(1)
        if not c:
            if prefix:
                raise ValueError("not a tnetstring: file ends inside a length prefix")
            raise EOFError
        if c == b":":
            break
        if not c.isdigit() or len(prefix) >= 12:
            raise ValueError("not a tnetstring: missing or invalid length prefix")
        prefix += c
    if not prefix:
        raise ValueError("not a tnetstring: missing length prefix")
    length = int(prefix)
    left = size - fh.tell()
    if length + 1 > left:
        raise ValueError(f"torn record: its prefix announces {length} bytes, {max(left - 1, 0)} are left")
    data = fh.read(length)
    tag = fh.read(1)
    if len(data) != length or not tag:
        raise ValueError("torn record: the file ended inside it")
    return tnetstring.parse(tag[0], memoryview(data))
