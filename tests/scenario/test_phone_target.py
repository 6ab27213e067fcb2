"""The phone path: a :class:`PhoneTarget` driven against the virtual handset, addressed only by its
adb serial and a user profile file, as a lab technician would address a real phone.

The lab knows nothing of the virtual world: the target opens no world, imports no ``harness.sim``
(``lab.world`` is None, no wait-for-debugger release, no shipped trigger map), Frida attaches after
the app started (``--harness-frida local``: the handset's apps are host JVMs). What the test
itself provides is the lab *network* a phone would have: a proxy addon routing the world's host
names (a generic mitmproxy addon, as a lab could give for its own upstream), upstream trust in the
world CA and the world's geo table (a lab's own CIDR -> country file).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import pytest

from harness.capture.store import RunStore
from harness.packs.ncsc_2021.claims import no_keyword_blacklist, searches_never_restricted
from harness.scenario import LabSpec, PhoneTarget, open_lab
from harness.scenario.profile import load_profile
from harness.sim.world import World, load_world
from harness.testing.sim import handset_in_world, stop_handset

pytestmark = pytest.mark.timeout(240)

#: a user's profile for "their phone": the virtual apps under other role names would be no test;
#: the roles are the same, the file is the user's own (not the shipped virtual-vendor)
USER_PROFILE = """\
name: my-lab-phone
description: the phone on bench 3
apps:
  browser:
    package: com.vendor.browser
    activity: .BrowserApp
    search: {kind: intent, action: android.intent.action.WEB_SEARCH, extra: query}
    log_tags: [Browser, BrowserSearch, SensorsData, AdBlacklist, Render]
    sources: [{url: "https://lab.example/bench3", title: bench notes, verified_on_device: true}]
  security:
    package: com.vendor.security
    activity: .SecurityCenter
    log_tags: [SecurityCenter, AdBlacklist]
    sources: [{url: "https://lab.example/bench3", title: bench notes, verified_on_device: true}]
hosts:
  ad_config:
    patterns: ["globalapi.ad.*.test"]
    sources: [{url: "https://lab.example/bench3", title: bench notes, verified_on_device: true}]
  search:
    patterns: [search.vendor.test]
    sources: [{url: "https://lab.example/bench3", title: bench notes, verified_on_device: true}]
"""


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """A handset on the adb server (its serial is all the lab gets) and the lab's network."""
    root = tmp_path_factory.mktemp("bench")
    # the handset runs in this process and loads its shell commands lazily when one is first run:
    # load them all now, so the check below sees only what the phone path itself imports
    import harness.sim.android.shell as shell

    for mod in pkgutil.walk_packages(shell.__path__, shell.__name__ + "."):
        importlib.import_module(mod.name)
    world = World(load_world("ncsc-2021"), root / "world").start()
    handset = handset_in_world(world, root / "phone")
    profile = root / "my-phone.yaml"
    profile.write_text(USER_PROFILE)
    try:
        yield handset.serial, profile, world, root
    finally:
        stop_handset(handset)
        world.stop()


def test_claims_on_a_phone_target_by_serial_and_profile_file(bench):
    serial, profile_file, world, root = bench
    sim_modules = {m for m in sys.modules if m.startswith("harness.sim")}
    spec = LabSpec(PhoneTarget(serial, frida="local"), profile=str(profile_file), run_dir=root / "run",
                   home=root / "home", addons=[world.addon()], proxy_options=dict(world.proxy_options()),
                   geo_overrides=world.geo_file, handle_signals=False)
    with open_lab(spec) as lab:
        assert lab.world is None and lab.attached.start_suspended is None
        assert lab.profile.name == "my-lab-phone" and lab.attached.meta["target"] == "phone"
        blacklist = no_keyword_blacklist(lab)
        search = searches_never_restricted(lab)
        pid = lab.launch("browser", agents=["crypto"])  # Frida attached to the running app
        assert lab.hooks["browser"].pid == pid
        lab.stop("browser")
    # the phone path imported nothing new from the virtual handset (the in-process handset itself
    # loads the shell commands it runs lazily, e.g. `pm clear` for a first start: those are its own)
    new = {m for m in sys.modules if m.startswith("harness.sim")} - sim_modules
    assert {m for m in new if not m.startswith("harness.sim.android.shell")} == set(), new
    assert not blacklist.holds and "449 terms" in blacklist.details
    assert not search.holds and "filtered" in search.details
    assert lab.restore is not None and lab.restore.ok
    store = RunStore.open(lab.run_dir)
    assert store.status == "complete" and store.meta()["profile"] == "my-lab-phone"
    assert [s.id for s in store.steps()] == ["security-first-start", "browser-start", "search-sensitive",
                                             "search-control"]
    assert not (root / "home" / "journals" / f"{serial}.jsonl").exists()


def test_user_profile_roles_are_what_the_lab_drives(bench):
    _, profile_file, _, _ = bench
    profile = load_profile(profile_file)
    assert profile.app("security").package == "com.vendor.security"
    assert profile.host_role("ad_config").matches("globalapi.ad.vendor.test")
    assert Path(profile_file).name == "my-phone.yaml"
