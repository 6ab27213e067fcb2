"""junit.xml: a test case per claim, read back with an independent parser (ElementTree)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.report.junit import write_junit
from harness.testing.flows import http_flow
from tests.report.test_html import CLAIM, _doc


def test_a_case_per_claim_with_verdict_and_evidence(tmp_path):
    flows = [http_flow("https://a.test/"), http_flow("https://b.test/")]
    doc = _doc(flows)
    doc["claims"].append({"text": "Calls are not restricted", "verdict": "holds",
                          "evidence": {"flow_ids": [], "event_ids": ["ev-9"]}})
    path = write_junit(doc, tmp_path / "junit.xml")
    assert path.stat().st_mode & 0o777 == 0o600
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None and suite.get("tests") == "3"
    assert suite.get("failures") == "1" and suite.get("skipped") == "1"
    cases = suite.findall("testcase")
    props = [{p.get("name"): p.get("value") for p in c.iter("property")} for c in cases]
    assert props[0] == {"claim": CLAIM, "verdict": "violated", "flow_ids": flows[1].id, "event_ids": ""}
    assert cases[0].find("failure") is not None and flows[1].id in cases[0].find("failure").get("message")
    assert cases[1].find("skipped") is not None  # inconclusive is never a pass
    assert cases[2].find("failure") is None and cases[2].find("skipped") is None
    assert props[2]["event_ids"] == "ev-9"
