"""The loader's selective flow-state parser (harness.analysis.tnetflow) against the full one (issue 17).

``parse_flow`` must give what ``tnet.parse`` gives (itself proven equal to mitmproxy's parser in
test_tnet.py) without the keys the analysis never reads, for every record of every flow file
under tests/ and for mutated flow states; it may accept a record ``parse`` refuses only when the
damage lies inside a skipped value's payload, and the analysis of every flow file is the same
with and without skipping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mitmproxy.io import tnetstring

from harness.analysis import loaders, tnetflow
from harness.analysis.loaders import load_mitm
from harness.analysis.tnet import MAX_PREFIX, parse, read_tnetstring
from harness.analysis.tnetflow import UNREAD, parse_flow
from harness.errors import AnalysisError
from harness.testing.fuzz import _STATES, MITM

TESTS = Path(__file__).resolve().parents[1]
FLOW_FILES = sorted(TESTS.rglob("*.mitm"))
#: which UNREAD set applies to the dict under each key of a state
_LEVEL_OF = {"client_conn": "conn", "server_conn": "conn", "request": "message", "response": "message"}


def stripped(full: Any) -> Any:
    """``full`` (``tnet.parse``'s value) without the UNREAD keys, when it is a current-format state."""
    if not isinstance(full, dict) or full.get("version") != tnetflow.FLOW_FORMAT_VERSION:
        return full
    out = {k: v for k, v in full.items() if not (isinstance(k, str) and k in UNREAD["state"])}
    for key, level in _LEVEL_OF.items():
        if isinstance(out.get(key), dict):
            out[key] = {k: v for k, v in out[key].items() if not (isinstance(k, str) and k in UNREAD[level])}
    return out


def records(path: Path, parser: Any) -> list[Any]:
    out: list[Any] = []
    size = path.stat().st_size
    with path.open("rb") as fh:
        while True:
            try:
                out.append(read_tnetstring(fh, size, parser))
            except EOFError:
                return out
            except ValueError:
                return [*out, "rejected"]


def _items(data: bytes, i: int, end: int) -> list[tuple[int, int, int, int]]:
    """(item start, payload start, payload end, type byte) of each item in ``data[i:end]``: the
    framing alone (nothing parsed); ``ValueError`` where it is broken."""
    out = []
    while i < end:
        colon = data.find(b":", i, end)
        if colon < 0 or colon - i > MAX_PREFIX or not data[i:colon].isdigit():
            raise ValueError("framing")
        stop = colon + 1 + int(data[i:colon])
        if stop >= end:
            raise ValueError("framing")
        out.append((i, colon + 1, stop, data[stop]))
        i = stop + 1
    return out


def without_skipped(data: bytes) -> bytes:
    """The payload of a state ``data`` with every skipped item (key and value) cut out, rebuilt
    from the framing: what is left is all ``parse_flow`` reads."""
    def rebuild(start: int, end: int, level: str) -> bytes:
        items = _items(data, start, end)
        out = b""
        for (k0, ks, ke, kt), (_, vs, ve, vt) in zip(items[::2], items[1::2], strict=False):
            key = data[ks:ke].decode() if kt == ord(";") else None
            if key in UNREAD[level]:
                continue
            value = data[vs:ve]
            if level == "state" and key in _LEVEL_OF and vt == ord("}"):
                value = rebuild(vs, ve, _LEVEL_OF[key])
            out += data[k0 : ke + 1] + b"%d:%s%c" % (len(value), value, vt)
        return out

    return rebuild(0, len(data), "state")


def test_equal_on_every_flow_file_under_tests() -> None:
    assert len(FLOW_FILES) >= 5
    current = 0
    for path in FLOW_FILES:
        full, ours = records(path, None), records(path, parse_flow)
        assert repr(ours) == repr([stripped(v) for v in full]), path
        current += sum(isinstance(v, dict) and v.get("version") == tnetflow.FLOW_FORMAT_VERSION for v in full)
    assert current >= 10  # the skipping path is exercised, not only the full parse of older formats


def test_older_formats_are_parsed_in_full() -> None:
    """A state of an older format keeps every key (mitmproxy's migration reads them)."""
    old = {**_STATES[0], "version": 7}
    data = tnetstring.dumps(old)
    payload = data[data.index(b":") + 1 : -1]
    assert repr(parse_flow(data[-1], payload)) == repr(parse(data[-1], payload))
    assert "comment" in parse_flow(data[-1], payload)


def test_skipped_keys_are_left_out_and_read_ones_kept() -> None:
    data = tnetstring.dumps(_STATES[0])
    state = parse_flow(data[-1], data[data.index(b":") + 1 : -1])
    assert not set(state) & UNREAD["state"]
    assert not set(state["client_conn"]) & UNREAD["conn"] and not set(state["request"]) & UNREAD["message"]
    assert state["client_conn"]["peername"] == list(_STATES[0]["client_conn"]["peername"])
    assert state["server_conn"]["sockname"] is None or isinstance(state["server_conn"]["sockname"], list)


def test_key_order_does_not_matter() -> None:
    """The chain of expected keys learnt from one key order gives way to another."""
    state = _STATES[0]
    reordered = dict(reversed(list(state.items())))
    reordered["client_conn"] = dict(sorted(state["client_conn"].items(), reverse=True))
    for s in (state, reordered, state, {**state, "extra_key": [1, {"a": b"b"}]}):
        data = tnetstring.dumps(s)
        payload = data[data.index(b":") + 1 : -1]
        assert repr(parse_flow(data[-1], payload)) == repr(stripped(parse(data[-1], payload)))


def _state_with_cipher_list(cipher_list: bytes) -> bytes:
    """A version-21 state whose client_conn ``cipher_list`` value is ``cipher_list`` (a whole
    tnetstring item, perhaps malformed inside)."""
    state = {**_STATES[0], "client_conn": {**_STATES[0]["client_conn"], "cipher_list": ["MARK"]}}
    data = tnetstring.dumps(state)
    conn = tnetstring.dumps(state["client_conn"])
    marked = tnetstring.dumps(["MARK"])
    new_conn = conn[conn.index(b":") + 1 : -1].replace(marked, cipher_list)
    new_conn = b"%d:%s}" % (len(new_conn), new_conn)
    payload = data[data.index(b":") + 1 : -1].replace(conn, new_conn)
    return b"%d:%s}" % (len(payload), payload)


def test_damage_inside_a_skipped_value_is_read_around(tmp_path: Path) -> None:
    """The decision (module docstring): a broken literal or length prefix *inside* a skipped value
    (mitmproxy's reader refuses the record) leaves the fields read intact: the flow is analysed."""
    bad = _state_with_cipher_list(b"7:3:ab;#x]")  # an inner prefix running past its list
    with pytest.raises(ValueError):
        tnetstring.loads(bad)
    path = tmp_path / "f.mitm"
    path.write_bytes(bad + tnetstring.dumps(_STATES[1]))
    src = load_mitm(path)
    flows = list(src.flows)
    assert [f.id for f in flows] == [_STATES[0]["id"], _STATES[1]["id"]] and not src.incomplete


@pytest.mark.parametrize("item", [b"99:x]", b"3:abc?", b"x:abc,", b"3:abc"])
def test_broken_framing_of_a_skipped_value_is_refused(tmp_path: Path, item: bytes) -> None:
    """A skipped value whose own prefix runs past its container, whose type byte is not a
    tnetstring type or whose prefix is not digits is refused as today: a first record makes the
    file not a flow file, a later one ends the read there (the flows before it kept)."""
    bad = _state_with_cipher_list(item)
    with pytest.raises(ValueError):
        parse_flow(bad[-1], bad[bad.index(b":") + 1 : -1])
    path = tmp_path / "f.mitm"
    path.write_bytes(bad)
    with pytest.raises(AnalysisError, match="not a mitmproxy flow file"):
        list(load_mitm(path).flows)
    path.write_bytes(tnetstring.dumps(_STATES[1]) + bad + tnetstring.dumps(_STATES[0]))
    src = load_mitm(path)
    assert [f.id for f in src.flows] == [_STATES[1]["id"]] and src.incomplete


_SETTINGS = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                            HealthCheck.large_base_example])


