"""The vendor apps driven through the virtual handset (adb intents and input) in the `ncsc-2021`
world, with the harness's own device layer putting the proxy CA in the system store and the proxy
in `settings global http_proxy` (adb reverse), exactly as on a rooted phone."""

from __future__ import annotations

import json
import time

import pytest

from harness.testing.sim import wait_for_log

from .phone import prepared_phone


@pytest.fixture(scope="module")
def phone(ncsc_world, capture, resolver, tmp_path_factory):
    """One handset for this module (the suite runs with ``--dist loadfile``; mitmproxy allows one
    proxy per process, so proxies and what depends on them are module-scoped); each test starts the
    app it needs."""
    resolver.use(ncsc_world.addresses)
    root = tmp_path_factory.mktemp("world-phone")
    world = ncsc_world
    with prepared_phone(world, capture, root) as phone:
        yield phone


@pytest.fixture(autouse=True)
def _route_to_ncsc(resolver, ncsc_world):
    resolver.use(ncsc_world.addresses)


def _start(dev, component: str) -> None:
    out = dev.shell(["am", "start", "-W", "-n", component])
    assert "Status: ok" in out, out


def _renders(handset, surface: str, subject: str, timeout: float = 30.0) -> dict:
    def match(message: str) -> bool:
        doc = json.loads(message)
        return doc["surface"] == surface and doc["subject"] == subject

    return json.loads(wait_for_log(handset, match, timeout=timeout, tag="Render"))


def test_world_props_and_ca_reach_the_device(phone, ncsc_world):
    handset, dev = phone
    assert dev.shell("getprop ro.miui.region") == "LT"
    assert dev.shell("getprop persist.vendor.telemetry.host") == "tracking.intl.vendor.test"
    listing = dev.shell("ls /system/etc/security/cacerts")
    from cryptography import x509

    from harness.device.cacert import android_cert_name
    assert android_cert_name(x509.load_pem_x509_certificate(ncsc_world.ca_cert_path.read_bytes())) in listing


def test_browser_first_start_downloads_config_and_filters_search(phone, ncsc_world, capture):
    handset, dev = phone
    out = dev.shell(["am", "start", "-W", "-a", "android.intent.action.WEB_SEARCH", "--es", "query", "Free Tibet"])
    assert "Status: ok" in out, out
    cfg = json.loads(wait_for_log(handset, lambda m: '"pkg":"com.vendor.browser"' in m, tag="AdBlacklist"))
    assert cfg["pkg"] == "com.vendor.browser" and cfg["terms"] == 449
    ads = _renders(handset, "ads", "Free Tibet")
    served = ncsc_world.truth.entries("ads_served", app="com.vendor.browser", subject="Free Tibet")[-1]["ads"]
    assert [a["id"] for a in ads["items"]] == [a["id"] for a in served if not a["terms"]]
    capture.flush()
    hosts = {f.server_host for f in capture.store.iter_flows() if f.status_code == 200}
    assert {"globalapi.ad.vendor.test", "api.ad.vendor.test", "search.vendor.test"} <= hosts


def test_typed_search_through_adb_input(phone, ncsc_world):
    handset, dev = phone
    _start(dev, "com.vendor.browser/.BrowserApp")
    dev.shell(["input", "text", "weather%snews"])
    dev.shell(["input", "keyevent", "KEYCODE_ENTER"])
    ads = _renders(handset, "ads", "weather news")
    assert len(ads["items"]) == 2  # the rival-brand ad is dropped


def test_pinned_telemetry_never_reaches_the_collector_through_the_proxy(phone, ncsc_world, capture):
    handset, dev = phone
    _start(dev, "com.vendor.browser/.BrowserApp")
    msg = wait_for_log(handset, lambda m: "failed" in m, tag="SensorsData")
    assert "Certificate pinning failure" in msg
    serial = dev.shell("getprop ro.serialno")
    from_this_phone = [e for e in ncsc_world.truth.entries("telemetry_received")
                       if any(ev.get("properties", {}).get("serial_no") == serial for ev in e["events"])]
    assert from_this_phone == []
    capture.flush()
    assert not [f for f in capture.store.iter_flows()
                if f.server_host == "tracking.intl.vendor.test" and f.status_code is not None]


def test_messenger_via_send_intent(phone, ncsc_world):
    handset, dev = phone
    for text in ("Free Tibet tonight", "lunch at noon"):
        out = dev.shell(["am", "start", "-W", "-n", "com.chatapp.messenger/.MessengerApp", "-a",
                         "android.intent.action.SEND", "--es", "to", "echo-bot", "--es", "text", text])
        assert "Status: ok" in out, out
    _renders(handset, "notification", "echo-bot")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        delivered = {d["text"] for d in ncsc_world.truth.entries("chat_delivered", to="lab-phone")}
        if {"Free Tibet tonight", "lunch at noon"} <= delivered:
            break
        time.sleep(0.3)
    assert {"Free Tibet tonight", "lunch at noon"} <= delivered
    time.sleep(1.0)
    shown = [json.loads(e.message)["items"][0]["text"] for e in handset.device.logcat.snapshot()
             if e.tag == "Render" and '"surface":"notification"' in e.message]
    assert "lunch at noon" in shown and "Free Tibet tonight" not in shown


def test_security_app_config_only(phone, ncsc_world):
    handset, dev = phone
    out = dev.shell(["am", "start", "-W", "-n", "com.vendor.security/.SecurityCenter"])
    assert "Status: ok" in out, out
    wait_for_log(handset, lambda m: '"pkg":"com.vendor.security"' in m, tag="AdBlacklist")
    served = ncsc_world.truth.entries("config_served", app="com.vendor.security")
    assert served and served[-1]["terms_count"] == 449


