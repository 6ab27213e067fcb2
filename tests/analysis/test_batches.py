"""The rules read the flows batch by batch (harness.analysis.batches, issue 17): a destination, a
step, a pinning host, a filtering pair, a netwatch socket, a ciphertext or an undelivered flow
whose rows straddle batches gives exactly what one batch gives (every frame, finding, comparison
and summary equal), and a rule still takes a plain DataFrame."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from harness.analysis import Options, analyze, scan
from harness.analysis.batches import frames, rows_where
from harness.analysis.loaders import Source
from harness.analysis.pinning import pinning_findings
from harness.analysis.synthetic import SAMPLE_FACTS
from harness.capture.records import AgentEvent, FlowRecord, Step
from harness.capture.tlsevidence import IDLE_ERROR

ANDROID_ID = SAMPLE_FACTS["android_id"]
IMEI = SAMPLE_FACTS["imei"]
CIPHERTEXT = hashlib.sha512(b"a ciphertext").digest()  # fixed: analyses are compared


def _http(i: int, step: str | None, host: str, *, size: int = 100, title: str = "Results page", **kw: Any) -> FlowRecord:
    body = f"<html><head><title>{title}</title></head><body>{'x' * size}</body></html>".encode()
    fields: dict[str, Any] = dict(
        id=f"f{i}", kind="http", started_at=float(i), ended_at=float(i) + 0.5, step_id=step, server_host=host,
        server_ip=f"127.0.0.{10 + len(host) % 5}", host=host, sni=host, client_ip="10.0.0.2", client_port=40000 + i,
        url=f"https://{host}/p{i}", method="GET", status_code=200,
        response_headers=[("content-type", "text/html"), ("x-backend", "1")], response_body=body,
        response_body_size=len(body), request_body_size=0)
    fields.update(kw)
    return FlowRecord(**fields)


def _tls(fid: str, host: str, t: float, **extra: Any) -> FlowRecord:
    return FlowRecord(id=fid, kind=extra.pop("kind", "tls_failure"), started_at=t, ended_at=t + 0.1,
                      client_ip="10.0.0.2", server_host=host, sni=host, error=extra.pop("error", "handshake ended"),
                      extra=extra)


def _source() -> Source:
    steps = [Step("s1", "experiment", 0.0, 40.0, info={"probe": {"role": "experiment", "pair": "p", "term": "Free Tibet"}}),
             Step("s2", "control", 0.0, 40.0, info={"probe": {"role": "control", "pair": "p", "term": "weather"}})]
    flows: list[FlowRecord] = []
    for i in range(30):  # two steps the source names, one only the flows name, a stretch without a step
        step = ["s1", "s2", "walk", None][i % 4]
        host = ["search.eu.test", "cdn.example.test", "abroad.example.test"][i % 3]
        flows.append(_http(i, step, host, size=100 * (i % 7)))
    flows[9] = _http(9, "s1", "search.eu.test", size=5000)  # the largest s1 response, twice: the first counts
    flows[25] = _http(25, "s1", "search.eu.test", size=5000)
    flows[13] = _http(13, "s2", "search.eu.test", size=700, status_code=None, kind="error", response_body=None,
                      error="connection reset")
    # personal data: delivered to one host, and only in a failed flow to another (pii_attempted)
    flows[3] = _http(3, "walk", "abroad.example.test", url=f"https://abroad.example.test/a?aid={ANDROID_ID}")
    flows[22] = _http(22, "walk", "abroad.example.test", url=f"https://abroad.example.test/b?aid={ANDROID_ID}")
    flows[27] = _http(27, "walk", "gone.example.test", url=f"https://gone.example.test/?imei={IMEI}", kind="error",
                      status_code=None, response_body=None)
    # the ciphertext a crypto event reports, carried by a late flow
    flows[26] = _http(26, "walk", "abroad.example.test", method="POST",
                      request_body=json.dumps({"d": base64.b64encode(CIPHERTEXT).decode()}).encode())
    # pinning: alerts in two batches; repeated closes trusted by an earlier request; closes with earlier ids
    flows += [_tls("t1", "pinned.test", 31.0, evidence="client_alert", client_alerts=["unknown_ca"]),
              _http(32, None, "trusted.test"),
              _tls("q1", "quiet.test", 33.0, kind="idle", error=IDLE_ERROR),
              _tls("t2", "pinned.test", 34.0, evidence="client_alert", client_alerts=["bad_certificate"]),
              _tls("r1", "trusted.test", 35.0, evidence="repeated_closes", earlier_ids=["x"]),
              _tls("q2", "quiet.test", 36.0, evidence="repeated_closes", earlier_ids=["q1"])]
    events = [
        AgentEvent("ui:rendered", "agent", 1.0, payload={"count": 0}, step_id="s1"),
        AgentEvent("ui:rendered", "agent", 2.0, payload={"count": 9}, step_id="s2"),
        AgentEvent("netwatch:connect", "agent", 3.0, step_id="walk",
                   payload={"protocol": "tcp", "ip": "127.0.0.12", "port": 443, "local": "10.0.0.2:40023"}),
        AgentEvent("netwatch:connect", "agent", 4.0, step_id="walk",
                   payload={"protocol": "tcp", "ip": "198.51.100.7", "port": 443, "local": "10.0.0.2:49999"}),
        AgentEvent("net:connect", "agent", 5.0, payload={"host": "cdn.example.test"}),
        AgentEvent("net:connect", "agent", 6.0, payload={"host": "hidden.example.test"}),
        AgentEvent("crypto:plaintext", "agent", 7.0, step_id="walk", data=f"aid={ANDROID_ID}".encode(),
                   payload={"operation": "encrypt", "algorithm": "AES", "ciphertext": base64.b64encode(CIPHERTEXT).decode()}),
    ]
    for n, ev in enumerate(events):
        ev.id = f"e{n}"  # the same ids in every analysis compared
    return Source("test", Path("memory"), iter(flows), events=iter(events), steps=steps)


def _analysis(monkeypatch: pytest.MonkeyPatch, rows: int) -> Any:
    monkeypatch.setattr(scan, "BATCH_ROWS", rows)
    return analyze(_source(), Options(facts=SAMPLE_FACTS, lists_dir=None))


def _same(a: Any, b: Any) -> None:
    for name, frame in a.frames().items():
        pd.testing.assert_frame_equal(frame, b.frames()[name], obj=name)
    assert [f.to_dict() for f in a.finding_list] == [f.to_dict() for f in b.finding_list]
    assert [c.numbers() for c in a.comparisons] == [c.numbers() for c in b.comparisons]
    assert [c.flow_ids for c in a.comparisons] == [c.flow_ids for c in b.comparisons]
    assert a.meta == b.meta and a.problems == b.problems


@pytest.mark.parametrize("rows", [1, 2, 7])
def test_batches_give_what_one_batch_gives(monkeypatch: pytest.MonkeyPatch, rows: int) -> None:
    whole = _analysis(monkeypatch, 10_000)
    # the run exercises every rule that reads the flows
    kinds = {(f.kind, f.verdict) for f in whole.finding_list}
    assert {("pii_sent", "sent"), ("pii_attempted", "not_delivered"), ("pinning_failure", "tls_rejected"),
            ("coverage_gap", "direct_tcp"), ("coverage_gap", "unproxied"), ("filtered", "filtered")} <= kinds
    pins = {f.details["host"]: f.flow_ids for f in whole.finding_list if f.kind == "pinning_failure"}
    assert pins == {"pinned.test": ["t1", "t2"], "quiet.test": ["q1", "q2"]}
    (cmp,) = whole.comparisons
    assert cmp.flow_ids[0] == "f9"  # the first of two equally large responses
    assert whole.meta["coverage"]["netwatch"]["proxied_connections"] == 1
    sent = next(f for f in whole.finding_list if f.kind == "pii_sent" and "crypto" not in f.summary
                and f.details["destination"] == "abroad.example.test")
    assert "f26" in sent.flow_ids  # the flow that carried the ciphertext
    assert list(whole.steps["id"]) == ["s1", "s2", "walk"] and whole.steps["flows"].sum() == 25
    # every flow is a destination's or listed as never connected (trial 6b N1), none in both
    from harness.analysis.destinations import not_connected

    cut = sum(r["flows"] for r in not_connected(whole.flows))
    assert cut > 0 and whole.destinations["flows"].sum() + cut == len(whole.flows) == 36
    _same(_analysis(monkeypatch, rows), whole)


def test_a_rule_takes_a_frame_or_its_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same rows as one DataFrame and cut into frames of 5 give the same findings."""
    flows = _analysis(monkeypatch, 10_000).flows
    parts = [flows.iloc[i:i + 5] for i in range(0, len(flows), 5)]
    assert [f.to_dict() for f in pinning_findings(flows)] == [f.to_dict() for f in pinning_findings(parts)]
    assert [len(b) for b in frames(flows)] == [len(flows)]
    failed = rows_where(parts, lambda b: b["kind"] == "tls_failure", ["id"])
    assert list(failed["id"]) == ["t1", "t2", "r1", "q2"] and list(failed.index) == list(range(4))
    assert rows_where(parts, lambda b: b["kind"] == "none", ["id"]).empty
