"""The analysis's tnetstring parser (harness.analysis.tnet) against mitmproxy's own (issue 17).

Equal results on everything mitmproxy's ``tnetstring.dumps`` writes (random values, every flow
file under tests/), the same rejections on mutated bytes, and the guarantees of issue 12 (a bad
input is a ``ValueError``, never another exception; a deep nesting is refused, not a
``RecursionError``; a length prefix allocates nothing beyond the bytes given).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mitmproxy.io import tnetstring

from harness.analysis import tnet
from harness.analysis.tnet import MAX_DEPTH, loads, read_tnetstring
from harness.testing.fuzz import MITM
from harness.testing.parsers import pure_modules

TESTS = Path(__file__).resolve().parents[1]
#: exceptions mitmproxy's parser raises on malformed input (its own contract is looser than ours)
MITM_ERRORS = (ValueError, TypeError, IndexError, RecursionError)

_SETTINGS = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

LEAVES = st.one_of(st.binary(max_size=40), st.text(max_size=20), st.integers(), st.booleans(), st.none(),
                   st.floats(allow_nan=True, allow_infinity=True))
KEYS = st.one_of(st.binary(max_size=10), st.text(max_size=10), st.integers(), st.booleans(), st.none(), st.floats())
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                      st.dictionaries(KEYS, inner, max_size=5)), max_leaves=40)


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types (``repr`` tells 1 from True and 1.0, b"a" from "a"; NaN == NaN)."""
    return repr(a) == repr(b)


def mitm_loads(data: bytes) -> tuple[bool, Any]:
    """(accepted, value) by mitmproxy's parser, with its check that nothing follows the value."""
    try:
        value, rest = tnetstring.pop(memoryview(data))
    except MITM_ERRORS:
        return False, None
    return (not rest), value


def ours_loads(data: bytes) -> tuple[bool, Any]:
    try:
        return True, loads(data)
    except ValueError:  # any other exception fails the test: it is a crash
        return False, None


@_SETTINGS
@given(VALUES)
@example({"a": [b"x", 1, 2.5, True, None], b"k": {"n": []}})
def test_equal_to_mitmproxy_on_what_it_writes(value: Any) -> None:
    data = tnetstring.dumps(value)
    ok, ours = ours_loads(data)
    assert ok
    assert same(ours, tnetstring.loads(data))
    payload = data[data.index(b":") + 1 : -1]
    assert same(tnet.parse(data[-1], payload), tnetstring.parse(data[-1], memoryview(payload)))


def agree(data: bytes) -> None:
    """Whatever ours accepts, mitmproxy accepts with an equal value; whatever mitmproxy rejects,
    ours rejects; what mitmproxy alone accepts is never something ``dumps`` writes."""
    ok, ours = ours_loads(data)
    mitm_ok, theirs = mitm_loads(data)
    if ok:
        assert mitm_ok, data[:200]
        assert same(ours, theirs), data[:200]
    elif mitm_ok:
        try:
            canonical = tnetstring.dumps(theirs)
        except (ValueError, TypeError, RecursionError):
            canonical = None
        assert canonical != data, f"ours refused what mitmproxy writes: {data[:200]!r}"


@_SETTINGS
@given(st.one_of(MITM, VALUES.map(tnetstring.dumps).flatmap(
    lambda d: st.tuples(st.just(d), st.integers(0, max(len(d) - 1, 0)), st.binary(min_size=0, max_size=3))
    .map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + len(t[2]):]))))
@example(b"3:abc!")
@example(b"5:1:x,]")
@example(b"4:1:x,}")  # a key without a value
@example(b"8:0:]0:~}")  # a list as a key
@example(b"2: 1#")  # mitmproxy's int() takes a space; dumps never writes one
@example(b"3:+1#")
@example(b"4:\xff\xfe\xfd\xfc;")
def test_mutated_bytes_agree_with_mitmproxy(data: bytes) -> None:
    agree(data)


