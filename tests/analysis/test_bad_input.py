"""Bad input through the real CLI (issue 12): one line on stderr naming file, problem and fix, exit 2.

The files in ``data/bad_input/`` each made ``harness analyze`` (or ``harness demo --world``) print a
traceback; a file with some good records keeps them, is marked incomplete and counts the rest.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from mitmproxy.io import tnetstring

from harness.analysis.synthetic import make_flow, write_flows
from harness.cli.context import Env
from harness.cli.main import main

DATA = Path(__file__).parent / "data" / "bad_input"


def run_cli(args: list[str], home: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def one_error_line(err: str, name: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert name in line and "(fix: " in line and "Traceback" not in line, line
    return line


#: (command with FILE for the bad file, problem the message must name)
CASES = {
    "har-deep-nesting.har": (["analyze", "FILE"], "nested too deeply"),
    "har-lone-surrogate-header.har": (["analyze", "FILE", "--facts", "good-facts.json"], "names no host"),
    "har-status-infinity.har": (["analyze", "FILE"], "none of its 1 HAR entries could be read"),
    "mitm-huge-length-prefix.mitm": (["analyze", "FILE"], "torn record: its prefix announces 999999999999 bytes"),
    "mitm-short-peername.mitm": (["analyze", "FILE"], "none of its 1 flows could be read"),
    "mitm-missing-state-key.mitm": (["analyze", "FILE"], "flow state has no 'id'"),
    "facts-custom-as-list.json": (["analyze", "good-batch.mitm", "--facts", "FILE"],
                                  "at custom: expected null or object, got list"),
    "policy-invalid-date.yaml": (["analyze", "good-batch.mitm", "--policy", "FILE"], "must be a mapping"),
    # trial 6 finding H: an empty policy was used silently as the default one
    "policy-empty.yaml": (["analyze", "good-batch.mitm", "--policy", "FILE"], "is empty (no YAML document)"),
    "geo-overrides-not-utf8.yaml": (["analyze", "good-batch.mitm", "--geo-overrides", "FILE"], "is not UTF-8 text"),
    "world-mixed-key-types.yaml": (["demo", "--world", "FILE"], "at (top level): key 1 is not text"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_gives_one_line_and_exit_2(name: str, tmp_path: Path) -> None:
    args, problem = CASES[name]
    argv = [str(DATA / name) if a == "FILE" else str(DATA / a) if a.startswith("good-") else a for a in args]
    code, _, err = run_cli(argv, tmp_path)
    assert code == 2, err
    assert problem in one_error_line(err, name)


@pytest.mark.timeout(120)
def test_bad_file_exit_status_of_the_installed_command(tmp_path: Path) -> None:
    """The same through a separate process: status 2 (not 1, "findings"), no traceback."""
    proc = subprocess.run([sys.executable, "-m", "harness", "analyze", str(DATA / "mitm-huge-length-prefix.mitm")],
                          capture_output=True, text=True, timeout=110)
    assert proc.returncode == 2
    one_error_line(proc.stderr, "mitm-huge-length-prefix.mitm")


def test_empty_flow_file_is_refused_like_an_empty_har(tmp_path: Path) -> None:
    """An empty ``.mitm`` (``mitmdump -w`` before any flow reached it) is no capture: one line, exit 2
    (trial 5, finding 5: it was "0 flows ... 0 findings", exit 0)."""
    empty = tmp_path / "empty.mitm"
    empty.touch()
    code, out, err = run_cli(["analyze", str(empty)], tmp_path)
    assert code == 2 and out == ""
    assert "is empty, not a flow file" in one_error_line(err, "empty.mitm")


@pytest.mark.parametrize("what", ["run", "har"])
def test_input_without_flows_exits_2_saying_so(tmp_path: Path, what: str) -> None:
    """A complete run whose store (and flows.mitm) hold no flows, or a HAR with no entries: analysed,
    but nothing recorded proves nothing, so exit 2 with one warning line, not 0."""
    from harness.capture.store import RunStore

    if what == "run":
        path = tmp_path / "run"
        store = RunStore.create(path)
        (path / "flows.mitm").touch()  # the recorder's file, still empty
        store.close("complete")
    else:
        path = tmp_path / "none.har"
        path.write_text(json.dumps({"log": {"version": "1.2", "entries": []}}))
    code, out, err = run_cli(["analyze", str(path)], tmp_path / "home")
    assert code == 2 and "0 flows" in out and "0 findings" in out
    assert "holds no flows: nothing was recorded" in one_error_line(err, path.name)


def test_damaged_run_store_names_the_flow_file_to_analyse(tmp_path: Path) -> None:
    """A run whose store.sqlite is damaged but whose flows.mitm is intact: the refusal's fix is the
    command that reads the flows (trial 5, item 17), and that command works."""
    from harness.capture.store import RunStore

    run = tmp_path / "badrun"
    RunStore.create(run).close("complete")
    write_flows(run / "flows.mitm", [make_flow("https://a.example.test/")])
    db = run / "store.sqlite"
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * 3996  # the schema page
    db.write_bytes(bytes(data))
    code, _, err = run_cli(["analyze", str(run)], tmp_path / "home")
    line = one_error_line(err, "store.sqlite")
    assert code == 2 and f"harness analyze {run / 'flows.mitm'}" in line, line
    code, out, _ = run_cli(["analyze", str(run / "flows.mitm")], tmp_path / "home")
    assert code == 0 and "1 flows" in out


def test_error_quotes_at_most_80_characters_of_a_value(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"custom": {"name": ["x" * 1_000_000]}}))
    code, _, err = run_cli(["analyze", str(DATA / "good-batch.mitm"), "--facts", str(facts)], tmp_path)
    line = one_error_line(err, "facts.json")
    assert code == 2 and "at custom.name" in line and len(line) < 400


def _good_entry(i: int) -> dict:
    return {"startedDateTime": "2024-05-01T10:00:00Z", "time": 5,
            "request": {"method": "GET", "url": f"https://good{i}.test/", "headers": []},
            "response": {"status": 200, "headers": [], "content": {"text": "ok"}}}


def test_har_with_some_bad_entries_keeps_the_good_ones(tmp_path: Path) -> None:
    bad = [
        {**_good_entry(9), "response": {"status": 1e20}},  # past any HTTP status
        {**_good_entry(9), "request": {"method": "GET", "url": "https://a b/"}},  # a bad host
        {**_good_entry(9), "request": {"method": "GET", "url": "/relative"}},  # no host at all
        {**_good_entry(9), "response": {"status": float("-inf")}, "request": {"method": "GET", "url": "/"}},
        5,  # not an object
        {"request": {"method": "GET", "url": "https://no-time.test/"}},  # no startedDateTime, no response
    ]
    har = tmp_path / "mixed.har"
    har.write_text(json.dumps({"log": {"entries": [_good_entry(1), *bad, _good_entry(2)]}}))
    code, out, err = run_cli(["analyze", str(har), "--json"], tmp_path)
    assert code == 2
    doc = json.loads(out)
    assert doc["incomplete"] and doc["counts"]["flows"] == 2 and doc["counts"]["skipped_records"] == 6
    lines = err.splitlines()
    assert len(lines) == 1 and "6 records skipped in all" in lines[0] and "(fix: " in lines[0]
    assert "HAR entry 2 skipped" in lines[0]


def test_lone_surrogate_is_escaped_not_fatal(tmp_path: Path) -> None:
    entry = _good_entry(1)
    entry["request"]["headers"] = [{"name": "X-\udc00", "value": "v\ud800"}]
    entry["request"]["url"] = "https://good.test/\udc00"
    har = tmp_path / "s.har"
    har.write_text(json.dumps({"log": {"entries": [entry]}}))
    code, out, err = run_cli(["analyze", str(har), "--json"], tmp_path)
    assert code == 0, err
    assert json.loads(out)["counts"]["flows"] == 1


def _v7_websocket(handshake_id: str, ws_id: str) -> list[dict]:
    """A WebSocket as mitmproxy 6 (flow format 7) wrote it: the handshake, then a separate
    WebSocket flow whose text messages are ``str``."""
    conn = {"address": ["127.0.0.1", 50000], "alpn_proto_negotiated": None, "cipher_name": None, "clientcert": None,
            "id": "c1", "mitmcert": None, "sni": None, "timestamp_end": None, "timestamp_start": 1_600_000_000.0,
            "timestamp_tls_setup": None, "tls_established": False, "tls_extensions": None, "tls_version": None}
    server = {"address": ["chat.example.test", 80], "alpn_proto_negotiated": None, "cert": None, "id": "s1",
              "ip_address": ["127.0.0.9", 80], "sni": None, "source_address": ["127.0.0.1", 50001],
              "timestamp_end": 1_600_000_003.0, "timestamp_start": 1_600_000_000.0, "timestamp_tcp_setup": None,
              "timestamp_tls_setup": None, "tls_established": False, "tls_version": None, "via": None}
    handshake = {
        "client_conn": conn, "server_conn": server, "error": None, "id": handshake_id, "intercepted": False,
        "marked": False, "metadata": {"websocket": True}, "mode": "transparent", "type": "http", "version": 7,
        "request": {"content": b"", "first_line_format": "relative", "headers": [[b"Host", b"chat.example.test"]],
                    "host": b"chat.example.test", "http_version": b"HTTP/1.1", "is_replay": False, "method": b"GET",
                    "path": b"/socket", "port": 80, "scheme": b"http", "timestamp_end": 1_600_000_000.1,
                    "timestamp_start": 1_600_000_000.0},
        "response": {"content": b"", "headers": [[b"Upgrade", b"websocket"]], "http_version": b"HTTP/1.1",
                     "reason": b"Switching Protocols", "status_code": 101, "timestamp_end": 1_600_000_000.3,
                     "timestamp_start": 1_600_000_000.2},
    }
    ws = {
        "client_conn": conn, "server_conn": server, "error": None, "id": ws_id, "intercepted": False,
        "marked": False, "metadata": {"websocket_handshake": handshake_id}, "type": "websocket", "version": 7,
        "close_code": 1000, "close_message": "", "close_reason": "", "close_sender": "client",
        "client_extensions": None, "client_key": "k", "client_protocol": None, "server_accept": "a",
        "server_extensions": None, "server_protocol": None,
        "messages": [[1, True, "hello imei 356938035643809", 1_600_000_001, False],
                     [2, False, b"\x00\x01binary", 1_600_000_002, False]],
    }
    return [handshake, ws]


def test_websocket_from_flow_format_7_keeps_str_messages(tmp_path: Path) -> None:
    """Issue 10 item 2: after migration a message's content is ``str``; the flow is kept, and a
    bad flow before it is named by its own number."""
    p = tmp_path / "old.mitm"
    write_flows(p, [make_flow("https://first.example.test/")])
    with p.open("ab") as fh:
        fh.write(tnetstring.dumps({"version": 7, "type": "http"}))  # flow 2: unreadable
        for state in _v7_websocket("hs-1", "ws-1"):  # flows 3 and 4
            fh.write(tnetstring.dumps(state))
    from harness.analysis.loaders import load_mitm

    src = load_mitm(p)
    flows = list(src.flows)
    messages = list(src.ws_messages)
    assert [f.kind for f in flows] == ["http", "websocket"]  # the handshake is not counted twice
    assert flows[1].url == "http://chat.example.test/socket" and flows[1].status_code == 101
    assert [(m.is_text, m.from_client, m.content) for m in messages] == [
        (True, True, b"hello imei 356938035643809"), (False, False, b"\x00\x01binary")]
    assert src.skipped == 1 and src.problems[0].startswith("old.mitm: flow 2 skipped")


def test_mitm_with_a_torn_tail_keeps_the_flows_before(tmp_path: Path) -> None:
    p = tmp_path / "torn.mitm"
    write_flows(p, [make_flow("https://a.example.test/"), make_flow("https://b.example.test/")])
    with p.open("ab") as fh:
        fh.write(b"999999999:{")
    code, out, err = run_cli(["analyze", str(p), "--json"], tmp_path)
    assert code == 2 and json.loads(out)["counts"]["flows"] == 2
    assert "truncated or corrupt after 2 flows" in one_error_line(err, "torn.mitm")


def test_title_quadratic_case_is_analysed(tmp_path: Path) -> None:
    """The eleventh file of the cases: a valid HAR whose 256 KiB body repeats ``<title>`` (the
    linear title scan is the analysis layer's, tested there); through the CLI it is simply read."""
    code, out, err = run_cli(["analyze", str(DATA.parent / "har-title-quadratic.har"), "--json"], tmp_path)
    assert code == 0 and err == ""
    assert json.loads(out)["counts"]["flows"] == 1


#: facts with a number where text is searched (trial report item 5: ``{"imei": 123}`` found nothing,
#: silently): (facts, the place and the shape the line must name)
NUMBER_FACTS = [
    ({"imei": 123}, "at imei: expected a string or a list of strings, got int 123"),
    ({"imei": 352099001761481}, "at imei: expected a string or a list of strings, got int"),
    ({"phone_number": ["+37061234567", 37061234567]}, "at phone_number[1]: expected a string or a list of strings"),
    ({"facts": {"android_id": 9774}}, "at android_id: expected a string or a list of strings"),
    ({"installed_apps": ["com.a.b", 5]}, "at installed_apps[1]: expected a list of strings"),
    ({"custom": {"order": 12345}}, "at custom.order: expected a string"),
    ({"canaries": {"clipboard": 123456}}, "at canaries.clipboard: expected a string"),
    ({"canaries": {"contact": {"phone": 37061234}}}, "at canaries.contact.phone: expected null or string"),
]


@pytest.mark.parametrize(("facts", "problem"), NUMBER_FACTS)
def test_facts_with_a_number_where_text_is_searched(tmp_path: Path, facts: dict, problem: str) -> None:
    path = tmp_path / "facts2.json"
    path.write_text(json.dumps(facts))
    code, out, err = run_cli(["analyze", str(DATA / "good-batch.mitm"), "--facts", str(path)], tmp_path)
    assert code == 2 and out == ""
    assert problem in one_error_line(err, "facts2.json")
