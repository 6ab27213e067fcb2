"""DNS and UDP flows in ``.mitm`` files of other tools (mitmproxy 10/11 in wireguard, transparent,
local or dns mode): a ``DNSFlow`` loads as kind ``dns`` with its questions, answers and resolver,
a ``UDPFlow`` as kind ``udp`` with its datagrams (harness.analysis.dnsflow, docs/analysis.md "DNS
lookups"), and every rule downstream reads them for what they are: the resolver is the
destination, an identifier in a looked-up name is personal data sent to the resolver, a lookup is
no TLS failure, no filtering response and no proof of a connection.

The captures are real mitmproxy 11 objects (``mitmproxy.test.tflow``) written by
``mitmproxy.io.FlowWriter``, and one recorded by a real ``mitmdump --mode dns`` on loopback."""

from __future__ import annotations

import ipaddress
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mitmproxy import connection, dns, io
from mitmproxy.net.dns import classes, types
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import tflow

from harness.analysis import Options, analyze
from harness.analysis.geo import GeoResolver, Override
from harness.analysis.loaders import open_source
from harness.analysis.summary import summary_dict, summary_text
from harness.capture.records import AgentEvent

ANDROID_ID = "9774d56d682e549c"
#: the phone's resolver, placed in Singapore by the test's geo table (TEST-NET-3)
RESOLVER = "203.0.113.53"
GEO = GeoResolver([Override(ipaddress.ip_network(f"{RESOLVER}/32"), "SG")])


def _msg(name: str, qtype: int = types.A, *, answers: tuple[str, ...] = (), rcode: int = 0,
         ts: float = 1_700_000_000.0) -> dns.Message:
    response = bool(answers) or rcode != 0
    return dns.Message(
        timestamp=ts, id=7, query=not response, op_code=0, authoritative_answer=False, truncation=False,
        recursion_desired=True, recursion_available=response, reserved=0, response_code=rcode,
        questions=[dns.Question(name, qtype, classes.IN)],
        answers=[dns.ResourceRecord.A(name, ipaddress.IPv4Address(a)) for a in answers],
        authorities=[], additionals=[])


def _lookup(name: str, *, answers: tuple[str, ...] = (), rcode: int = 0, error: bool = False,
            resolver: str | None = RESOLVER, mode: str = "wireguard") -> dns.DNSFlow:
    client = tflow.tclient_conn()
    client.proxy_mode = ProxyMode.parse(mode)
    client.transport_protocol = "udp"
    client.peername = ("10.0.0.2", 40000)
    server = connection.Server(address=(resolver, 53) if resolver else None, transport_protocol="udp")
    if resolver:
        server.peername = (resolver, 53)
    response = _msg(name, answers=answers, rcode=rcode, ts=1_700_000_000.02) if (answers or rcode) else False
    return tflow.tdnsflow(client_conn=client, server_conn=server, req=_msg(name), resp=response, err=error)


def _write(path: Path, flows: list) -> Path:
    with path.open("wb") as fh:
        w = io.FlowWriter(fh)
        for f in flows:
            w.add(f)
    return path


def test_dns_flows_load_with_names_answers_and_resolver(tmp_path: Path) -> None:
    ok = _lookup("api.vendor.test", answers=("198.51.100.7", "198.51.100.8"))
    nx = _lookup("gone.vendor.test", rcode=3)
    udp = tflow.tudpflow()
    src = open_source(_write(tmp_path / "wg.mitm", [ok, nx, udp]))
    recs = {r.id: r for r in src.flows}
    messages = list(src.ws_messages)
    assert not src.incomplete, src.problems
    r = recs[ok.id]
    assert (r.kind, r.host, r.server_host, r.server_ip, r.server_port) == ("dns", "api.vendor.test", RESOLVER, RESOLVER, 53)
    assert (r.scheme, r.method, r.reason, r.status_code) == ("dns", "QUERY", "NOERROR", None)
    assert r.url == f"dns://{RESOLVER}/api.vendor.test?type=A"  # RFC 4501, port 53 left out
    d = r.extra["dns"]
    assert d["questions"] == [{"name": "api.vendor.test", "type": "A", "class": "IN"}]
    assert [(a["name"], a["type"], a["data"]) for a in d["answers"]] == [
        ("api.vendor.test", "A", "198.51.100.7"), ("api.vendor.test", "A", "198.51.100.8")]
    assert d["resolver"] == f"{RESOLVER}:53" and d["answered_by_proxy"] is False and d["transport"] == "udp"
    assert r.ended_at == pytest.approx(1_700_000_000.02)
    assert (recs[nx.id].kind, recs[nx.id].reason, recs[nx.id].extra["dns"]["answers"]) == ("dns", "NXDOMAIN", [])
    # a UDP flow is kind udp; its datagrams are its messages (searched as TCP messages are)
    assert recs[udp.id].kind == "udp" and recs[udp.id].extra["mitmproxy_type"] == "udp"
    assert [(m.from_client, m.content) for m in messages if m.flow_id == udp.id] == [(True, b"hello"), (False, b"it's me")]


