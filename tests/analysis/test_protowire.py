"""The protobuf pre-filter (harness.analysis.protowire.no_strings) never changes what decoding
finds (issue 17): ``protobuf_strings`` (pre-filter, then blackboxprotobuf) equals
``decoded_strings`` (blackboxprotobuf alone) on random bytes, on real protobuf messages and on
messages cut, extended and mutated; and the pre-filter does rule out most random tokens (the
point of it)."""

from __future__ import annotations

import base64
import random

import blackboxprotobuf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from harness.analysis.protowire import decoded_strings, no_strings, protobuf_strings

_SETTINGS = settings(max_examples=1500, deadline=None, database=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])

SCALARS = st.one_of(st.integers(min_value=0, max_value=(1 << 63) - 1), st.binary(max_size=20),
                    st.text(max_size=12))
MESSAGES = st.recursive(
    st.dictionaries(st.integers(1, 40).map(str), SCALARS, min_size=1, max_size=5),
    lambda inner: st.dictionaries(st.integers(1, 40).map(str), st.one_of(SCALARS, inner), min_size=1, max_size=4),
    max_leaves=12)


def _typedef(message: dict[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in message.items():
        if isinstance(v, dict):
            out[k] = {"type": "message", "message_typedef": _typedef(v)}
        else:
            out[k] = {"type": "int" if isinstance(v, int) else "bytes" if isinstance(v, bytes) else "string"}
    return out


PROTOBUF = MESSAGES.map(lambda m: bytes(blackboxprotobuf.encode_message(m, _typedef(m))))


@st.composite
def altered(draw: st.DrawFn) -> bytes:
    data = draw(PROTOBUF)
    how = draw(st.sampled_from(["cut", "extend", "flip", "as is"]))
    if how == "cut" and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "extend":
        return data + draw(st.binary(min_size=1, max_size=8))
    if how == "flip" and data:
        i = draw(st.integers(0, len(data) - 1))
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    return data


@_SETTINGS
@given(st.one_of(st.binary(max_size=64), altered(), PROTOBUF))
@example(b"\x08\x96\x01")  # one varint field
@example(b"\x12\x03abc")  # one string field
@example(b"\x12\x05abc")  # a length past the end
@example(b"\x0b\x00")  # a group
@example(b"\x08" + b"\xff" * 9 + b"\x01")  # a ten-byte varint: left to the decoder
@example(b"\x12" + b"\xff" * 9 + b"\x01abc")  # a negative length in the decoder's eyes
@example(b"\x88\x00\x01")  # a non-canonical key
def test_same_strings_as_the_decoder_alone(data: bytes) -> None:
    assert protobuf_strings(data) == decoded_strings(data)
    if no_strings(data):
        assert decoded_strings(data) is None


def test_the_prefilter_rules_out_random_tokens() -> None:
    """Random base64 tokens (request ids, fresh session tokens) decode to bytes the pre-filter
    answers for, without the decoder, in most cases."""
    rng = random.Random(17)
    tokens = [base64.urlsafe_b64decode(base64.urlsafe_b64encode(rng.randbytes(27))) for _ in range(2000)]
    ruled_out = sum(no_strings(t) for t in tokens)
    assert ruled_out > 0.8 * len(tokens)
