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

pytestmark = pytest.mark.timeout(240)

# the lab's profile is a user's file (tests/scenario/conftest.py USER_PROFILE), not the shipped
# virtual-vendor: the roles are the same, the file is the user's own


@pytest.fixture(scope="module", autouse=True)
def _shell_commands_loaded() -> None:
    """The handset runs in this process and loads its shell commands lazily when one is first run:
    load them all first, so the check below sees only what the phone path itself imports."""
    import harness.sim.android.shell as shell

    for mod in pkgutil.walk_packages(shell.__path__, shell.__name__ + "."):
        importlib.import_module(mod.name)


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
