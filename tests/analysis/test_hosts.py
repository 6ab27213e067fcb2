"""Host names in one canonical form for every loader (issue 10 item 5): IPv6 literals without
brackets and with one port, no trailing dot, lower case; the cases 09 and 12 of 2026-11-30."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.analysis import Options, analyze
from harness.analysis.facts import load_facts
from harness.analysis.hosts import netloc, normalise_host, normalise_record, split_authority
from harness.analysis.policy import Policy, load_policy
from harness.capture.records import FlowRecord
from harness.capture.store import RunStore

DATA = Path(__file__).parent / "data"
ANDROID_ID = "5f2d8c1a9b3e7d40"


@pytest.mark.parametrize("raw,want", [
    ("[2408:8000::1]", "2408:8000::1"),
    ("2408:8000:0:0::1", "2408:8000::1"),
    ("[2408:8000::1%eth0]", "2408:8000::1%eth0"),
    ("collect.example-dpf.com.", "collect.example-dpf.com"),
    ("Collect.Example-DPF.COM", "collect.example-dpf.com"),
    ("47.241.69.153", "47.241.69.153"),
    ("::ffff:47.241.69.153", "47.241.69.153"),
    ("[::ffff:2ff1:4599]", "47.241.69.153"),
    ("Bücher.Example.", "xn--bcher-kva.example"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    (" ", None),
    (None, None),
])
def test_normalise_host(raw: str | None, want: str | None) -> None:
    assert normalise_host(raw) == want


@pytest.mark.parametrize("authority,want", [
    ("[2408:8000::1]:8443", ("2408:8000::1", 8443)),
    ("[2408:8000::1]", ("2408:8000::1", None)),
    ("2408:8000::1", ("2408:8000::1", None)),
    ("collect.example-dpf.com.:443", ("collect.example-dpf.com", 443)),
    ("a.test:99999", ("a.test", None)),
    ("a.test", ("a.test", None)),
])
def test_split_authority(authority: str, want: tuple) -> None:
    assert split_authority(authority) == want


def test_host_fields_with_a_port() -> None:
    rec = FlowRecord(id="p", kind="http", started_at=0, ended_at=0, host="Collect.Example.com:443",
                     server_host="[2408:8000::1]:8443", server_ip="::ffff:47.241.69.153")
    normalise_record(rec)
    assert (rec.host, rec.server_host, rec.server_ip) == ("collect.example.com", "2408:8000::1", "47.241.69.153")


def test_netloc() -> None:
    assert netloc("2408:8000::1", 8443, "https") == "[2408:8000::1]:8443"
    assert netloc("2408:8000::1", 443, "https") == "[2408:8000::1]"
    assert netloc("a.test", 80, "http") == "a.test"


def test_record_url_rebuilt_only_when_broken() -> None:
    broken = FlowRecord(id="f", kind="http", started_at=0, ended_at=0, host="[2408:8000::1]", port=8443,
                        url="https://[2408:8000::1]:8443:8443/v1/collect?a=1")
    assert normalise_record(broken).url == "https://[2408:8000::1]:8443/v1/collect?a=1"
    assert broken.host == "2408:8000::1"
    dot = FlowRecord(id="g", kind="http", started_at=0, ended_at=0, host="Collect.Example-DPF.com.", port=443,
                     url="https://Collect.Example-DPF.com./v1")
    assert normalise_record(dot).url == "https://collect.example-dpf.com/v1"
    other = FlowRecord(id="h", kind="http", started_at=0, ended_at=0, host="a.test", port=443,
                       url="https://b.test/x")
    assert normalise_record(other).url == "https://b.test/x"


def test_case_09_ipv6_literal_mitm() -> None:
    d = DATA / "09-ipv6-literal-host-mitm"
    a = analyze(d / "ipv6.mitm", Options(facts=load_facts(d / "facts.json")))
    assert set(a.flows["host"]) == {"2408:8000::1"}
    assert set(a.flows["server_host"]) == {"2408:8000::1"}
    for url in a.flows["url"]:
        assert url.startswith("https://[2408:8000::1]:8443/v1/collect?"), url
    assert len(a.destinations) == 1 and a.destinations["host"].iloc[0] == "2408:8000::1"
    assert {f.kind for f in a.finding_list} >= {"pii_sent"}


def test_case_12_trailing_dot_one_destination_dpf() -> None:
    d = DATA / "12-trailing-dot-host-policy"
    a = analyze(d / "dot.mitm", Options(facts=load_facts(d / "facts.json"), policy=load_policy(d / "policy.yaml")))
    assert list(a.destinations["host"]) == ["collect.example-dpf.com"]
    assert a.destinations["jurisdiction"].iloc[0] == "adequate"
    kinds = [f.kind for f in a.finding_list]
    assert "pii_sent" in kinds and "pii_abroad" not in kinds


def test_policy_matches_trailing_dot_and_case() -> None:
    p = Policy(dpf_certified=["*.Example-DPF.com."], hosts={"*.xiaomi.test": "third_country"})
    assert p.classify("US", "collect.example-dpf.com.") == "adequate"
    assert p.classify("DE", "API.Xiaomi.test.") == "third_country"


def _flow(fid: str, host: str, url: str, ip: str, port: int = 443) -> FlowRecord:
    return FlowRecord(id=fid, kind="http", started_at=1.0, ended_at=2.0, server_host=host, server_ip=ip,
                      server_port=port, host=host, port=port, scheme="https", method="GET", url=url,
                      path="/v1?aid=" + ANDROID_ID, status_code=204)


def test_run_store_and_har_normalised_the_same(tmp_path: Path) -> None:
    """The run store and HAR loaders give the same canonical hosts as the .mitm loader."""
    run = tmp_path / "run"
    store = RunStore.create(run)
    store.add_flow(_flow("f1", "collect.example-dpf.com.", f"https://collect.example-dpf.com./v1?aid={ANDROID_ID}",
                         "34.117.59.81"))
    store.add_flow(_flow("f2", "collect.example-dpf.com", f"https://collect.example-dpf.com/v1?aid={ANDROID_ID}",
                         "34.117.59.81"))
    store.add_flow(_flow("f3", "[2408:8000::1]", f"https://[2408:8000::1]:8443/v1?aid={ANDROID_ID}",
                         "[2408:8000::1]", 8443))
    store.close("complete")
    har = tmp_path / "x.har"
    entries = [{"startedDateTime": "2026-11-30T00:00:00Z", "time": 1, "serverIPAddress": ip,
                "request": {"method": "GET", "url": url, "headers": []},
                "response": {"status": 204, "headers": [], "content": {"size": 0}}}
               for url, ip in ((f"https://collect.example-dpf.com./v1?aid={ANDROID_ID}", "34.117.59.81"),
                               (f"https://COLLECT.example-dpf.com/v1?aid={ANDROID_ID}", "34.117.59.81"),
                               (f"https://[2408:8000::1]:8443/v1?aid={ANDROID_ID}", "[2408:8000::1]"))]
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    policy = Policy(dpf_certified=["*.example-dpf.com"])
    for path in (run, har):
        a = analyze(path, Options(facts={"android_id": ANDROID_ID}, policy=policy))
        assert sorted(a.destinations["host"]) == ["2408:8000::1", "collect.example-dpf.com"], path
        assert set(a.destinations["server_ip"]) == {"2408:8000::1", "34.117.59.81"}
        dpf = a.destinations[a.destinations["host"] == "collect.example-dpf.com"]
        assert dpf["flows"].iloc[0] == 2 and dpf["jurisdiction"].iloc[0] == "adequate"
        assert "https://[2408:8000::1]:8443/v1?aid=" + ANDROID_ID in set(a.flows["url"])


def test_agent_event_hosts_normalised(tmp_path: Path) -> None:
    """An agent's connect event naming the host with a trailing dot is the proxied destination."""
    from harness.analysis.loaders import Source
    from harness.capture.records import AgentEvent

    flows = [_flow("f1", "collect.example-dpf.com", "https://collect.example-dpf.com/v1", "34.117.59.81")]
    events = [AgentEvent("net:connect", "agent", 1.0, payload={"host": "Collect.Example-DPF.com.", "port": 443})]
    a = analyze(Source("test", tmp_path, iter(flows), events=iter(events)), Options())
    assert a.meta["coverage"] == {"agent_targets": 1, "proxied": 1, "missing": []}
