"""Redaction for shared output (issue 11 item 8): query values, user info and fragments leave
live lines; identifiers keep only their last four characters; the evidence keeps everything."""

from __future__ import annotations

import doctest

import harness.redact
from harness.capture.records import FlowRecord
from harness.device.intercept_live import flow_line
from harness.redact import redact_facts, redact_url, redact_value


def test_doc_examples():
    assert doctest.testmod(harness.redact).failed == 0


def test_urls_lose_query_values_userinfo_and_fragment():
    assert redact_url("https://user:pw@h.test/p?android_id=9774d56d682e549c&q=89+Democracy#x") == \
        "https://h.test/p?android_id=…&q=…"
    assert redact_url("/search?q=free%20tibet") == "/search?q=…"
    assert redact_url("/plain/path") == "/plain/path"
    assert redact_url("/t?rawtoken") == "/t?rawtoken=…"
    assert redact_url(None) == ""


def test_identifiers_keep_four_characters():
    facts = {"android_id": "9774d56d682e549c", "imei": ["356938035643809", "356938035643817"],
             "model": "M2007J3SG", "identifiers": {"android_id": "9774d56d682e549c"}, "serial": None}
    red = redact_facts(facts)
    assert red["android_id"] == "…549c" and red["imei"] == ["…3809", "…3817"]
    assert red["identifiers"] == {"android_id": "…549c"} and red["model"] == "M2007J3SG"
    assert red["serial"] is None and facts["android_id"] == "9774d56d682e549c"  # input untouched
    assert redact_value("abc") == "…"


def test_live_line_drops_query_values():
    from harness.analysis.geo import GeoResolver
    from harness.analysis.policy import load_policy

    rec = FlowRecord(id="f1", kind="http", started_at=0.0, ended_at=0.1, method="GET",
                     server_host="telemetry.vendor.test", path="/sa?project=browser&eid=9774d56d682e549c",
                     status_code=200)
    geo = GeoResolver([])
    try:
        text = flow_line(rec, geo, load_policy(None)).text()
    finally:
        geo.close()
    assert "eid=…" in text and "9774d56d682e549c" not in text
