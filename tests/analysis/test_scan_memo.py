"""Memoised token decoding (harness.analysis.decode.TokenMemo, issue 17) gives what a fresh
expansion gives: the same layers, notes and ``bounded`` flag, and so the same PII hits; also at the
limits (total budget, token count) where a replay could differ."""

from __future__ import annotations

import base64
import binascii
import gzip
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.analysis import decode
from harness.analysis.decode import Expansion, Limits, TokenMemo, expand
from harness.analysis.facts import known_values_from_facts
from harness.analysis.pii import PiiMatcher
from harness.analysis.synthetic import SAMPLE_FACTS

IMEI = SAMPLE_FACTS["imei"]
#: pieces a header block is made of; tokens repeat across blocks, as in a capture
PIECES = [
    f"id={IMEI}", base64.b64encode(f"did={IMEI};".encode()).decode(), base64.b64encode(gzip.compress(b"k=" * 40)).decode(),
    binascii.hexlify(f"imei:{IMEI}".encode()).decode(), base64.urlsafe_b64encode(b"\xfb\xff" * 12).decode(),
    "okhttp/4.9.3", "accept-encoding", "AppleWebKit/537", "x-request-id", "sid=79a8090fb5e3636627ed8e053b006ccb",
    base64.b64encode(base64.b64encode(f'{{"id": "{IMEI}"}}'.encode())).decode(), "%7B%22a%22%3A1%7D",
    '{"k": "' + base64.b64encode(b"plain text inside json").decode() + '"}', "1700000000020",
    "CgRtZXNzYWdlEgR0ZXh0",  # a protobuf message, base64
]
SEPARATORS = ["\n", ": ", "; ", " ", ", ", "\r\n", "="]
BLOCK = st.lists(st.tuples(st.one_of(st.sampled_from(PIECES), st.uuids().map(str), st.text("ab0123-_+/", min_size=10,
                                                                                               max_size=30)),
                           st.sampled_from(SEPARATORS)), min_size=1, max_size=12) \
    .map(lambda parts: "".join(p + s for p, s in parts).encode())
LIMITS = st.sampled_from([decode.DEFAULT_LIMITS, Limits(max_total=300), Limits(max_total=60, max_tokens=3),
                          Limits(max_depth=2), Limits(max_total=2000, max_tokens=5, max_output=100)])


def shape(ex: Expansion) -> tuple[Any, ...]:
    return [(layer.chain, layer.data) for layer in ex.layers], ex.notes, ex.bounded


@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(LIMITS, st.lists(BLOCK, min_size=1, max_size=8))
def test_memo_gives_what_a_fresh_expansion_gives(limits: Limits, blocks: list[bytes]) -> None:
    memo = TokenMemo(max_entries=16)  # small: entries are also evicted
    for block in blocks + blocks:  # the second time round, tokens come from the memo
        assert shape(expand(block, limits=limits, memo=memo)) == shape(expand(block, limits=limits))


def test_memo_is_used_and_bounded() -> None:
    memo = TokenMemo(max_entries=4, max_entry_bytes=64)
    block = "\n".join(PIECES).encode()
    expand(block, memo=memo)
    assert memo.misses and len(memo.entries) <= 4
    assert all(v[4] <= 64 for v in memo.entries.values())
    small = b"user-agent: okhttp/4.9.3\naccept-encoding: gzip"
    expand(small, memo=memo)
    hits = memo.hits
    expand(small, memo=memo)
    assert memo.hits > hits


def test_budget_sweep() -> None:
    """A token first decoded late in one payload (its layers refused for the budget) and early in
    the next (they fit), and the reverse; a token repeated in the URL-decoded layer of the same
    payload: at every budget the memo changes nothing."""
    t = base64.b64encode(f"did={IMEI};".encode() * 4)
    f = base64.b64encode(b"some other text that decodes to plain text " * 2)
    blocks = [f + b"\n" + t, t, t + b"\n%3D" + f, f + b"%20" + t + b"\n" + t.lower()]
    fresh_total = sum(len(layer.data) for b in blocks for layer in expand(b).layers[1:])
    for max_total in range(0, fresh_total + 40, 7):
        lim = Limits(max_total=max_total)
        memo = TokenMemo()
        for block in blocks + blocks[::-1]:
            assert shape(expand(block, limits=lim, memo=memo)) == shape(expand(block, limits=lim)), max_total
        assert memo.hits


def test_a_replay_past_the_budget_is_not_taken() -> None:
    """A memoised token whose layers no longer fit the budget is expanded afresh (and refused)."""
    token = base64.b64encode(f"did={IMEI};".encode() * 4)
    memo = TokenMemo()
    lim = Limits(max_total=120)
    expand(token, limits=lim, memo=memo)
    block = token + b"\n" + token.lower() + b"\n" + token
    assert shape(expand(block, limits=lim, memo=memo)) == shape(expand(block, limits=lim))


def test_the_comparison_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A memo that replayed a token's layers without their notes would be caught."""
    block = base64.b64encode(gzip.compress(b"k=" * 40)) + b"\n" + f"id={IMEI}".encode()
    lim = Limits(max_output=10)  # the gzip layer is capped: a note and bounded=True
    memo = TokenMemo()
    real = TokenMemo.put
    monkeypatch.setattr(TokenMemo, "put", lambda self, key, value: real(self, key, (*value[:2], (), *value[3:])))
    expand(block, limits=lim, memo=memo)
    assert shape(expand(block, limits=lim, memo=memo)) != shape(expand(block, limits=lim))


def test_pii_hits_equal_with_a_warm_memo() -> None:
    """The matcher's header and body scans report the same hits the first time and later."""
    matcher = PiiMatcher(known_values_from_facts(SAMPLE_FACTS))
    headers = [("user-agent", "okhttp/4.9.3"), ("x-device", base64.b64encode(f"imei={IMEI}".encode()).decode()),
               ("x-request-id", str(uuid.uuid4())), ("cookie", f"a=1; did={binascii.hexlify(IMEI.encode()).decode()}")]
    first = matcher.scan_headers(headers)
    assert {h.location for h in first} >= {"headers", "cookie"}
    for _ in range(3):
        assert matcher.scan_headers(headers) == first
    assert matcher.memo.hits
    fresh = PiiMatcher(known_values_from_facts(SAMPLE_FACTS))
    fresh.memo = None  # no memo at all
    assert fresh.scan_headers(headers) == first


def test_tokens_that_give_nothing_are_skipped_at_any_chain() -> None:
    """A token that decodes to nothing goes to ``TokenMemo.null`` (not the LRU entries) and is
    skipped the next time, at any chain (in a header block, URL-encoded, inside JSON): the
    expansions equal fresh ones; a token that gives something never enters the set."""
    memo = TokenMemo()
    nothing = str(uuid.uuid4()).encode()
    useful = base64.b64encode(f"imei={IMEI}".encode())
    blocks = [b"x-request-id: " + nothing + b"\nx-device: " + useful,
              b"a=" + nothing + b"&d=" + useful.replace(b"=", b"%3D"),
              b'{"id": "' + nothing + b'", "d": "' + useful.decode().encode() + b'"}']
    for block in blocks + blocks:
        assert shape(expand(block, memo=memo)) == shape(expand(block))
    assert nothing in memo.null and useful not in memo.null
    assert all(key[0] != nothing for key in memo.entries)
