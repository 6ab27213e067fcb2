"""Fixtures shared by the scenario tests that drive the phone path against the virtual handset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.sim.world import World, load_world
from harness.testing.sim import handset_in_world, stop_handset

#: a lab's own profile of its phone: roles, packages and host patterns only (no world knowledge)
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
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, World, Path]]:
    """A handset on the test session's adb server (its serial is all a lab gets), its ``ncsc-2021``
    world (the lab's network) and a user profile file (``USER_PROFILE``):
    ``(serial, profile file, world, folder)``."""
    root = tmp_path_factory.mktemp("bench")
    world = World(load_world("ncsc-2021"), root / "world").start()
    handset = handset_in_world(world, root / "phone")
    profile = root / "my-phone.yaml"
    profile.write_text(USER_PROFILE)
    try:
        yield handset.serial, profile, world, root
    finally:
        stop_handset(handset)
        world.stop()
