"""The keyword-list pre-filter (harness.analysis.lists._worth_a_look) answers as its earlier,
slower form did (issue 17): the long-token search anchored at run starts, the name search over
lower-cased ASCII bytes instead of decoded text."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harness.analysis import lists

_LONG = re.compile(rb"[A-Za-z0-9+/_-]{40,}")


def reference(data: bytes) -> bool:
    """``_worth_a_look`` as it was before issue 17's second pass."""
    head = data[:1024].lstrip()
    if head[:1] not in (b"{", b"["):
        return b"<" not in head
    window = data[: 4 * 1024 * 1024]
    return bool(lists._STRING_ARRAY.search(window) or _LONG.search(window)
                or lists._NAME_SEARCH.search(window.decode("utf-8", "replace")))


WORDS = ["blacklist", "Block_List", "banword", "DENY-list", "KeyWord", "sensitive", "CENSOR", "forbidden", "Filter",
         "\u212aeyword", "\u017fensitive", "deny\nlist", "black\u00e9list", "bl\u00c4cklist", "filte", "keywor"]
PIECES = st.one_of(st.sampled_from(WORDS), st.text("Ab0+/_-", min_size=30, max_size=45), st.text(max_size=8),
                   st.sampled_from(['{"a": ', '["x", "y"]', ", ", '"', "\n", " ", "[", "{", "\u00e9", "\xff"]))
BODY = st.lists(PIECES, max_size=12).map(lambda ps: "".join(ps).encode("utf-8", "surrogatepass"))


@settings(max_examples=600, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(BODY.map(lambda b: b"{" + b), BODY.map(lambda b: b"[" + b), BODY,
                 st.binary(max_size=60).map(lambda b: b"{" + b)))
@example(b'{"k": "\xe2\x84\xaaeyword"}')  # the Kelvin sign matches "k" case-blind as text, not as bytes
@example(b'{"k": "' + b"A" * 39 + b'"}')
@example(b'{"k": "' + b"A" * 40 + b'"}')
def test_prefilter_answers_as_before(data: bytes) -> None:
    assert lists._worth_a_look(data) == reference(data)


@pytest.mark.parametrize("data", [b'{"k": "\xe2\x84\xaaeyword"}', b'{"Sensitive": 1}', b'{"x": "' + b"A" * 40 + b'"}'])
def test_prefilter_finds(data: bytes) -> None:
    assert lists._worth_a_look(data)
