"""Shortcuts in harness.analysis.decode answer as the slower forms they replace (issue 17): base64
decoding through ``binascii`` directly as through the ``base64`` module's functions, and
``is_text``'s bound as ``printable_ratio(data) >= 0.9``."""

from __future__ import annotations

import base64
import binascii

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harness.analysis import decode

_SETTINGS = settings(max_examples=1500, deadline=None, database=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])
B64ISH = st.text(alphabet="ABCabz019+/-_=\n ", max_size=40).map(str.encode)


def slow_b64decode(token: bytes) -> tuple[str, bytes] | None:
    """``decode._b64decode`` as it was, through the base64 module."""
    core = token.rstrip(b"=")
    if len(core) % 4 == 1:
        core = core[:-1]
    padded = core + b"=" * (-len(core) % 4)
    urlsafe = b"-" in core or b"_" in core
    if urlsafe and (b"+" in core or b"/" in core):
        return None
    try:
        if urlsafe:
            return "base64url", base64.urlsafe_b64decode(padded)
        return "base64", base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


@_SETTINGS
@given(st.one_of(B64ISH, st.binary(max_size=40), st.binary(max_size=30).map(base64.b64encode),
                 st.binary(max_size=30).map(base64.urlsafe_b64encode)))
@example(b"ab-_cd==")
@example(b"ab+/cd=")
@example(b"abc\ndef")
def test_b64decode_as_the_base64_module(token: bytes) -> None:
    assert decode._b64decode(token) == slow_b64decode(token)


@settings(max_examples=400, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(st.one_of(st.binary(max_size=80), st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.binary(max_size=8).map(lambda b: bytes(65533) + b)))
@example(b"")
@example(b"\xe2\x82")
def test_is_text_as_printable_ratio(data: bytes) -> None:
    assert decode.is_text(data) == (decode.printable_ratio(data) >= 0.9)
