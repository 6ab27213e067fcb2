"""The Java agents (unpin, crypto, trigger) on a real HotSpot 17 process with OkHttp 3, through the
capture layer's real mitmproxy; events go into the real run store, stamped with the timeline step."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse

import pytest

from harness.capture import RunStore
from harness.errors import InstrumentError
from harness.instrument.session import HookSession, store_sink
from harness.instrument.triggers import load_map
from tests.instrument.conftest import flows_for

pytestmark = pytest.mark.timeout(180)


def open_session(frida_device, java_app, capture) -> HookSession:
    return HookSession.attach(frida_device, java_app.pid, timeline=capture.timeline,
                              sinks=[store_sink(capture.store)])


def stored_events(capture, type_prefix: str):
    capture.store.flush()
    reader = RunStore.open(capture.run_dir)
    try:
        return list(reader.iter_events(type_prefix))
    finally:
        reader.close()


def test_pinning_fails_without_unpin_and_succeeds_with_it(frida_device, java_app, capture, origin):
    assert "Certificate pinning failure" in java_app.run("fetch")

    capture.timeline.begin("unpin-1", "fetch with unpin")
    with open_session(frida_device, java_app, capture) as session:
        loaded = session.load("unpin")
        assert "okhttp3.CertificatePinner.check" in loaded.hooks
        outcome = java_app.run("fetch")
        assert "fetch ok 200" in outcome, outcome
        event = session.wait_for("unpin:bypassed", lambda e: e.payload["target"].startswith("okhttp3.CertificatePinner"))
        assert event.payload["host"] == origin.host
        assert "pinning failure" in event.payload["error"]
        assert event.step_id == "unpin-1"
        session.flush()
    capture.timeline.end()

    flows = flows_for(capture, lambda f: f.path == "/ping" and f.status_code == 200)
    assert flows and flows[0].step_id == "unpin-1"
    assert any(e.type == "unpin:bypassed" and e.step_id == "unpin-1" for e in stored_events(capture, "unpin:"))
    # detaching removed the hooks: pinning is back in force
    assert "Certificate pinning failure" in java_app.run("fetch")


def test_crypto_reports_plaintext_byte_equal(frida_device, java_app, capture):
    secret = "Free Tibet / 89 Democracy Movement / 自由"
    capture.timeline.begin("crypto-1", "encrypt")
    with open_session(frida_device, java_app, capture) as session:
        session.load("unpin")
        session.load("crypto", {"max_bytes": 4096})
        java_app.send(f"encrypt {secret}")
        truth = java_app.expect(r"encrypt plaintext=(\w+) key=(\w+) iv=(\w+) ciphertext=(\w+)")
        assert "encrypt sent 200" in java_app.expect(r"encrypt (sent|failed)").string
        plaintext = bytes.fromhex(truth.group(1))
        event = session.wait_for("crypto:plaintext", lambda e: e.data == plaintext)
        session.flush()
    capture.timeline.end()

    assert plaintext == secret.encode()
    p = event.payload
    assert p["operation"] == "encrypt"
    assert p["algorithm"] == "AES/CBC/PKCS5Padding"
    assert p["key"] == truth.group(2) and p["iv"] == truth.group(3)
    assert base64.b64decode(p["ciphertext"]).hex() == truth.group(4)
    assert any("PinnedApp.encryptAndSend" in frame for frame in p["stack"])
    # TLS record encryption inside the JDK is not reported by default
    assert not any(any("sun.security.ssl" in f for f in e.payload["stack"]) for e in session.events("crypto:plaintext"))
    stored = [e for e in stored_events(capture, "crypto:") if e.data == plaintext]
    assert stored and stored[0].step_id == "crypto-1" and stored[0].pid == java_app.pid
    # the ciphertext the app sent is what the proxy recorded
    flows = flows_for(capture, lambda f: f.path == "/telemetry" and f.step_id == "crypto-1")
    assert flows and flows[0].request_body.hex() == truth.group(4)


@pytest.fixture
def trigger_map(tmp_path):
    path = tmp_path / "trigger.json"
    path.write_text(json.dumps({
        "package": "test.pinnedapp",
        "actions": {
            "search": {"class": "PinnedApp", "method": "search", "kind": "static", "args": ["{query}"]},
            "search_ui": {"class": "Search", "method": "run", "kind": "instance", "args": ["{query}"]},
        },
    }))
    return load_map(path)


def test_trigger_search_lands_under_its_step(frida_device, java_app, capture, trigger_map):
    with open_session(frida_device, java_app, capture) as session:
        session.load("unpin")
        session.load_triggers(trigger_map)
        capture.timeline.begin("search-static", "search via static method")
        result = session.trigger(trigger_map, "search", query="Long live Taiwan independence")
        capture.timeline.begin("search-instance", "search via live object")
        result2 = session.trigger(trigger_map, "search_ui", query="Free Tibet")
        capture.timeline.end()
        called = session.wait_for("trigger:called", lambda e: e.payload["action"] == "search_ui")
        assert called.step_id == "search-instance"
    assert result.startswith("200 ") and result2.startswith("200 ")

    def by_query(term):
        return flows_for(capture, lambda f: f.path == "/search?q=" + urllib.parse.quote_plus(term))

    static_flows = by_query("Long live Taiwan independence")
    instance_flows = by_query("Free Tibet")
    assert [f.step_id for f in static_flows] == ["search-static"]
    assert [f.step_id for f in instance_flows] == ["search-instance"]


def test_trigger_map_naming_missing_class_is_a_clear_error(frida_device, java_app, capture, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "package: test.pinnedapp\n"
        "actions:\n"
        "  search: {class: com.example.NoSuchSearch, method: run, args: ['{query}']}\n"
        "  ads: {class: PinnedApp, method: noSuchMethod}\n"
        "  wrong_kind: {class: Search, method: run, kind: static, args: ['{query}']}\n"
    )
    with open_session(frida_device, java_app, capture) as session:
        with pytest.raises(InstrumentError) as err:
            session.load_triggers(load_map(path))
        text = str(err.value)
        assert "com.example.NoSuchSearch not found" in text
        assert "no method noSuchMethod" in text
        assert re.search(r"Search\.run is an instance method", text)
        # the session is still usable afterwards
        assert session.call("trigger", "check", []) == []
