"""The shipped ``virtual-vendor`` profile against the virtual handset and its world, the evidence
behind its ``verified_on_device: true``: every app role's package is installed (``pm list packages``
through harness.device), its activity starts and logs under the profile's first log tag, the
browser's search method runs a search, and every host role matches the world's service hosts."""

from __future__ import annotations

import fnmatch
import json
import shlex
from pathlib import Path

import pytest

from harness.device.adb import Device
from harness.device.apps import installed_packages, launch
from harness.scenario.profile import load_profile
from harness.sim.handset import HandsetConfig
from harness.sim.world import World, load_world
from harness.sim.world.world import HOSTS
from harness.testing.sim import adb_client, start_handset, stop_handset, wait_for_log

APPS_DIR = Path(__file__).resolve().parents[2] / "harness" / "sim" / "apps"

#: what each world service is for a scenario (None: no host role)
EXPECTED_ROLE = {"adconfig": "ad_config", "ads": "ads", "search": "search", "telemetry_sg": "telemetry",
                 "telemetry_eu": "telemetry", "cdn": None, "chat": None, "consent": None}


@pytest.fixture(scope="module")
def profile():
    return load_profile("virtual-vendor")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(load_world("ncsc-2021"), tmp_path_factory.mktemp("profile-world")).start()
    yield w
    w.stop()


@pytest.fixture(scope="module")
def phone(world, tmp_path_factory):
    """A virtual handset in the world (apps reach the world directly; no proxy is needed here)."""
    config = HandsetConfig(state_dir=tmp_path_factory.mktemp("profile-phone") / "state",
                           hosts_file=world.hosts_file, extra_props=world.props(),
                           extra_system_cas=[world.ca_cert_path])
    handset = start_handset(config)
    try:
        yield handset, Device(adb_client(), handset.serial)
        handset.device.apps.stop_all()
    finally:
        stop_handset(handset)


def test_every_app_role_is_installed(profile, phone):
    _, device = phone
    installed = installed_packages(device)
    assert {a.package for a in profile.apps.values()} <= set(installed)


def test_every_activity_starts_and_logs_under_its_first_tag(profile, phone):
    handset, device = phone
    for role in profile.apps.values():
        assert role.activity and role.log_tags, role.role
        launch(device, role.package, role.activity)
        wait_for_log(handset, lambda _m: True, timeout=30, tag=role.log_tags[0])


def test_log_tags_are_tags_the_apps_use(profile):
    """Each declared tag occurs as a string in the app's own sources or the shared vendor SDK."""
    shared = "".join(p.read_text("utf-8") for p in (APPS_DIR / "_libs").rglob("*.java"))
    for role in profile.apps.values():
        own = "".join(p.read_text("utf-8") for p in (APPS_DIR / role.package).rglob("*.java"))
        for tag in role.log_tags:
            assert f'"{tag}"' in own + shared, f"{role.role}: tag {tag} not used by {role.package}"


def test_browser_search_method_runs_a_search(profile, phone):
    handset, device = phone
    browser = profile.app("browser")
    search = browser.search
    assert search is not None and search.kind == "intent" and search.action and search.extra
    term = "weather in Kaunas today"
    cmd = (f"am start -W -a {shlex.quote(search.action)} --es {shlex.quote(search.extra)} {shlex.quote(term)} "
           f"-p {shlex.quote(browser.package)}")
    res = device.sh(cmd, timeout=60)
    assert res.ok and "Status: ok" in res.text, res.text

    def rendered(message: str) -> bool:
        doc = json.loads(message)
        return doc["pkg"] == browser.package and doc["surface"] == "results" and doc["subject"] == term

    wait_for_log(handset, rendered, timeout=30, tag="Render")


def test_host_roles_match_the_world_hosts(profile, world):
    assert set(world.addresses) == {host for host, _ in HOSTS.values()}
    for service, (host, _octet) in HOSTS.items():
        expected = EXPECTED_ROLE[service]
        assert profile.roles_of_host(host) == ((expected,) if expected else ()), host
    for role in profile.hosts.values():
        for pattern in role.patterns:
            assert any(fnmatch.fnmatchcase(h, pattern) for h in world.addresses), f"{role.role}: {pattern}"
