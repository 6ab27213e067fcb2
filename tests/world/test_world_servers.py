"""The world's services standalone, reached through a real mitmproxy (harness.capture) that uses the
world's addon to route `.test` names, with real TLS on both sides."""

from __future__ import annotations

import json
import os
import ssl
import stat

import httpx
import pytest

from harness.sim.world import World, load_world, read_truth
from harness.sim.world.blacklist import decode_content, default_terms
from harness.sim.world.config import parse_world
from harness.sim.world.telemetry_crypto import encrypt_events
from harness.sim.world.world import HOSTS


@pytest.fixture
def client(capture, resolver):
    ctx = ssl.create_default_context(cafile=str(capture.ca.cert))

    def make(world: World) -> httpx.Client:
        resolver.use(world.addresses)
        return httpx.Client(proxy=capture.proxy_url, verify=ctx, timeout=15)

    return make


def _config(c: httpx.Client, world: World, region: str = "LT", pkg: str = "com.vendor.test") -> dict:
    r = c.get(world.url("adconfig", "/api/v1/config"),
              params={"name": "MiAdBlacklistConfig", "pkg": pkg, "region": region})
    assert r.status_code == 200
    return r.json()


def test_servers_bind_distinct_loopback_addresses_on_443(ncsc_world):
    ips = list(ncsc_world.addresses.values())
    assert len(set(ips)) == len(HOSTS)
    assert all(ip.startswith("127.") and ip != "127.0.0.1" for ip in ips)
    assert ncsc_world.port == 443  # the tests run as root; 8443 is the documented fallback
    hosts = ncsc_world.hosts_file.read_text().split("\n")
    assert f"{ncsc_world.addresses['globalapi.ad.vendor.test']} globalapi.ad.vendor.test" in hosts
    geo = {e["cidr"]: e["country"] for e in json.loads(ncsc_world.geo_file.read_text())["overrides"]}
    assert geo == ncsc_world.geo_overrides
    from harness.analysis.geo import load_overrides
    assert {str(o.network): o.country for o in load_overrides(ncsc_world.geo_file)} == geo
    from harness.sim.world.attached import WorldFiles
    attached = WorldFiles.open(ncsc_world.state_dir)
    assert attached.addresses == ncsc_world.addresses and attached.geo_overrides == geo
    assert attached.proxy_options() == ncsc_world.proxy_options()
    assert geo[ncsc_world.addresses["tracking.intl.vendor.test"] + "/32"] == "SG"
    assert geo[ncsc_world.addresses["search.vendor.test"] + "/32"] == "NL"
    for path in (ncsc_world.truth_log, ncsc_world.hosts_file, ncsc_world.state_dir / "adconfig.key"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(ncsc_world.state_dir).st_mode) == 0o700


def test_config_served_through_proxy_keeps_host_name(ncsc_world, client, capture):
    with client(ncsc_world) as c:
        doc = _config(c, ncsc_world, pkg="com.vendor.security")
    data = doc["data"]
    assert data["configName"] == "MiAdBlacklistConfig" and data["enable"] is True
    terms = decode_content(data["content"])
    assert len(terms) == 449 and "Free Tibet" in terms and "台湾独立万岁" in terms
    capture.flush()
    flows = [f for f in capture.store.iter_flows() if f.path and f.path.startswith("/api/v1/config")
             and "com.vendor.security" in (f.url or "")]
    assert flows, "the proxy did not record the config download"
    # the host name survives in the Host header (server_host) and SNI; request.host is the address
    # mitmproxy connected to, as for any flow inside a CONNECT tunnel
    assert flows[-1].server_host == "globalapi.ad.vendor.test"
    assert flows[-1].sni == "globalapi.ad.vendor.test"
    assert flows[-1].server_ip == ncsc_world.addresses["globalapi.ad.vendor.test"]
    truth = list(read_truth(ncsc_world.truth_log, "config_served", app="com.vendor.security"))
    assert truth[-1]["terms_count"] == 449 and truth[-1]["enable"] and not truth[-1]["gated"]


def test_region_gate_and_remote_switch(world_ca, tmp_path, client):
    cfg = parse_world({"name": "gate", "ad_config": {"region_gate": {"eu_disabled": True, "remote_switch": False}}})
    with World(cfg, tmp_path / "w", ca=world_ca) as world, client(world) as c:
        eu = _config(c, world, region="LT")["data"]
        assert eu["enable"] is False and eu["content"] == ""
        sg = _config(c, world, region="SG")["data"]
        assert sg["enable"] is True and len(decode_content(sg["content"])) == 449
        world.set_remote_switch(True)
        eu2 = _config(c, world, region="LT")["data"]
        assert eu2["enable"] is True and len(decode_content(eu2["content"])) == 449
        served = world.truth.entries("config_served")
    assert [(e["region"], e["gated"], e["terms_count"]) for e in served] == [
        ("LT", True, 0), ("SG", False, 449), ("LT", False, 449)]


def test_list_update_changes_version_and_terms(world_ca, tmp_path, client):
    with World(load_world("ncsc-2021"), tmp_path / "w", ca=world_ca) as world, client(world) as c:
        before = _config(c, world)["data"]
        new_version = world.publish_list(add=["Lithuanian freedom"], remove=["Free Tibet"])
        after = _config(c, world)["data"]
        truth = world.truth.entries("terms_in_force")
    assert after["version"] == new_version == before["version"] + 1
    assert after["updateTime"] > before["updateTime"]
    old, new = set(decode_content(before["content"])), set(decode_content(after["content"]))
    assert new - old == {"Lithuanian freedom"} and old - new == {"Free Tibet"}
    assert [t["why"] for t in truth] == ["initial", "published"]
    assert truth[1]["added"] == ["Lithuanian freedom"] and truth[1]["terms_count"] == 449