REFUSED = object()


@_SETTINGS
@given(MITM)
def test_mutated_states_agree_with_the_full_parser(data: bytes) -> None:
    """On mutated flow states: what ``parse`` accepts ``parse_flow`` accepts, equal but for the
    skipped keys; what ``parse_flow`` alone accepts is a current-format state that ``parse``
    accepts, to the same value, once the skipped items are cut out (the damage was in them)."""
    i = 0
    while i < len(data):
        colon = data.find(b":", i, i + 13)
        if colon <= i or not data[i:colon].isdigit() or colon + 1 + int(data[i:colon]) >= len(data):
            return
        stop = colon + 1 + int(data[i:colon])
        tag, payload = data[stop], data[colon + 1 : stop]
        i = stop + 1
        try:
            full: Any = parse(tag, payload)
        except ValueError:
            full = REFUSED
        try:
            ours: Any = parse_flow(tag, payload)
        except ValueError:
            assert full is REFUSED, payload[:200]
            continue
        if full is not REFUSED:
            assert repr(ours) == repr(stripped(full)), payload[:200]
        else:
            assert ours.get("version") == tnetflow.FLOW_FORMAT_VERSION, payload[:200]
            assert repr(parse(tag, without_skipped(payload))) == repr(ours), payload[:200]


@_SETTINGS
@given(st.binary(max_size=40), st.sampled_from(b",;#^!~]}"))
def test_any_payload_inside_a_skipped_value_is_read_around(junk: bytes, tag: int) -> None:
    """Whatever bytes a skipped value holds (framed by a right prefix and a tnetstring type byte),
    the state read is the one ``parse`` reads once the skipped items are cut out, and equal to
    ``parse``'s own value wherever that accepts it."""
    data = _state_with_cipher_list(b"%d:%s%c" % (len(junk), junk, tag))
    payload = data[data.index(b":") + 1 : -1]
    ours = parse_flow(data[-1], payload)
    assert repr(ours) == repr(parse(data[-1], without_skipped(payload)))
    assert "cipher_list" not in ours["client_conn"] and ours["client_conn"]["peername"]
    try:
        full = parse(data[-1], payload)
    except ValueError:
        return
    assert repr(ours) == repr(stripped(full))


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_loader_reads_every_flow_file_as_with_the_full_parser(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record the loader makes (and every problem it reports) is the same with the full parser."""
    def load(parser: Any) -> Any:
        monkeypatch.setattr(loaders, "parse_flow", parser)
        try:
            src = load_mitm(path)
            flows = [repr(f) for f in src.flows]
            return flows, [repr(m) for m in src.ws_messages], src.problems, src.incomplete, src.skipped
        except AnalysisError as exc:
            return str(exc)

    assert load(parse_flow) == load(parse)


def test_the_loader_comparison_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipping a key the loader reads (the client's address) is caught by the comparison above."""
    path = TESTS / "analysis" / "data" / "bad_input" / "good-batch.mitm"
    monkeypatch.setattr(tnetflow._CONN, "skip", UNREAD["conn"] | {"peername"})
    with pytest.raises(AssertionError):
        test_loader_reads_every_flow_file_as_with_the_full_parser(path, monkeypatch)
