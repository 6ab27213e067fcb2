"""Fuzzing surfaces: what each input is, how it is written to disk and which loader reads it.

A :class:`Surface` pairs a Hypothesis strategy (:mod:`harness.testing.fuzz_inputs`) with a target
that reads the input the way the CLI does. The promise checked (issue 12): a target returns or
raises :class:`~harness.errors.HarnessError` (one line, exit 2 at the CLI); any other exception is
a crash. The property tests (``tests/fuzz/``) run each surface with a small example budget;
``benchmarks/fuzz.py --surface NAME --minutes N`` runs one for long, in a watched worker process
that also catches hangs and memory growth. Needs ``hypothesis`` (the ``test`` extra).
"""

from __future__ import annotations

import copy
import socket
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from mitmproxy.io import tnetstring
from mitmproxy.test import tflow

from harness.sim.adb.wire import Packet
from harness.testing import fuzz_inputs as fi

#: errors a flow state can raise when tnetstring-encoded (a surrogate in a str, a float key ...)
_ENCODE_ERRORS = (ValueError, TypeError, UnicodeError, RecursionError, OverflowError)


def _states() -> list[dict[str, Any]]:
    from harness.analysis.synthetic import make_flow

    flows = [make_flow("https://collect.example.test/v1?imei=356938035643809", method="POST",
                       request_body=b'{"id": "9774d56d682e549c"}', server_ip="127.0.0.9"),
             make_flow("http://[2408:8000::1]:8443/x", status=None, error="TLS handshake failed"),
             tflow.twebsocketflow(), tflow.ttcpflow()]
    return [f.get_state() for f in flows]


_STATES = _states()


def _tnet(states: list[Any]) -> bytes:
    out = b""
    for state in states:
        try:
            out += tnetstring.dumps(state)
        except _ENCODE_ERRORS:
            out += b"0:~"
    return out


_STATE = st.sampled_from(_STATES).map(copy.deepcopy)
#: whole ``.mitm`` files: one to three (mutated) flow states, sometimes cut or spliced
MITM = st.one_of(
    st.lists(fi.mutated(_STATE), min_size=1, max_size=3).map(_tnet),
    fi.spliced(st.lists(_STATE, min_size=1, max_size=2).map(_tnet)),
    st.sampled_from([b"999999999999:", b"5:hello,", b"0:}", b"3:abc!", b"1:1^", b"2:" * 10, b"\x00"]),
)

_FLOW_COLUMNS = ["id", "kind", "started_at", "ended_at", "client_port", "server_host", "server_ip", "server_port",
                 "host", "port", "path", "url", "status_code", "request_headers", "response_headers",
                 "request_body", "response_body", "response_body_size", "extra", "step_id"]
_SQL_VALUE = st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.text(max_size=30),
                       st.binary(max_size=30), st.sampled_from(["[[1]]", "{", "[[\"a\"]]", "\"x\"", "null", "[]"]))
#: run store corruptions: (table, column, value) written over the first row
RUNSTORE = st.lists(st.one_of(
    st.tuples(st.just("flows"), st.sampled_from(_FLOW_COLUMNS), _SQL_VALUE),
    st.tuples(st.just("ws_messages"), st.sampled_from(["flow_id", "timestamp", "content", "size"]), _SQL_VALUE),
    st.tuples(st.just("events"), st.sampled_from(["type", "timestamp", "payload", "data", "pid"]), _SQL_VALUE),
    st.tuples(st.just("steps"), st.sampled_from(["id", "name", "info", "started_at"]), _SQL_VALUE),
    st.tuples(st.just("meta"), st.sampled_from(["status", "reason"]), _SQL_VALUE),
), min_size=1, max_size=3)

_PACKET = st.builds(lambda cmd, a0, a1, data, ck: Packet(cmd, a0, a1, data).encode(with_checksum=ck),
                    st.sampled_from([0x4E584E43, 0x4E45504F, 0x59414B4F, 0x45534C43, 0x45545257, 0x48545541, 0]),
                    st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.binary(max_size=64), st.booleans())