def test_compliant_world_serves_no_list(compliant_world, client):
    with client(compliant_world) as c:
        doc = _config(c, compliant_world)
    assert doc["data"] is None
    assert compliant_world.truth.entries("config_served")[-1]["served"] is False


def test_ads_suggestions_and_truth_annotations(ncsc_world, client):
    with client(ncsc_world) as c:
        ads = c.get(ncsc_world.url("ads", "/v1/ads"), params={"app": "t", "slot": "browser_search",
                                                                 "query": "Free Tibet"}).json()["ads"]
        sugg = c.get(ncsc_world.url("search", "/v1/suggest"), params={"q": "weather"}).json()["suggestions"]
    assert len(ads) == 3 and "Free Tibet" in ads[0]["title"]
    assert sugg[0] == "weather"
    served = ncsc_world.truth.entries("ads_served", subject="Free Tibet")[-1]
    terms = [a["terms"] for a in served["ads"]]
    assert "Free Tibet" in terms[0]
    assert "Samsung" in terms[1]          # the rival-brand ad
    assert terms[2] == []                 # the neutral ad matches nothing
    neutral = ncsc_world.truth.entries("suggestions_served", query="weather")[-1]["suggestions"]
    assert all(s["terms"] == [] for s in neutral)


def test_collector_decrypts_and_logs_identifiers(ncsc_world, client):
    events = [{"type": "track", "event": "search", "properties": {"eid": "e1", "android_id": "abc",
                                                                     "miui_region": "LT"}}]
    with client(ncsc_world) as c:
        r = c.post(ncsc_world.url("telemetry_sg", "/sa"), params={"project": "t"}, content=encrypt_events(events))
        bad = c.post(ncsc_world.url("telemetry_sg", "/sa"), content=b"not json")
    assert r.status_code == 200 and bad.status_code == 400
    got = ncsc_world.truth.entries("telemetry_received", service="telemetry_sg", project="t")[-1]
    assert got["encrypted"] is True and got["identifiers"] == ["android_id"]
    assert got["events"] == events


def test_chat_echo_and_long_poll(ncsc_world, client):
    with client(ncsc_world) as c:
        url = ncsc_world.url("chat", "/v1/messages")
        sent = c.post(url, json={"from": "u1", "to": "echo-bot", "text": "hello"}).json()
        got = c.get(url, params={"user": "u1", "after": sent["id"] - 1, "wait": 5}).json()["messages"]
        assert [m["text"] for m in got] == ["hello"] and got[0]["from"] == "echo-bot"
        ncsc_world.chat_send("alice", "u1", "from outside")
        more = c.get(url, params={"user": "u1", "after": got[0]["id"], "wait": 5}).json()["messages"]
    assert [m["text"] for m in more] == ["from outside"]
    delivered = ncsc_world.truth.entries("chat_delivered", to="u1")
    assert [d["text"] for d in delivered] == ["hello", "from outside"]


def test_default_terms_do_not_hit_neutral_content():
    from harness.sim.world.blacklist import matching_terms
    from harness.sim.world.services import AdsService, SearchService
    terms = [t.text for t in default_terms()]
    assert matching_terms("Cheap flights from Kaunas to Riga", terms) == []
    assert matching_terms(SearchService.suggestions_for("x")[-1], terms) == []
    assert AdsService.ads_for(None, "video_preroll", "x")[2]["id"].startswith("vad-")  # type: ignore[arg-type]


def test_second_download_of_an_app_gets_the_next_version(world_ca, tmp_path, client):
    """ncsc-2021's list update (ad_config.next_version, added_terms, removed_terms): an app's first
    download gets the configured version, its second the next one; another app's first download
    still gets the first; the size stays 449."""
    with World(load_world("ncsc-2021"), tmp_path / "w", ca=world_ca) as world, client(world) as c:
        first = _config(c, world, pkg="com.vendor.security")["data"]
        second = _config(c, world, pkg="com.vendor.security")["data"]
        other = _config(c, world, pkg="com.vendor.browser")["data"]
        served = world.truth.entries("config_served")
    assert (first["version"], second["version"], other["version"]) == (2021092301, 2021100801, 2021092301)
    assert second["updateTime"] == first["updateTime"] + 86_400_000
    old, new = set(decode_content(first["content"])), set(decode_content(second["content"]))
    assert new - old == {"Taiwanese Representative Office"} and old - new == {"Asus ROG"} and len(new) == 449
    assert [(e["app"], e["version"], e["terms_count"]) for e in served] == [
        ("com.vendor.security", 2021092301, 449), ("com.vendor.security", 2021100801, 449),
        ("com.vendor.browser", 2021092301, 449)]
    assert served[0]["terms_digest"] != served[1]["terms_digest"]


def test_next_version_must_be_later():
    from harness.sim.world.config import WorldFileError

    with pytest.raises(WorldFileError, match="ad_config.next_version"):
        parse_world({"name": "w", "ad_config": {"version": 5, "next_version": 5}}, "w.yaml")
