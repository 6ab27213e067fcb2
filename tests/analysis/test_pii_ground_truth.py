"""Ground truth for PII search: every planted value is found in every encoding chain, through the
whole pipeline (real mitmproxy flow file -> loader -> decoders -> automaton -> findings)."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from harness.analysis import Options, analyze
from harness.analysis.facts import known_values_from_facts
from harness.analysis.loaders import Source
from harness.analysis.pii import PiiMatcher
from harness.analysis.synthetic import (
    PLANT_ENCODINGS,
    SAMPLE_FACTS,
    make_flow,
    ordinary_flows,
    planted_flow,
    write_flows,
)
from harness.capture.records import AgentEvent, FlowRecord, WsMessage

#: fact key -> the known-value name analysis reports for it
VALUES = {
    "android_id": SAMPLE_FACTS["android_id"],
    "advertising_id": SAMPLE_FACTS["advertising_id"],
    "imei": SAMPLE_FACTS["imei"],
    "serial": SAMPLE_FACTS["serial"],
    "account_email": SAMPLE_FACTS["account_email"],
    "wifi_mac": SAMPLE_FACTS["wifi_mac"],
    "phone_number": SAMPLE_FACTS["phone_number"],
    "canary.clipboard": SAMPLE_FACTS["canaries"]["clipboard"],
}
CASES = [(name, enc) for name in VALUES for enc in PLANT_ENCODINGS]


def _step(name: str, enc: str) -> str:
    return f"plant:{name}:{enc}"


@pytest.fixture(scope="module")
def planted_analysis(tmp_path_factory: pytest.TempPathFactory, world_geo):
    path: Path = tmp_path_factory.mktemp("pii") / "planted.mitm"
    flows = list(ordinary_flows(300, seed=7))
    for name, enc in CASES:
        flows.append(planted_flow(VALUES[name], enc, step_id=_step(name, enc), server_ip="127.0.0.9"))
    write_flows(path, flows)
    return analyze(path, Options(facts=SAMPLE_FACTS, geo=world_geo))


@pytest.mark.parametrize(("name", "encoding"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_planted_value_found(planted_analysis, name: str, encoding: str) -> None:
    hits = planted_analysis.pii_hits
    mine = hits[hits["step_id"] == _step(name, encoding)]
    assert name in set(mine["value_name"]), f"{name} not found when sent as {encoding}: {mine.to_dict('records')}"


def test_no_false_positive_in_ordinary_traffic(planted_analysis) -> None:
    hits = planted_analysis.pii_hits
    stray = hits[~hits["step_id"].str.startswith("plant:")]
    assert stray.empty, stray.to_dict("records")
    # and every planted flow carries only the planted value (no cross-talk between values)
    for name in VALUES:
        sub = hits[hits["step_id"].str.startswith(f"plant:{name}:")]
        assert set(sub["value_name"]) == {name}


def test_findings_cite_flows_and_jurisdiction(planted_analysis) -> None:
    f = [x for x in planted_analysis.finding_list if x.kind == "pii_abroad" and x.details["value"] == "imei"]
    assert len(f) == 1
    assert f[0].details["countries"] == ["SG"] and f[0].details["jurisdictions"] == ["third_country"]
    flow_ids = set(planted_analysis.flows["id"])
    assert len(f[0].flow_ids) == len(PLANT_ENCODINGS) and set(f[0].flow_ids) <= flow_ids
    sent = [x for x in planted_analysis.finding_list if x.kind == "pii_sent" and x.details["value"] == "imei"]
    assert sent[0].details["chains"]  # the encoding chains are reported
    assert "gzip" in sent[0].details["chains"] and "json>base64>gzip" in sent[0].details["chains"]


def test_forms_and_chains_are_reported(planted_analysis) -> None:
    hits = planted_analysis.pii_hits
    by_step = {s: set(g["form"]) for s, g in hits.groupby("step_id")}
    assert "md5" in by_step[_step("android_id", "md5")]
    assert "sha1" in by_step[_step("android_id", "sha1")]
    assert "sha256" in by_step[_step("android_id", "sha256")]
    chains = set(hits[hits["step_id"] == _step("serial", "gzip_base64_json")]["chain"])
    assert "json>base64>gzip" in chains
    locations = set(hits[hits["step_id"] == _step("serial", "header")]["location"])
    assert "header:x-device-id" in locations
    assert set(hits[hits["step_id"] == _step("serial", "cookie")]["location"]) == {"cookie"}


def _matcher(facts: dict) -> PiiMatcher:
    return PiiMatcher(known_values_from_facts(facts))


@pytest.mark.parametrize("written", ["021a3b4c5d6e", "021A3B4C5D6E", "02-1a-3b-4c-5d-6e"])
def test_mac_normalisations(written: str) -> None:
    hits = _matcher({"wifi_mac": "02:1A:3B:4C:5D:6E"}).scan(f"m={written}".encode(), "url")
    assert [h.value.name for h in hits] == ["wifi_mac"]


def test_hash_of_normalised_mac() -> None:
    import hashlib

    digest = hashlib.md5(b"021a3b4c5d6e").hexdigest()
    hits = _matcher({"wifi_mac": "02:1A:3B:4C:5D:6E"}).scan(digest.encode(), "url")
    assert {(h.form, h.normalisation) for h in hits} == {("md5", "no-separators")}


def test_location_needs_latitude_and_longitude() -> None:
    facts = {"location": {"lat": 54.687157, "lon": 25.279652}}
    both = make_flow("https://maps.example/q?lat=54.6872&lng=25.2797", server_ip="127.0.0.9")
    only_lat = make_flow("https://maps.example/q?x=54.6872", server_ip="127.0.0.9")
    src = _source([both, only_lat])
    a = analyze(src, Options(facts=facts))
    assert set(a.pii_hits["flow_id"]) == {both.id}
    assert [f.details["value"] for f in a.finding_list if f.kind == "pii_sent"] == ["location"]


def test_installed_apps_need_several_apps() -> None:
    apps = SAMPLE_FACTS["installed_apps"]
    full = make_flow("https://x.example/apps", method="POST", request_body=json.dumps(apps).encode())
    one = make_flow("https://x.example/open", method="POST", request_body=apps[0].encode())
    a = analyze(_source([full, one]), Options(facts={"installed_apps": apps}))
    assert set(a.pii_hits["flow_id"]) == {full.id}


def _source(flows, events=(), ws=()) -> Source:
    from harness.analysis.loaders import record_from_state

    records = [record_from_state(f.get_state())[0] for f in flows]
    return Source("test", Path("memory"), iter(records), ws_messages=iter(ws), events=iter(events))


@pytest.mark.parametrize("how", ["data", "payload_b64", "payload_text"])
@pytest.mark.parametrize("etype", ["crypto:plaintext", "tls:write", "tls:read"])
def test_frida_plaintext_events(etype: str, how: str) -> None:
    secret = json.dumps({"eid": SAMPLE_FACTS["imei"], "region": "EU"}).encode()
    blob = gzip.compress(secret)
    if how == "data":
        ev = AgentEvent(etype, "agent", 1.0, payload={"host": "sensors.example"}, data=blob, step_id="s1")
    elif how == "payload_b64":
        ev = AgentEvent(etype, "agent", 1.0, payload={"data": base64.b64encode(blob).decode(), "encoding": "base64"})
    else:
        ev = AgentEvent(etype, "agent", 1.0, payload={"data": secret.decode()})
    noise = AgentEvent("agent:log", "agent", 1.0, payload={"data": SAMPLE_FACTS["imei"]})
    a = analyze(_source([], events=[ev, noise]), Options(facts=SAMPLE_FACTS))
    assert list(a.pii_hits["event_id"]) == [ev.id]
    assert a.pii_hits["location"].iloc[0] == f"event:{etype}"
    f = next(x for x in a.finding_list if x.kind == "pii_sent")
    assert f.event_ids == [ev.id]


def test_websocket_messages_from_client() -> None:
    flow = make_flow("https://ws.example/socket", server_ip="127.0.0.9")
    rec = FlowRecord(id=flow.id, kind="websocket", started_at=1.0, ended_at=2.0, server_host="ws.example",
                     server_ip="127.0.0.9", url="https://ws.example/socket")
    up = WsMessage(flow.id, 1.5, True, True, json.dumps({"aid": SAMPLE_FACTS["android_id"]}).encode(), 40)
    down = WsMessage(flow.id, 1.6, False, True, SAMPLE_FACTS["serial"].encode(), 11)
    src = Source("test", Path("memory"), iter([rec]), ws_messages=iter([up, down]))
    a = analyze(src, Options(facts=SAMPLE_FACTS))
    assert list(a.pii_hits["value_name"]) == ["android_id"]
    assert list(a.pii_hits["location"]) == ["ws_message"]


def test_websocket_hit_takes_host_and_step_of_its_flow() -> None:
    """The scan keeps nothing per flow: a message's hit gets its flow's host and (when the message
    has none) its step from the flows' Arrow columns after the stream (FlowScanner.flow_info)."""
    other = FlowRecord(id="f-other", kind="http", started_at=0.5, ended_at=0.6, server_host="other.example",
                       server_ip="127.0.0.8", url="https://other.example/", step_id="s0")
    rec = FlowRecord(id="f-ws", kind="websocket", started_at=1.0, ended_at=2.0, server_host="ws.example",
                     server_ip="127.0.0.9", url="https://ws.example/socket", step_id="s1")
    up = WsMessage(rec.id, 1.5, True, True, json.dumps({"aid": SAMPLE_FACTS["android_id"]}).encode(), 40)
    up2 = WsMessage(rec.id, 1.7, True, True, SAMPLE_FACTS["imei"].encode(), 15, step_id="s2")
    src = Source("test", Path("memory"), iter([other, rec]), ws_messages=iter([up, up2]))
    a = analyze(src, Options(facts=SAMPLE_FACTS))
    rows = a.pii_hits.sort_values("value_name")
    assert list(rows["value_name"]) == ["android_id", "imei"]
    assert list(rows["host"]) == ["ws.example", "ws.example"]
    assert list(rows["step_id"]) == ["s1", "s2"]
    assert list(rows["flow_id"]) == ["f-ws", "f-ws"]