def test_the_resolver_is_the_destination_and_an_id_in_a_name_is_sent_abroad(tmp_path: Path) -> None:
    leak = _lookup(f"{ANDROID_ID}.t.tracker.test", answers=("198.51.100.9",))
    plain = _lookup("news.example.test", answers=("198.51.100.10",))
    a = analyze(_write(tmp_path / "leak.mitm", [leak, plain]),
                Options(facts={"android_id": ANDROID_ID}, geo=GEO))
    dest = a.destinations
    assert list(dest["host"]) == [RESOLVER] and list(dest["server_ip"]) == [RESOLVER]  # never the names
    assert list(dest["country"]) == ["SG"] and int(dest["flows"].iloc[0]) == 2
    sent = [f for f in a.finding_list if f.kind == "pii_sent"]
    abroad = [f for f in a.finding_list if f.kind == "pii_abroad"]
    assert [f.flow_ids for f in sent] == [[leak.id]] and [f.flow_ids for f in abroad] == [[leak.id]]
    assert sent[0].details["destination"] == RESOLVER and sent[0].details["locations"] == ["url"]
    # a lookup is no TLS failure, no pinning, no undelivered request
    assert not [f for f in a.finding_list if f.kind in ("pinning_failure", "pii_attempted")]
    s = summary_dict(a)
    assert s["pinning"]["tls_failures"] == 0
    assert s["dns"] == {"lookups": 2, "resolvers": [{
        "resolver": RESOLVER, "server_ip": RESOLVER, "country": "SG", "jurisdiction": "third_country",
        "lookups": 2, "names": [f"{ANDROID_ID}.t.tracker.test", "news.example.test"]}]}
    assert f"DNS lookups: 2 through 1 resolver(s)\n  {RESOLVER} (SG, third_country): 2 lookup(s)" in summary_text(a)


def test_a_failed_lookup_is_not_delivered(tmp_path: Path) -> None:
    failed = _lookup(f"{ANDROID_ID}.t.tracker.test", error=True)
    a = analyze(_write(tmp_path / "failed.mitm", [failed]), Options(facts={"android_id": ANDROID_ID}, geo=GEO))
    assert a.flows["kind"].tolist() == ["dns"]
    kinds = {f.kind for f in a.finding_list}
    assert "pii_attempted" in kinds and not kinds & {"pii_sent", "pii_abroad", "pinning_failure"}


def test_a_lookup_is_no_connection_and_no_filtering_response(tmp_path: Path) -> None:
    """coverage.agent_vs_proxy: a DNS flow of a name answers the agent's lookup of it, not a
    connect to it; filtering: a step with only a lookup has no response to compare."""
    lookup = _lookup("cdn.vendor.test", answers=("198.51.100.11",))
    lookup.metadata["harness.step_id"] = "exp"
    events = [AgentEvent("dns:resolve", "netwatch", 1.0, {"host": "cdn.vendor.test"}, step_id="exp"),
              AgentEvent("net:connect", "netwatch", 1.1, {"host": "cdn.vendor.test"}, step_id="exp")]
    src = open_source(_write(tmp_path / "cov.mitm", [lookup]))
    src.events = iter(events)
    a = analyze(src, Options(geo=GEO))
    gaps = [f for f in a.finding_list if f.rule == "coverage.agent_vs_proxy"]
    assert [(f.details["target"], f.event_ids) for f in gaps] == [("cdn.vendor.test", [events[1].id])]
    from harness.analysis.rules import _side

    side = _side(a.flows, [], {"step": "exp", "host": "cdn.vendor.test"})
    assert side.flow_id is None and side.failed is None


