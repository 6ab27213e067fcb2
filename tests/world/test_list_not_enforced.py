"""The `list-not-enforced` world through the virtual handset: the system apps download the same
449-term list as on `ncsc-2021` (through the real proxy, with the device layer's CA and proxy
set-up), yet a search for a listed term renders exactly what was served, like a control term. The
ground-truth log says what was served and that no filtering class was on, so a scenario can tell
"list present" from "list enforced"."""

from __future__ import annotations

import json

import pytest

from harness.testing.sim import wait_for_log

from .phone import prepared_phone

LISTED, CONTROL = "Free Tibet", "weather in Vilnius"


@pytest.fixture(scope="module")
def phone(list_not_enforced_world, capture, resolver, tmp_path_factory):
    """One handset in the list-not-enforced world, proxied through the module's mitmproxy."""
    world = list_not_enforced_world
    resolver.use(world.addresses)
    root = tmp_path_factory.mktemp("lne-phone")
    with prepared_phone(world, capture, root) as phone:
        yield phone


@pytest.fixture(autouse=True)
def _route(resolver, list_not_enforced_world):
    resolver.use(list_not_enforced_world.addresses)


def _rendered(handset, surface: str, subject: str) -> dict:
    def match(message: str) -> bool:
        doc = json.loads(message)
        return doc["surface"] == surface and doc["subject"] == subject

    return json.loads(wait_for_log(handset, match, timeout=30, tag="Render"))


def _search(handset, dev, term: str) -> tuple[dict, dict]:
    out = dev.shell(["am", "start", "-W", "-a", "android.intent.action.WEB_SEARCH", "--es", "query", term])
    assert "Status: ok" in out, out
    return _rendered(handset, "ads", term), _rendered(handset, "suggestions", term)


def test_list_downloaded_but_listed_search_renders_like_control(phone, list_not_enforced_world, capture):
    handset, dev = phone
    world = list_not_enforced_world
    results = {term: _search(handset, dev, term) for term in (LISTED, CONTROL)}

    # the config download happens, as on ncsc-2021: enabled for LT by the remote switch, 449 terms
    got = json.loads(wait_for_log(handset, lambda m: '"pkg":"com.vendor.browser"' in m, tag="AdBlacklist"))
    assert got["terms"] == 449 and got["enable"] is True
    served_cfg = world.truth.entries("config_served", app="com.vendor.browser")
    assert served_cfg and served_cfg[-1]["terms_count"] == 449 and served_cfg[-1]["enable"] is True
    capture.flush()
    ip = world.addresses["globalapi.ad.vendor.test"]
    assert any(f.server_host == "globalapi.ad.vendor.test" and f.server_ip == ip and f.status_code == 200
               for f in capture.store.iter_flows())

    for term, (ads, suggestions) in results.items():
        served_ads = world.truth.entries("ads_served", app="com.vendor.browser", subject=term)[-1]
        served_sugg = world.truth.entries("suggestions_served", query=term)[-1]
        # everything served is on screen, listed items included
        assert [a["id"] for a in ads["items"]] == [a["id"] for a in served_ads["ads"]]
        assert suggestions["items"] == [s["text"] for s in served_sugg["suggestions"]]
        # the ground truth says the list matched but no filtering class was on
        assert served_ads["enforced"] is False and served_sugg["enforced"] is False
    listed_ads, listed_sugg = results[LISTED]
    control_ads, control_sugg = results[CONTROL]
    assert len(listed_ads["items"]) == len(control_ads["items"]) == 3
    assert len(listed_sugg["items"]) == len(control_sugg["items"]) == 5
    listed_truth = world.truth.entries("ads_served", app="com.vendor.browser", subject=LISTED)[-1]
    assert any(LISTED in a["terms"] for a in listed_truth["ads"])  # the term is on the list


def test_ground_truth_states_list_present_and_nothing_enforced(list_not_enforced_world, ncsc_world):
    started = list_not_enforced_world.truth.entries("world_started")[0]
    assert started["world"] == "list-not-enforced" and started["list_served"] is True
    assert started["filtering"] == {"browser_ads": False, "browser_suggestions": False, "video_ads": False,
                                    "messenger": False}
    terms = list_not_enforced_world.truth.entries("terms_in_force")[0]
    ncsc_terms = ncsc_world.truth.entries("terms_in_force")[0]
    assert terms["served"] is True and terms["terms_digest"] == ncsc_terms["terms_digest"]
    assert set(ncsc_world.truth.entries("world_started")[0]["filtering"].values()) == {True}
