"""Remembering what decoding a token gave, for tokens that repeat across payloads (issue 17).

Used by :func:`harness.analysis.decode.expand` (its ``memo`` argument); the result of an expansion
is the same with or without a memo (tests/analysis/test_scan_memo.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.analysis.decode import Layer

#: (token, chain it was found at, gRPC encoding of the payload)
Key = tuple[bytes, tuple[str, ...], "str | None"]
#: (it gave something, its layers, its notes, it set ``bounded``, decoded bytes it added to the budget)
Entry = tuple[bool, tuple["Layer", ...], tuple[str, ...], bool, int]


class TokenMemo:
    """What decoding a token gave before (issue 17): the layers, notes and ``bounded`` flag that
    expanding one base64/hex token at one chain produced, replayed when the same token comes again
    (a user agent, a session cookie or bearer token, a header name: header values repeat across a
    capture's flows). The result is the one a fresh expansion gives: an entry is kept only if no
    layer of it was refused for the total budget, and replayed only if it fits in what is left of
    the budget, so every budget check it made passes again. Bounded: at most ``max_entries``
    entries (the least recently used go first) of at most ``max_entry_bytes`` decoded bytes each.

    One memo serves one :class:`~harness.analysis.decode.Limits` (it is part of the expansion's result), e.g. one
    :class:`~harness.analysis.pii.PiiMatcher`.
    """

    def __init__(self, max_entries: int = 4096, max_entry_bytes: int = 16 * 1024) -> None:
        self.max_entries = max_entries
        self.max_entry_bytes = max_entry_bytes
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        #: tokens that decode to nothing (no layer, note or ``bounded``; most tokens: request ids,
        #: header names, random session values). Whether a token gives anything depends on its
        #: bytes alone (``_decode_token`` expands nothing until a decoding looks useful, and those
        #: checks read only the token), not on the chain, the gRPC encoding or the budget, so one
        #: set serves every chain. At most ``max_entries``; emptied when full.
        self.null: set[bytes] = set()
        self.hits = 0
        self.misses = 0

    def put(self, key: Key, value: Entry) -> None:
        if value[4] > self.max_entry_bytes:
            return
        if len(self.entries) >= self.max_entries:
            self.entries.popitem(last=False)  # O(1), unlike deleting a dict's first key again and again
        self.entries[key] = value

    def run(self, ex: Any, token: bytes, chain: tuple[str, ...], decode: Callable[[bytes, tuple[str, ...]], bool],
            ) -> bool:
        """``decode(token, chain)`` on the expander ``ex`` (``harness.analysis.decode._Expander``),
        or what it did the last time replayed onto ``ex``: its layers, notes, ``bounded`` flag and
        budget. Returns what ``decode`` returns (the token gave something)."""
        key = (token, chain, ex.grpc_encoding)
        res = ex.result
        got = self.entries.get(key)
        if got is not None and ex.total + got[4] <= ex.limits.max_total:
            self.hits += 1
            self.entries.move_to_end(key)  # least recently used goes first
            gave, layers, notes, bounded, size = got
            if layers:
                res.layers.extend(type(layer)(layer.chain, layer.data) for layer in layers)
                ex.total += size
            if notes:
                res.notes.extend(notes)
            if bounded:
                res.bounded = True
            return gave
        self.misses += 1
        n_layers, n_notes, total, refused, was_bounded = len(res.layers), len(res.notes), ex.total, ex.refused, res.bounded
        res.bounded = False
        gave = decode(token, chain)
        bounded, res.bounded = res.bounded, was_bounded or res.bounded
        if not gave and not bounded and len(res.layers) == n_layers and len(res.notes) == n_notes:
            if len(self.null) >= self.max_entries:
                self.null.clear()
            self.null.add(token)
        elif ex.refused == refused:  # no layer refused for the budget: the same from any budget that fits it
            self.put(key, (gave, tuple(res.layers[n_layers:]), tuple(res.notes[n_notes:]), bounded, ex.total - total))
        return gave