def _varint(n: int) -> bytes:
    out = b""
    while n >= 0x80:
        out, n = out + bytes([n & 0x7F | 0x80]), n >> 7
    return out + bytes([n])


#: protobuf-shaped bytes (field keys of every wire type, varints, lengths, payloads), whole, cut
#: short, and noise: the protowire surface
_PB_FIELD = st.tuples(st.integers(1, 300), st.sampled_from([0, 1, 2, 5, 3, 6]), st.binary(max_size=12)).map(
    lambda f: _varint(f[0] << 3 | f[1]) + (_varint(len(f[2])) + f[2] if f[1] == 2 else f[2][:8]))
_PB = st.lists(_PB_FIELD, min_size=1, max_size=6).map(b"".join)
PROTOWIRE = st.one_of(_PB, _PB.flatmap(lambda b: st.integers(0, len(b)).map(lambda i: b[:i])), st.binary(max_size=64))
#: bytes a peer sends to the virtual handset's ADB daemon
ADB = st.one_of(fi.spliced(st.lists(_PACKET, min_size=1, max_size=4).map(b"".join)), st.binary(max_size=200))


# ---------------------------------------------------------------- targets


def _analyze(path: Path) -> None:
    from harness.analysis.pipeline import Options, analyze

    analyze(path, Options())


def _tnet_parsers(path: Path) -> None:
    """The analysis's tnetstring parser on every record of the file, against mitmproxy's: a record
    ours reads must be one mitmproxy reads to an equal value (else ``AssertionError``, a crash);
    a record ours refuses is a ``ValueError``, raised here as a ``HarnessError``."""
    from harness.analysis.tnet import read_tnetstring
    from harness.errors import AnalysisError

    data = path.read_bytes()
    rest = memoryview(data)
    with path.open("rb") as fh:
        while True:
            try:
                ours = read_tnetstring(fh, len(data))
            except EOFError:
                return
            except ValueError as exc:
                raise AnalysisError(f"{path}: {str(exc)[:80]}", fix="a flow file written by mitmdump -w") from None
            theirs, rest = tnetstring.pop(rest)
            assert repr(ours) == repr(theirs), f"parsers differ on {path}"


def _protowire(path: Path) -> None:
    """The protobuf pre-filter (``harness.analysis.protowire``) on the file's bytes: the strings
    found with it must be those ``blackboxprotobuf`` alone finds (else ``AssertionError``, a crash)."""
    from harness.analysis.protowire import decoded_strings, protobuf_strings

    data = path.read_bytes()
    assert protobuf_strings(data) == decoded_strings(data), f"the protobuf pre-filter differs on {path}"


def _facts(path: Path) -> None:
    from harness.analysis.facts import known_values_from_facts, load_facts
    from harness.analysis.pii import PiiMatcher

    PiiMatcher(known_values_from_facts(load_facts(path)))


def _policy(path: Path) -> None:
    from harness.analysis.policy import load_policy

    load_policy(path).classify("US", "a.example-dpf.com")


def _world(path: Path) -> None:
    from harness.sim.world.config import load_world

    load_world(path)


def _geo(path: Path) -> None:
    from harness.analysis.geo import GeoResolver, load_overrides

    GeoResolver(load_overrides(path), use_iptocc=False).resolve("127.0.0.9")


def _profile(path: Path) -> None:
    from harness.scenario.profile import load_profile

    load_profile(path)


def _adb(path: Path) -> None:
    """Feed the bytes to the packet reader over a real socket pair until it stops."""
    from harness.sim.adb.wire import MAX_PAYLOAD, AdbProtocolError, read_packet

    a, b = socket.socketpair()
    with a, b:
        a.sendall(path.read_bytes())
        a.shutdown(socket.SHUT_WR)
        try:
            while True:
                read_packet(b, max_payload=MAX_PAYLOAD)
        except (ConnectionError, AdbProtocolError):
            return