def test_the_mutation_comparison_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser that read ints as floats would be caught by the comparison above (negative ints:
    non-negative ones in a container are read inline, without ``_scalar``). On the pure-Python
    module: a compiled one (scripts/compile_parser.py) calls its own ``_scalar`` directly."""
    pure, _ = pure_modules()
    real = pure._scalar
    monkeypatch.setattr(pure, "_scalar", lambda tag, p: float(p) if tag == ord("#") else real(tag, p))
    monkeypatch.setattr(sys.modules[__name__], "loads", pure.loads)
    with pytest.raises(AssertionError):
        agree(tnetstring.dumps([-1, 2]))


def ours_records(path: Path) -> list[Any]:
    """The file's records by :func:`read_tnetstring`, ``"rejected"`` where it stops on a bad one."""
    out: list[Any] = []
    size = path.stat().st_size
    with path.open("rb") as fh:
        while True:
            try:
                out.append(read_tnetstring(fh, size))
            except EOFError:
                return out
            except ValueError:
                return [*out, "rejected"]


def mitm_records(path: Path) -> list[Any]:
    """The same by mitmproxy's ``tnetstring.pop`` over the whole file (no read of what a prefix says)."""
    out: list[Any] = []
    data = memoryview(path.read_bytes())
    while data:
        try:
            value, data = tnetstring.pop(data)
        except MITM_ERRORS:
            return [*out, "rejected"]
        out.append(value)
    return out


@pytest.mark.parametrize("path", sorted(TESTS.rglob("*.mitm")), ids=lambda p: str(p.relative_to(TESTS)))
def test_equal_on_every_flow_file_under_tests(path: Path) -> None:
    ours = ours_records(path)
    assert ours
    assert same(ours, mitm_records(path))


def test_every_flow_file_is_found() -> None:
    assert len(list(TESTS.rglob("*.mitm"))) >= 5


def test_deep_nesting_is_a_value_error() -> None:
    deep = b"0:]"
    for _ in range(MAX_DEPTH + 1):
        deep = b"%d:%s]" % (len(deep), deep)
    with pytest.raises(ValueError, match="nested deeper"):
        loads(deep)
    for _ in range(2000):  # past Python's recursion limit: mitmproxy's parser raises RecursionError
        deep = b"%d:%s]" % (len(deep), deep)
    with pytest.raises(ValueError, match="nested deeper"):
        loads(deep)
    shallow = b"0:]"
    for _ in range(MAX_DEPTH - 1):
        shallow = b"%d:%s]" % (len(shallow), shallow)
    assert same(loads(shallow), tnetstring.loads(shallow))


@pytest.mark.parametrize("data", [b"999999999999:", b"99999999999999999999999999:x,", b"5:abc,", b":x,", b"",
                                  b"1" * 5000 + b":", b"3:abc", b"0:"])
def test_length_prefix_is_never_trusted(data: bytes) -> None:
    with pytest.raises(ValueError):
        loads(data)


def test_read_tnetstring_refuses_a_prefix_past_the_file(tmp_path: Path) -> None:
    p = tmp_path / "f.mitm"
    p.write_bytes(b"999999999999:{")
    with p.open("rb") as fh, pytest.raises(ValueError, match="torn record"):
        read_tnetstring(fh, p.stat().st_size)


def test_memoised_lists_are_fresh_and_equal() -> None:
    """A small list of leaves parsed again (from ``tnet``'s memo of header pairs) is equal to the
    first and a list of its own: changing one changes nothing else (issue 17)."""
    pair = [b"accept", b"application/json"]
    data = tnetstring.dumps([pair, pair, {"k": pair}])
    first, second = loads(data), loads(data)
    assert same(first, [pair, pair, {"k": pair}]) and same(second, first)
    first[0].append(b"x")
    assert first[1] == pair and second[0] == pair and second[2]["k"] == pair
    assert type(second[1]) is list


def test_memo_keeps_the_depth_limit() -> None:
    """A list of leaves met first shallow, then past MAX_DEPTH, is refused the second time."""
    leaf = [b"a", b"b"]
    loads(tnetstring.dumps([leaf]))
    deep: Any = leaf
    for _ in range(MAX_DEPTH):
        deep = [deep]
    with pytest.raises(ValueError, match="nested deeper"):
        loads(tnetstring.dumps(deep))
