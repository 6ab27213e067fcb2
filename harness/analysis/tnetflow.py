"""Reading a ``.mitm`` record as a flow state, without building the values the analysis never reads.

A flow state (``Flow.get_state()``, format :data:`FLOW_FORMAT_VERSION`) holds about 200
tnetstring items; the loader (:mod:`harness.analysis.loaders`, :func:`harness.analysis.validate.flow_state`,
:mod:`harness.analysis.dnsflow`) reads under half of them. :func:`parse_flow` parses a record like
:func:`harness.analysis.tnet.parse` (same values, same refusals of anything structurally broken)
except that the values of the keys in :data:`UNREAD` are skipped by their length prefix: left
out of the dict, no Python object made for them (issue 17, target 3).

What a skipped value is checked for: its length prefix (ASCII digits, at most
:data:`~harness.analysis.tnet.MAX_PREFIX`), that it ends inside its container, and that its type
byte is one of tnetstring's (``, ; # ^ ! ~ ] }``). Its payload is not read: a bad literal, a bad
UTF-8 string or a broken length prefix *inside* a skipped value (say a TLS cipher list), which
mitmproxy's reader refuses, is accepted, and the flow is analysed from the fields it does read.
Every framing error at a level read (the record, the state, a connection or message, any value
built) is refused exactly as :func:`~harness.analysis.tnet.parse` refuses it
(tests/analysis/test_tnetflow.py).

Only a state of the current format is read selectively: mitmproxy's format migrations
(``mitmproxy.io.compat``) read and rewrite keys this module skips, so a record whose ``version``
is not :data:`FLOW_FORMAT_VERSION` is parsed again in full by :func:`~harness.analysis.tnet.parse`.

Keys are read through a chain of expected keys (mitmproxy writes a state's keys in the same order
in every flow): where the bytes at the cursor are exactly the next key's tnetstring
(``11:server_conn;``), the key is that string, with no prefix parsed or text decoded. The same
bytes give the same key through the generic path, so the result does not depend on the chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from mitmproxy.version import FLOW_FORMAT_VERSION

from harness.analysis.tnet import _LEAF_LISTS, MAX_PREFIX, _container, _scalar, _value, parse

if TYPE_CHECKING:
    from typing_extensions import Buffer

#: keys of a flow state the analysis never reads, per level: the state, its client and server
#: connections, its request and response. Found by reading every access in loaders.py, validate.py
#: (flow_state, _conn, _message), dnsflow.py and foreign.py; tests/analysis/test_tnetflow.py checks
#: the analysis of every flow file under tests/ is the same with and without skipping.
UNREAD: Final = {
    "state": frozenset({"backup", "comment", "intercepted", "is_replay", "marked"}),
    "conn": frozenset({"id", "alpn_offers", "certificate_list", "cipher", "cipher_list", "error", "mitmcert",
                       "proxy_mode", "tls", "timestamp_tcp_setup", "via", "tls_extensions"}),
    "message": frozenset({"trailers"}),
}
_TAGS: Final = frozenset(b",;#^!~]}")
#: expected-key chains hold at most this many keys per level (a fuzzed file's random keys: cleared)
_CHAIN_KEYS: Final = 256


class _Level:
    """One dict level of a flow state: the keys skipped there, the levels of its child dicts and
    the chain of expected keys (previous key -> (the next key's tnetstring bytes, the key))."""

    __slots__ = ("skip", "children", "chain")

    def __init__(self, skip: frozenset[str], children: dict[str, _Level] | None = None) -> None:
        self.skip = skip
        self.children = children or {}
        self.chain: dict[Any, tuple[bytes, str]] = {}


_CONN: Final = _Level(UNREAD["conn"])
_MESSAGE: Final = _Level(UNREAD["message"])
_STATE: Final = _Level(UNREAD["state"], {"client_conn": _CONN, "server_conn": _CONN, "request": _MESSAGE,
                                  "response": _MESSAGE})


def parse_flow(tag: int, data: Buffer) -> Any:
    """The value of one ``.mitm`` record (type byte ``tag``, payload ``data``), as
    :func:`~harness.analysis.tnet.parse` gives it but without the :data:`UNREAD` keys when it is a
    flow state of the current format. ``ValueError`` for what ``parse`` refuses, but a malformed
    payload inside a skipped value (see the module docstring)."""
    raw = bytes(data)
    if tag != 125:  # not a dict: not a flow state; parse reports what it is
        return parse(tag, raw)
    state = _dict(raw, 0, len(raw), 1, _STATE)
    version = state.get("version")
    if type(version) is not int or version != FLOW_FORMAT_VERSION:  # a migration reads every key
        return parse(tag, raw)
    return state


def _bad_prefix(i: int) -> ValueError:
    return ValueError(f"not a tnetstring: missing or invalid length prefix at byte {i}")


def _past(length: int, i: int) -> ValueError:
    return ValueError(f"not a tnetstring: length prefix {length} at byte {i} runs past its container")


def _dict(data: bytes, i: int, end: int, depth: int, level: _Level) -> dict[Any, Any]:
    """The dict whose items are ``data[i:end]`` at nesting ``depth`` (the state is 1), without
    the values of ``level.skip``'s keys; values are made as ``tnet._container`` makes them."""
    out: dict[Any, Any] = {}
    skip, children, chain = level.skip, level.children, level.chain
    prev: Any = None
    key: Any  # a str through the chain, any leaf through the generic path (typed: mypyc would check str)
    while i < end:
        expected = chain.get(prev)
        if expected is not None and data.startswith(expected[0], i, end):
            key = expected[1]
            i += len(expected[0])
        else:  # the key parsed as _container parses an item
            colon = data.find(b":", i, end)
            prefix = data[i:colon] if colon >= 0 else b""  # never data[i:-1]: a SystemError in mypyc
            if colon < 0 or colon - i > MAX_PREFIX or not prefix.isdigit():
                raise _bad_prefix(i)
            start = colon + 1
            stop = start + int(prefix)
            if stop >= end:
                raise _past(int(prefix), i)
            if data[stop] == 59:  # ; a text key: remembered as the one after prev
                key = data[start:stop].decode("utf8")
                if len(chain) >= _CHAIN_KEYS:
                    chain.clear()
                try:
                    chain[prev] = (data[i : stop + 1], key)
                except TypeError:  # prev is a list or dict: refused below, when it was stored
                    pass
            else:
                key = _value(data[stop], data, start, stop, depth)
            i = stop + 1
        colon = data.find(b":", i, end)
        prefix = data[i:colon] if colon >= 0 else b""  # never data[i:-1]: a SystemError in mypyc
        if colon < 0 or colon - i > MAX_PREFIX or not prefix.isdigit():
            raise _bad_prefix(i) if i < end else ValueError("not a tnetstring: a dict key without a value")
        start = colon + 1
        stop = start + int(prefix)
        if stop >= end:
            raise _past(int(prefix), i)
        t = data[stop]
        i = stop + 1
        try:
            if key in skip:
                if t not in _TAGS:
                    raise ValueError(f"not a tnetstring: unknown type tag: {t}")
                prev = key
                continue
            sub = children.get(key)
        except TypeError:
            raise ValueError("not a tnetstring: a dict key that is a list or dict") from None
        if t == 44:  # , (type tags as literals, as in tnet._container)
            value: Any = data[start:stop]
        elif t == 59:  # ;
            value = data[start:stop].decode("utf8")
        elif t == 126 and stop == start:  # ~
            value = None
        elif t == 125:  # }
            value = _dict(data, start, stop, depth + 1, sub) if sub is not None else _container(t, data, start, stop,
                                                                                                 depth + 1)
        elif t == 93:  # ] (an address seen before: from tnet's memo of short lists)
            got = _LEAF_LISTS.get(data[start:stop])
            value = list(got) if got is not None else _container(t, data, start, stop, depth + 1)
        elif t == 35 and data[start:stop].isdigit():  # a non-negative int
            value = int(data[start:stop])
        elif t == 94:  # ^ a float (a timestamp); a bad literal: _scalar's error
            try:
                value = float(data[start:stop])
            except ValueError:
                value = _scalar(t, data[start:stop])
        else:
            value = _scalar(t, data[start:stop])
        out[key] = value
        prev = key
    return out
