"""A value in a request that never reached its server is no evidence of a transfer (rule
``pii.not_delivered``, docs/analysis.md): a failed connect is ``pii_attempted``, never
``pii_sent``/``pii_abroad``; the same value in a delivered flow is still ``pii_sent``."""

from __future__ import annotations

import json
from pathlib import Path

from harness.analysis import Options, analyze

ANDROID_ID = "9774d56d682e549c"


def _entry(url: str, status: int, error: str | None = None) -> dict:
    e = {
        "startedDateTime": "2026-12-01T08:00:00.000Z", "time": 12,
        "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": [], "queryString": [],
                    "cookies": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                     "content": {"size": 0, "mimeType": "text/plain"}, "redirectURL": "", "headersSize": -1,
                     "bodySize": 0},
        "cache": {}, "timings": {"send": 0, "wait": 0, "receive": 0},
    }
    if error:
        e["_error"] = error
    return e


def _har(tmp_path: Path, entries: list[dict]) -> Path:
    p = tmp_path / "cap.har"
    p.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"},
                                     "entries": entries}}))
    return p


def test_a_failed_request_is_attempted_not_sent(tmp_path: Path) -> None:
    har = _har(tmp_path, [_entry(f"https://collect.vendor.test/c?aid={ANDROID_ID}", 0, "net::ERR_CONNECTION_REFUSED")])
    a = analyze(har, Options(facts={"android_id": ANDROID_ID}))
    kinds = {f.kind for f in a.finding_list}
    assert "pii_sent" not in kinds and "pii_abroad" not in kinds
    attempted = [f for f in a.finding_list if f.kind == "pii_attempted"]
    assert len(attempted) == 1 and attempted[0].verdict == "not_delivered"
    assert attempted[0].flow_ids == list(a.flows["id"])
    assert set(a.pii_hits["value_name"]) == {"android_id"}  # the hit itself is kept as a row


def test_a_value_also_delivered_is_sent_citing_only_the_delivered_flow(tmp_path: Path) -> None:
    har = _har(tmp_path, [_entry(f"https://collect.vendor.test/c?aid={ANDROID_ID}", 0, "net::ERR_TIMED_OUT"),
                          _entry(f"https://collect.vendor.test/c?aid={ANDROID_ID}&n=2", 204)])
    a = analyze(har, Options(facts={"android_id": ANDROID_ID}))
    sent = [f for f in a.finding_list if f.kind == "pii_sent"]
    assert len(sent) == 1
    delivered = a.flows.loc[a.flows["status_code"] == 204, "id"].tolist()
    failed = a.flows.loc[a.flows["kind"] == "error", "id"].tolist()
    assert sent[0].flow_ids == delivered and len(failed) == 1
    assert sent[0].details["not_delivered_flow_ids"] == failed
    assert not [f for f in a.finding_list if f.kind == "pii_attempted"]
