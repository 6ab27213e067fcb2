"""The virtual handset's advertising ID: generated once by "Play services", kept where a phone keeps
it, read by the device layer with root over the real adb server, handed to app JVMs by the platform
API of the vapp runtime. Nothing is mocked."""

from __future__ import annotations

import json
import stat
import uuid
from pathlib import Path

from harness.device.adb import Device
from harness.device.facts import _ADID, collect_facts
from harness.sim.android.playservices import (
    ADID_PREFS,
    GMS_PACKAGE,
    parse_adid_prefs,
    read_advertising_id,
    render_adid_prefs,
)
from harness.sim.handset import VirtualHandset
from harness.testing.sim import wait_for_log

#: a test app that reports what the platform API gives it, through the runtime and the vendor SDK
_APP_JSON = {"package": "com.test.adid", "label": "AdId Test", "version_name": "1", "version_code": 1,
             "main": "com.test.adid.Main", "libs": ["json", "vendor-framework"], "system": False}
_APP_MAIN = """\
package com.test.adid;

public final class Main implements vapp.App {
    public static void main(String[] args) { vapp.VApp.run(new Main()); }

    @Override public void onCreate() {
        vapp.VApp.log('I', "AdIdTest", "runtime=" + vapp.VApp.advertisingId()
                + " sdk=" + com.vendor.sdk.Device.advertisingId());
    }

    @Override public void onIntent(vapp.Intent intent) {}
}
"""


def _test_app(root: Path) -> Path:
    folder = root / "com.test.adid"
    (folder / "com/test/adid").mkdir(parents=True)
    (folder / "app.json").write_text(json.dumps(_APP_JSON))
    (folder / "com/test/adid/Main.java").write_text(_APP_MAIN)
    return root


def test_prefs_file_has_the_shape_of_play_services_shared_prefs() -> None:
    ad_id = str(uuid.uuid4())
    text = render_adid_prefs(ad_id)
    assert text.startswith("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n")
    assert f'<string name="adid_key">{ad_id}</string>' in text
    assert _ADID.search(text).group(1) == ad_id  # what harness.device.facts looks for on a phone
    assert parse_adid_prefs(text) == ad_id
    assert parse_adid_prefs("<map><string name=\"adid_key\">not-a-uuid</string></map>") is None
    assert parse_adid_prefs("<map><string name=") is None


def test_generated_at_first_boot_persisted_and_private(make_device, tmp_path: Path) -> None:
    dev = make_device(name="phone")
    ad_id = dev.advertising_id
    assert str(uuid.UUID(ad_id)) == ad_id and uuid.UUID(ad_id).version == 4
    prefs = dev.fs.host_path(ADID_PREFS)
    assert prefs.is_file() and stat.S_IMODE(prefs.stat().st_mode) == 0o600
    assert stat.S_IMODE(prefs.parent.stat().st_mode) == 0o700
    # a reboot and a new process over the same state keep it, as a phone's data partition does
    dev.reboot()
    assert dev.advertising_id == ad_id
    dev.close()
    assert make_device(name="phone").advertising_id == ad_id
    # another phone has another one
    assert make_device(name="other").advertising_id != ad_id


def test_clearing_play_services_resets_it_and_the_package_is_listed(make_device) -> None:
    dev = make_device(name="phone")
    before = dev.advertising_id
    code, out, _ = dev.run("pm list packages")
    assert code == 0 and f"package:{GMS_PACKAGE}" in out.split()
    # the shell user cannot read Play services' data; root can
    assert dev.run(f"cat {ADID_PREFS}")[0] != 0
    code, out, _ = dev.run(f"cat {ADID_PREFS}", root=True)
    assert code == 0 and parse_adid_prefs(out) == before
    assert dev.run(f"pm clear {GMS_PACKAGE}")[0] == 0
    assert read_advertising_id(dev.fs) is None
    after = dev.advertising_id
    assert after != before and read_advertising_id(dev.fs) == after


def test_device_facts_read_it_over_adb_with_root(sim_handset: VirtualHandset) -> None:
    assert sim_handset.device is not None
    facts = collect_facts(Device.open(sim_handset.serial))
    assert facts.advertising_id == sim_handset.device.advertising_id
    assert facts.identifiers()["advertising_id"] == facts.advertising_id
    assert facts.to_json()["identifiers"]["advertising_id"] == facts.advertising_id


def test_apps_get_it_from_the_platform_api(make_device, tmp_path: Path, hosts_file: Path) -> None:
    dev = make_device(name="phone", app_dirs=[_test_app(tmp_path / "apps")], hosts_file=hosts_file)
    ad_id = dev.advertising_id
    code, out, err = dev.run("am start -W -n com.test.adid/.Main", timeout=60)
    assert code == 0, out + err
    msg = wait_for_log(dev, lambda m: m.startswith("runtime="), tag="AdIdTest")
    assert msg == f"runtime={ad_id} sdk={ad_id}"
