"""The same apps in the `compliant` world: no list, no filtering, telemetry only after consent,
to the EU, without identifiers. Each assertion mirrors one in test_apps_ncsc.py."""

from __future__ import annotations

import json

import pytest

from harness.sim.world import World, parse_world

from . import javaapp
from .conftest import DEVICE_PROPS, config_line, run_vendor_apps
from .test_apps_ncsc import WEB_SEARCH, _render


@pytest.fixture(autouse=True)
def _route(resolver, compliant_world):
    """The module's proxy routes the world's host names to this module's world."""
    resolver.use(compliant_world.addresses)


@pytest.fixture(scope="module")
def apps(app_runner, compliant_world, resolver):
    yield from run_vendor_apps(app_runner, compliant_world, resolver)


def test_no_list_is_served(apps, compliant_world):
    for pkg in ("com.vendor.browser", "com.vendor.video", "com.vendor.security"):
        doc = json.loads(apps[pkg].wait_for(config_line).split(": ", 1)[1])
        assert doc["terms"] == 0 and doc["enable"] is False
        assert compliant_world.truth.entries("config_served", app=pkg)[0]["served"] is False


def test_browser_renders_everything_served(apps, compliant_world):
    browser = apps["com.vendor.browser"]
    mark = browser.mark()
    browser.intent(WEB_SEARCH, {"query": "Free Tibet"})
    ads = _render(browser, "ads", "Free Tibet", mark)
    suggestions = _render(browser, "suggestions", "Free Tibet", mark)
    served = compliant_world.truth.entries("ads_served", subject="Free Tibet")[-1]["ads"]
    assert [a["id"] for a in ads["items"]] == [a["id"] for a in served] and len(served) == 3
    assert len(suggestions["items"]) == 5


def test_no_telemetry_without_consent(apps, compliant_world):
    browser = apps["com.vendor.browser"]
    browser.wait_for(lambda ln: "not sent: no analytics consent" in ln, timeout=30)
    assert compliant_world.truth.entries("consent_served", app="com.vendor.browser")[0]["analytics"] is False
    assert compliant_world.truth.entries("telemetry_received") == []


def test_video_ads_unfiltered(apps, compliant_world):
    video = apps["com.vendor.video"]
    mark = video.mark()
    video.intent("android.intent.action.VIEW", {"title": "Long live Taiwan independence rally"}, "video://v42")
    ads = _render(video, "video_ads", "Long live Taiwan independence rally", mark)
    assert len(ads["items"]) == 3


def test_messenger_shows_every_message(apps, compliant_world):
    messenger = apps["com.chatapp.messenger"]
    messenger.wait_for(lambda ln: "signed in as" in ln)
    mark = messenger.mark()
    messenger.intent("android.intent.action.SEND", {"to": "echo-bot", "text": "Free Tibet now"})
    _render(messenger, "notification", "echo-bot", mark)
    shown = [i["text"] for r in messenger.renders("notification", mark) for i in r["items"]]
    assert shown == ["Free Tibet now"]


def test_consented_telemetry_goes_to_eu_without_identifiers(world_ca, tmp_path_factory):
    """With consent the compliant browser sends plain events to the EU collector (direct, no proxy)."""
    cfg = parse_world({"name": "compliant-consented", "ad_config": {"serve": False},
                       "telemetry": {"destination": "eu", "user_consent": True, "consent_respected": True}})
    root = tmp_path_factory.mktemp("consented")
    classes = javaapp.compile_app("com.vendor.browser", root / "classes")
    (root / "ca.pem").write_bytes(world_ca.cert_pem)
    store = javaapp.build_truststore(root / "t.p12", [root / "ca.pem"], classes)
    with World(cfg, root / "world", ca=world_ca) as world:
        app = javaapp.launch("com.vendor.browser", classes, props={**DEVICE_PROPS, **world.props()},
                             data_dir=root / "data", hosts_file=world.hosts_file, truststore=store, proxy=None)
        try:
            app.wait_for(lambda ln: ln.startswith("I/SensorsData: event app_start sent"), timeout=30)
        finally:
            app.stop()
        got = world.truth.entries("telemetry_received")
    assert [g["service"] for g in got] == ["telemetry_eu"]
    assert got[0]["encrypted"] is False and got[0]["identifiers"] == []
    assert world.geo_overrides[f"{world.addresses['tracking.eu.vendor.test']}/32"] == "DE"
