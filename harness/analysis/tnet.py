"""Reading mitmproxy's flow file format (tnetstrings) without trusting a length prefix, fast.

``mitmproxy.io.tnetstring.load`` reads as many bytes as a record's prefix announces: a 13-byte
file announcing a terabyte record allocates a terabyte (issue 12). :func:`read_tnetstring` checks
the prefix against what is left of the file first.

The record itself is parsed by :func:`parse`, which gives the same values as mitmproxy's
``tnetstring.parse`` (``,`` bytes, ``;`` UTF-8 text, ``#`` int, ``^`` float, ``!`` bool, ``~``
None, ``]`` list, ``}`` dict in file order) and raises ``ValueError`` where it does; it finds
each length prefix with ``bytes.find`` and slices only leaf values, instead of mitmproxy's
byte-by-byte prefix scan and a memoryview per element (about 4 x faster on flow files, issue 17;
``benchmarks/analysis.py`` measures it). Format: https://tnetstrings.info/ and mitmproxy's
``mitmproxy/io/tnetstring.py``.
"""

from __future__ import annotations

from typing import Any, BinaryIO

#: the longest length prefix accepted (mitmproxy's writer never exceeds 12 digits)
MAX_PREFIX = 12

_COMMA, _SEMI, _HASH, _CARET, _BANG, _TILDE, _LIST, _DICT = b",;#^!~]}"


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
        if not c.isdigit() or len(prefix) >= MAX_PREFIX:
            raise ValueError("not a tnetstring: missing or invalid length prefix")
        prefix += c
    if not prefix:
        raise ValueError("not a tnetstring: missing length prefix")
    length = int(prefix)
    left = size - fh.tell()
    if length + 1 > left:
        raise ValueError(f"torn record: its prefix announces {length} bytes, {max(left - 1, 0)} are left")
    data = fh.read(length + 1)
    if len(data) != length + 1:
        raise ValueError("torn record: the file ended inside it")
    return parse(data[length], data, 0, length)


def loads(data: bytes) -> Any:
    """The one tnetstring ``data`` holds (``ValueError`` if it is not exactly one)."""
    value, end = _pop(data, 0, len(data))
    if end != len(data):
        raise ValueError("not a tnetstring: data after the value")
    return value


def parse(tag: int, data: bytes, start: int, stop: int) -> Any:
    """The value of type ``tag`` whose payload is ``data[start:stop]`` (mitmproxy's ``parse``)."""
    if tag == _COMMA:
        return data[start:stop]
    if tag == _SEMI:
        return data[start:stop].decode("utf8")
    if tag == _DICT:
        d = {}
        i = start
        while i < stop:
            key, i = _pop(data, i, stop)
            if i >= stop:
                raise ValueError("not a tnetstring: dict key without a value")
            d[key], i = _pop(data, i, stop)
        return d
    if tag == _LIST:
        items = []
        i = start
        while i < stop:
            item, i = _pop(data, i, stop)
            items.append(item)
        return items
    if tag == _HASH:
        try:
            return int(data[start:stop])
        except ValueError:
            raise ValueError(f"not a tnetstring: invalid integer literal: {data[start:stop][:40]!r}") from None
    if tag == _CARET:
        try:
            return float(data[start:stop])
        except ValueError:
            raise ValueError(f"not a tnetstring: invalid float literal: {data[start:stop][:40]!r}") from None
    if tag == _BANG:
        literal = data[start:stop]
        if literal == b"true":
            return True
        if literal == b"false":
            return False
        raise ValueError(f"not a tnetstring: invalid boolean literal: {literal[:40]!r}")
    if tag == _TILDE:
        if stop > start:
            raise ValueError("not a tnetstring: invalid null literal")
        return None
    raise ValueError(f"unknown type tag: {tag}")


def _pop(data: bytes, i: int, end: int) -> tuple[Any, int]:
    """The tnetstring at ``data[i:]`` (ending at or before ``end``) and the offset after it."""
    colon = data.find(b":", i, min(i + MAX_PREFIX + 1, end))
    if colon <= i:
        raise ValueError("not a tnetstring: missing or invalid length prefix")
    prefix = data[i:colon]
    if not prefix.isdigit():
        raise ValueError(f"not a tnetstring: invalid length prefix: {prefix[:20]!r}")
    start = colon + 1
    stop = start + int(prefix)
    if stop >= end:
        raise ValueError(f"not a tnetstring: invalid length prefix: {int(prefix)}")
    tag = data[stop]
    if tag == _COMMA:  # the common leaves inline: no call per header name or body
        return data[start:stop], stop + 1
    if tag == _SEMI:
        return data[start:stop].decode("utf8"), stop + 1
    return parse(tag, data, start, stop), stop + 1