def runstore_dir(plan: list[tuple[str, str, Any]], where: Path) -> Path:
    """A run directory with two flows, a WebSocket message, an event and a step, then ``plan``'s
    values written over the first row of each named table (as a damaged or foreign store would)."""
    from harness.capture.records import AgentEvent, FlowRecord, WsMessage
    from harness.capture.store import RunStore

    run = where / "run"
    store = RunStore.create(run)
    store.begin_step("s1", "open app")
    store.add_flow(FlowRecord(id="f1", kind="http", started_at=1.0, ended_at=2.0, host="a.test", port=443,
                              url="https://a.test/", status_code=200, response_body=b"<title>x</title>"))
    store.add_flow(FlowRecord(id="f2", kind="websocket", started_at=1.0, ended_at=2.0, host="b.test", port=443,
                              url="https://b.test/ws"))
    store.add_ws_message(WsMessage("f2", 1.5, True, True, b"hello", 5))
    store.add_event(AgentEvent(type="crypto:plaintext", source="fuzz", timestamp=1.5, payload={"text": "hi"}))
    store.end_step("s1")
    store.close("complete")
    db = sqlite3.connect(run / "store.sqlite")
    with db:
        for table, column, value in plan:
            if table == "meta":
                db.execute("UPDATE meta SET value = ? WHERE key = ?", (value, column))
            else:
                key = "ord" if table == "steps" else "seq"
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = (SELECT MIN({key}) FROM {table})",
                           (value,))
    db.close()
    return run


@dataclass(frozen=True)
class Surface:
    """One input surface: ``strategy`` draws an input, ``write`` puts it on disk, ``target`` reads
    it as the harness does (returning, or raising ``HarnessError``)."""

    name: str
    strategy: st.SearchStrategy[Any]
    suffix: str
    target: Callable[[Path], None]

    def write(self, value: Any, where: Path) -> Path:
        if self.name == "runstore":
            try:
                return runstore_dir(value, where)
            except (sqlite3.Error, OverflowError) as exc:  # a value SQLite cannot store: not a harness input
                raise Unwritable(str(exc)) from None
        suffix, data = value if isinstance(value, tuple) else (self.suffix, value)
        path = where / f"input{suffix}"
        path.write_bytes(data)
        return path


class Unwritable(Exception):
    """The drawn value cannot be put on disk in this surface's form (not a finding)."""


SURFACES = {s.name: s for s in [
    Surface("har", fi.HAR, ".har", _analyze),
    Surface("mitm", MITM, ".mitm", _analyze),
    Surface("tnet", MITM, ".mitm", _tnet_parsers),
    Surface("protowire", PROTOWIRE, ".bin", _protowire),
    Surface("runstore", RUNSTORE, "", _analyze),
    Surface("facts", fi.FACTS, ".json", _facts),
    Surface("policy", fi.POLICY, ".yaml", _policy),
    Surface("world", fi.WORLD, ".yaml", _world),
    Surface("geo", fi.GEO, ".yaml", _geo),
    Surface("profile", fi.PROFILE, ".yaml", _profile),
    Surface("adb", ADB, ".bin", _adb),
]}


def run_surface(name: str, value: Any) -> str | None:
    """Write ``value`` as surface ``name``'s input and read it: None if it was read, the error
    line if the harness refused it (a ``HarnessError``); any other exception propagates (a crash).
    """
    from harness.errors import HarnessError

    surface = SURFACES[name]
    with tempfile.TemporaryDirectory(prefix="harness-fuzz-") as tmp:
        try:
            path = surface.write(value, Path(tmp))
        except Unwritable:
            return None
        try:
            surface.target(path)
        except HarnessError as exc:
            return str(exc)
    return None
