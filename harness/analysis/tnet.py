"""Reading mitmproxy's flow file format (tnetstrings) without trusting a length prefix.

``mitmproxy.io.tnetstring.load`` reads as many bytes as a record's prefix announces: a 13-byte
file announcing a terabyte record allocates a terabyte (issue 12). :func:`read_tnetstring` checks
the prefix against what is left of the file first, then parses the record with :func:`parse`.

:func:`parse` is an index-based parser over ``bytes`` (issue 17: mitmproxy's ``tnetstring.parse``
walks each length prefix byte by byte in Python and makes a ``memoryview`` per element; this one
finds the prefix with ``bytes.find`` and slices once per leaf). It accepts what mitmproxy's parser
accepts for every input mitmproxy's ``tnetstring.dumps`` writes, with equal results (types
``, ; # ^ ! ~ ] }``; tests/analysis/test_tnet.py compares both on random values, on every flow file
under tests/ and on mutated bytes). It is stricter in three ways, each an input ``dumps`` never
writes: a length prefix is ASCII digits only (mitmproxy's ``int()`` also takes a sign, spaces and
``_``) and at most :data:`MAX_PREFIX` of them; containers nest at most :data:`MAX_DEPTH` deep
(mitmproxy's recursion ends in ``RecursionError`` near 500); a dict key that cannot be hashed (a
list or dict) is refused. Every malformed input is a ``ValueError``, never another exception, and
nothing is allocated beyond the bytes given.

This module and :mod:`harness.analysis.tnetflow` may run compiled by mypyc (scripts/compile_parser.py,
docs/analysis.md "The compiled parser"): hence ``Final`` constants and concrete types on the hot
locals; the same source runs uncompiled, with the same results (tests/analysis/test_tnet_compiled.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO, Final

if TYPE_CHECKING:  # a protocol: mypyc checks nothing at the call, ``bytes(data)`` converts as uncompiled
    from typing_extensions import Buffer

#: containers (lists, dicts) nest at most this deep; a flow state needs 5 (state, request, headers, pair)
MAX_DEPTH: Final = 100
#: digits in a length prefix (mitmproxy's ``load`` allows 12; a file is never near 10**20 bytes)
MAX_PREFIX: Final = 20

# type bytes (``Final``: mypyc, docs/analysis.md, inlines them as constants)
_COMMA: Final = 44  # ,
_SEMI: Final = 59  # ;
_HASH: Final = 35  # #
_CARET: Final = 94  # ^
_BANG: Final = 33  # !
_TILDE: Final = 126  # ~
_RBRACKET: Final = 93  # ]
_RBRACE: Final = 125  # }

#: short lists of leaves (header pairs, addresses) by their payload bytes: a capture repeats the
#: same header pairs in most flows (issue 17). A hit gives a new list equal to the one parsing the
#: same bytes gives; at most _MEMO_LISTS lists of at most _MEMO_BYTES bytes, all dropped when full.
#: Only below MAX_DEPTH, so a list too deep is refused as before.
_LEAF_LISTS: Final[dict[bytes, tuple[Any, ...]]] = {}
_MEMO_LISTS: Final = 4096
_MEMO_BYTES: Final = 256
_LEAF_TYPES: Final = (bytes, str, int, float, bool, type(None))


def read_tnetstring(fh: BinaryIO, size: int, parser: Callable[[int, bytes], Any] | None = None) -> Any:
    """One tnetstring from ``fh`` (mitmproxy's format); ``EOFError`` at a clean end of file.
    ``parser``: what makes the value of the record's type byte and payload (default :func:`parse`;
    the loader's is :func:`harness.analysis.tnetflow.parse_flow`).

    Unlike ``mitmproxy.io.tnetstring.load`` the length prefix is never trusted beyond what is left
    of the file (``size`` bytes in all): a prefix announcing more is a torn record (``ValueError``),
    so a 13-byte file announcing a terabyte allocates nothing. Any malformed record: ``ValueError``.
    """
    at = fh.tell()
    head = fh.read(13)  # at most 12 digits and the colon, read at once (then the file is set after the colon)
    if not head:
        raise EOFError
    digits = len(head) - len(head.lstrip(b"0123456789"))
    if digits == len(head) < 13:
        raise ValueError("not a tnetstring: file ends inside a length prefix")
    if digits > 12 or head[digits] != 0x3A:  # a 13th digit, or no colon after the digits
        raise ValueError("not a tnetstring: missing or invalid length prefix")
    if not digits:
        raise ValueError("not a tnetstring: missing length prefix")
    fh.seek(at + digits + 1)
    length = int(head[:digits])
    left = size - fh.tell()
    if length + 1 > left:
        raise ValueError(f"torn record: its prefix announces {length} bytes, {max(left - 1, 0)} are left")
    data = fh.read(length)
    tag = fh.read(1)
    if len(data) != length or not tag:
        raise ValueError("torn record: the file ended inside it")
    return (parser or parse)(tag[0], data)


def loads(data: Buffer) -> Any:
    """The value of the one tnetstring that is all of ``data`` (bytes or any buffer; ``ValueError``
    if malformed or followed by anything)."""
    raw = bytes(data)
    value, i = _pop(raw, 0, len(raw), 0)
    if i != len(raw):
        raise ValueError(f"not a tnetstring: {len(raw) - i} bytes after the value")
    return value


def parse(tag: int, data: Buffer) -> Any:
    """The value of a tnetstring whose payload is ``data`` and whose type byte is ``tag``
    (mitmproxy's ``tnetstring.parse`` signature, over ``bytes``); ``ValueError`` if malformed."""
    raw = bytes(data)
    return _value(tag, raw, 0, len(raw), 0)


def _pop(data: bytes, i: int, end: int, depth: int) -> tuple[Any, int]:
    """The value whose tnetstring starts at ``data[i]`` (within ``end``) and the index after it."""
    colon = data.find(b":", i, end)
    prefix = data[i:colon] if colon >= 0 else b""  # never data[i:-1]: a SystemError in mypyc
    if colon < 0 or colon - i > MAX_PREFIX or not prefix.isdigit():
        raise ValueError(f"not a tnetstring: missing or invalid length prefix at byte {i}")
    start = colon + 1
    stop = start + int(prefix)
    if stop >= end:
        raise ValueError(f"not a tnetstring: length prefix {int(prefix)} at byte {i} runs past its container")
    return _value(data[stop], data, start, stop, depth), stop + 1


def _value(tag: int, data: bytes, start: int, stop: int, depth: int) -> Any:
    """The value of type ``tag`` whose payload is ``data[start:stop]``."""
    if tag == _COMMA:
        return data[start:stop]
    if tag == _SEMI:
        return data[start:stop].decode("utf8")  # UnicodeDecodeError is a ValueError
    if tag == _RBRACE or tag == _RBRACKET:
        return _container(tag, data, start, stop, depth + 1)
    return _scalar(tag, data[start:stop])


def _scalar(tag: int, payload: bytes) -> Any:
    if tag == _HASH:
        try:
            return int(payload)
        except ValueError:
            raise ValueError(f"not a tnetstring: invalid integer literal: {payload[:40]!r}") from None
    if tag == _CARET:
        try:
            return float(payload)
        except ValueError:
            raise ValueError(f"not a tnetstring: invalid float literal: {payload[:40]!r}") from None
    if tag == _BANG:
        if payload == b"true":
            return True
        if payload == b"false":
            return False
        raise ValueError(f"not a tnetstring: invalid boolean literal: {payload[:40]!r}")
    if tag == _TILDE:
        if payload:
            raise ValueError(f"not a tnetstring: invalid null literal: {payload[:40]!r}")
        return None
    raise ValueError(f"not a tnetstring: unknown type tag: {tag}")


def _container(tag: int, data: bytes, i: int, end: int, depth: int) -> list[Any] | dict[Any, Any]:
    """The list (``]``) or dict (``}``) whose items are ``data[i:end]``; items are parsed inline
    (no call per string or bytes item, the common case)."""
    if depth > MAX_DEPTH:
        raise ValueError(f"not a tnetstring: containers nested deeper than {MAX_DEPTH}")
    items: list[Any] = []
    while i < end:
        colon = data.find(b":", i, end)
        prefix = data[i:colon] if colon >= 0 else b""  # never data[i:-1]: a SystemError in mypyc
        if colon < 0 or colon - i > 20 or not prefix.isdigit():  # 20: MAX_PREFIX
            raise ValueError(f"not a tnetstring: missing or invalid length prefix at byte {i}")
        start = colon + 1
        stop = start + int(prefix)
        if stop >= end:
            raise ValueError(f"not a tnetstring: length prefix {int(prefix)} at byte {i} runs past its container")
        t = data[stop]  # type tags as literals, not globals: this loop runs ~170 times per flow
        if t == 44:  # ,
            items.append(data[start:stop])
        elif t == 59:  # ;
            items.append(data[start:stop].decode("utf8"))
        elif t == 126 and stop == start:  # ~ (null); a payload after it is _scalar's error
            items.append(None)
        elif t == 35 and data[start:stop].isdigit():  # a non-negative int (ASCII digits: int() takes them)
            items.append(int(data[start:stop]))
        elif t == 94:  # ^ a float; a bad literal: _scalar's error
            try:
                items.append(float(data[start:stop]))
            except ValueError:
                items.append(_scalar(t, data[start:stop]))
        elif t == 93 and depth < MAX_DEPTH and stop - start <= _MEMO_BYTES:  # a short list: memo first
            payload = data[start:stop]
            got = _LEAF_LISTS.get(payload)
            if got is None:
                value = _container(t, data, start, stop, depth + 1)
                if len(value) <= 4 and all(type(v) in _LEAF_TYPES for v in value):
                    if len(_LEAF_LISTS) >= _MEMO_LISTS:
                        _LEAF_LISTS.clear()
                    _LEAF_LISTS[payload] = tuple(value)
                items.append(value)
            else:
                items.append(list(got))
        elif t == 125 or t == 93:  # } ]
            items.append(_container(t, data, start, stop, depth + 1))
        else:
            items.append(_scalar(t, data[start:stop]))
        i = stop + 1
    if tag == _RBRACKET:
        return items
    if len(items) % 2:
        raise ValueError("not a tnetstring: a dict key without a value")
    try:
        pairs = iter(items)
        return dict(zip(pairs, pairs, strict=False))  # an even count: checked above
    except TypeError:
        raise ValueError("not a tnetstring: a dict key that is a list or dict") from None