def test_a_lookup_answered_by_the_proxy_names_its_listener(tmp_path: Path) -> None:
    """mitmproxy's dns mode has no upstream server (it answers from its own resolver): the resolver
    is the proxy's DNS listener the client sent the query to."""
    f = _lookup("localhost", answers=("127.0.0.1",), resolver=None, mode="dns@127.0.0.1:5353")
    f.client_conn.sockname = ("127.0.0.1", 5353)
    (r,) = list(open_source(_write(tmp_path / "dnsmode.mitm", [f])).flows)
    assert (r.server_host, r.server_ip, r.server_port) == ("127.0.0.1", "127.0.0.1", 5353)
    assert r.url == "dns://127.0.0.1:5353/localhost?type=A"
    assert r.extra["dns"]["answered_by_proxy"] is True


def test_a_lookup_with_no_resolver_at_all_names_no_destination(tmp_path: Path) -> None:
    f = _lookup("orphan.vendor.test", answers=("198.51.100.12",), resolver=None)
    f.client_conn.sockname = ("", 0)
    a = analyze(_write(tmp_path / "orphan.mitm", [f]), Options(geo=GEO))
    assert a.flows["kind"].tolist() == ["dns"]
    assert a.destinations["host"].isna().all()  # not "orphan.vendor.test": the name is no destination
    assert summary_dict(a)["dns"]["resolvers"][0]["resolver"] is None


def test_a_malformed_dns_message_skips_only_that_flow(tmp_path: Path) -> None:
    bad = _lookup("bad.vendor.test", answers=("198.51.100.13",))
    good = _lookup("good.vendor.test", answers=("198.51.100.14",))
    path = _write(tmp_path / "bad.mitm", [bad, good])
    raw = path.read_bytes().replace(b"4:type;1:1#", b"4:type;1:x;", 1)  # a record type as text
    path.write_bytes(raw)
    src = open_source(path)
    assert [r.host for r in src.flows] == ["good.vendor.test"]
    assert src.skipped == 1 and ".type is str 'x', not a number" in src.problems[0]


def _query(name: str, port: int) -> dns.Message:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(20)
        s.sendto(_msg(name).packed, ("127.0.0.1", port))
        return dns.Message.unpack(s.recv(4096))


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_real_mitmdump_in_dns_mode(tmp_path: Path) -> None:
    """A real ``mitmdump --mode dns@127.0.0.1:PORT -w FILE``: ``localhost`` is answered from the
    hosts file, a name under ``.invalid`` (RFC 6761) gets NXDOMAIN; both are flows, no network."""
    mitmdump = shutil.which("mitmdump", path=str(Path(sys.executable).parent)) or shutil.which("mitmdump")
    if mitmdump is None:
        pytest.skip("mitmdump is not installed")
    port = _free_udp_port()
    out = tmp_path / "dns.mitm"
    log = (tmp_path / "mitmdump.log").open("wb")
    proc = subprocess.Popen([mitmdump, "--mode", f"dns@127.0.0.1:{port}", "-w", str(out),
                             "--set", "dns_name_servers=127.0.0.1"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while b"listening" not in (tmp_path / "mitmdump.log").read_bytes():
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "mitmdump.log").read_text()
            time.sleep(0.05)
        answered = _query("localhost", port)
        missing = _query(f"{ANDROID_ID}.harness.invalid", port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    assert [str(a) for a in answered.answers] == ["127.0.0.1"] and missing.response_code == 3
    a = analyze(out, Options(facts={"android_id": ANDROID_ID}))
    rows = a.flows.sort_values("started_at")
    assert rows["kind"].tolist() == ["dns", "dns"]
    assert rows["host"].tolist() == ["localhost", f"{ANDROID_ID}.harness.invalid"]
    assert rows["reason"].tolist() == ["NOERROR", "NXDOMAIN"]
    assert set(rows["server_host"]) == {"127.0.0.1"} and set(rows["server_port"]) == {port}
    assert [f.kind for f in a.finding_list if f.kind.startswith("pii")] == ["pii_sent"]  # NXDOMAIN is an answer
