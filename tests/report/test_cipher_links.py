"""A transfer found in an encrypted body shows, in report.html, how the ``crypto:plaintext`` event
and the flow that carried its ciphertext are tied (trial report 6, finding J): the event id ↔ the
flow id, where in the request body the ciphertext is and which field of the plaintext held the
identifier; the finding's text says "as-is in the decrypted body", not "plain". Real AES, real
analysis of a real run store, the findings document checked against its schema, the page opened in
real headless Chromium (Debian's, through Playwright)."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness.analysis import Options
from harness.analysis.geo import GeoResolver, load_overrides
from harness.report.contract import validation_errors
from harness.report.document import build_findings, save_claim, write_findings
from harness.report.html import write_report
from harness.testing.chromium import CHROMIUM, headless_chromium
from harness.testing.flows import agent_event, http_flow, make_run

IMEI = "867932040000001"
HOST = "tracking.intl.vendor.test"


def _run(tmp_path: Path) -> tuple[Path, str, str, int]:
    """A run whose telemetry POST carries AES-CBC ciphertext (base64 in JSON, ``\\/`` escaped) of a
    plaintext holding the IMEI in ``properties.imei``, the crypto agent's event for it and a claim
    citing both; ``(run, flow id, event id, byte where the ciphertext starts in the body)``."""
    plain = json.dumps([{"event": "app_start", "properties": {"imei": IMEI}}]).encode()
    key, iv = os.urandom(16), os.urandom(16)
    padder = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = enc.update(padder.update(plain) + padder.finalize()) + enc.finalize()
    body = json.dumps({"v": 1, "data": base64.b64encode(ct).decode()}).replace("/", "\\/").encode()
    flow = http_flow(f"https://{HOST}/sa?project=mibrowser", method="POST", request_body=body,
                     server_ip="127.80.1.13", step_id="s1")
    event = agent_event("crypto:plaintext", {"operation": "encrypt", "algorithm": "AES/CBC/PKCS5Padding",
                                             "ciphertext": base64.b64encode(ct).decode()}, data=plain, step_id="s1")
    run = make_run(tmp_path / "run", [flow], [event], steps=[("s1", "browser-telemetry")])
    save_claim(run, {"id": "p.test_no_transfer", "text": "Personal data is not sent to third countries.",
                     "verdict": "violated", "details": f"IMEI sent to {HOST} (SG)",
                     "evidence": {"flow_ids": [flow.id], "event_ids": [event.id]}})
    return run, flow.id, event.id, body.index(b'"data": "') + len(b'"data": "')


def _report(tmp_path: Path) -> tuple[Path, dict, str, str, int]:
    run, flow_id, event_id, at = _run(tmp_path)
    geo = tmp_path / "geo.json"
    geo.write_text(json.dumps({"overrides": [{"cidr": "127.80.1.13/32", "country": "SG"}]}))
    doc = build_findings(run, options=Options(facts={"imei": IMEI}, geo=GeoResolver(load_overrides(geo))))
    write_findings(run, doc)
    write_report(run)
    return run, doc, flow_id, event_id, at


def test_the_finding_records_how_the_event_and_the_flow_are_tied(tmp_path):
    _, doc, flow_id, event_id, at = _report(tmp_path)
    assert validation_errors(doc) == []
    sent = next(f for f in doc["findings"] if f["kind"] == "pii_sent")
    assert sent["summary"] == (f"imei sent to {HOST} (as-is in the decrypted body; carried base64>AES/CBC/PKCS5Padding)")
    assert sent["details"]["forms"] == ["plain"]  # the machine value other code reads is unchanged
    tie = {"event_id": event_id, "flow_id": flow_id, "value": "imei", "encoding": "base64",
           "algorithm": "AES/CBC/PKCS5Padding", "body_offset": at, "plaintext_field": "imei"}
    for kind in ("pii_sent", "pii_abroad"):
        f = next(f for f in doc["findings"] if f["kind"] == kind)
        [got] = f["details"]["cipher_links"]
        assert {k: got[k] for k in tie} == tie and got["plaintext_chain"] == ""


def test_a_schema_invalid_tie_is_caught(tmp_path):
    _, doc, *_ = _report(tmp_path)
    sent = next(f for f in doc["findings"] if f["kind"] == "pii_sent")
    sent["details"]["cipher_links"][0]["encoding"] = "rot13"
    del sent["details"]["cipher_links"][0]["body_offset"]
    assert len(validation_errors(doc)) >= 1


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (scripts/setup.sh installs it)")
def test_report_in_headless_chromium_shows_the_tie_beside_the_flow_and_the_event(tmp_path):
    run, _, flow_id, event_id, at = _report(tmp_path)
    expected = (f"event {event_id} ↔ flow {flow_id}: the ciphertext the app encrypted with AES/CBC/PKCS5Padding "
                f"(this event) is in the flow's request body, base64-encoded from byte {at}; "
                "imei was in the plaintext field “imei”")
    with headless_chromium() as browser:
        page = browser.new_page()
        page.goto((run / "report.html").as_uri())
        # the claim's evidence rows: the flow's and the event's each say how they are tied
        for anchor in (f"ev-flow-{flow_id}", f"ev-event-{event_id}"):
            assert expected in page.locator(f'[id="{anchor}"]').inner_text(), anchor
        # each finding of the transfer says it beside its summary, outside the folded evidence table
        ties = page.locator("#findings li.tie").all_inner_texts()
        assert len(ties) == 2 and all(t == expected for t in ties), ties  # pii_sent and pii_abroad
        text = page.locator("#findings").inner_text()
        assert "as-is in the decrypted body; carried base64>AES/CBC/PKCS5Padding" in text and "(plain;" not in text
