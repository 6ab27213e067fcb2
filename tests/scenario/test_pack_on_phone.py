"""A pack run against a PhoneTarget: the virtual handset addressed by its adb serial and a user's
profile file, as a technician runs a pack on the phone of a bench (issue 14).

``harness run ncsc_2021 --target SERIAL --profile FILE`` knows nothing of the virtual world: what
the test gives it is the lab *network* a real lab describes with plain files (``--hosts``: the
world's host names; ``--upstream-ca``: the CA of its servers; ``--geo-overrides``: the countries of
their addresses) and ``--frida local`` (the handset's apps are JVMs on this host). ``harness run``
starts no proxy itself (its pytest child does), so it runs in-process; the handset lives in this
process and registers with the test session's adb server (``ANDROID_ADB_SERVER_PORT``, inherited
by the child), where the child's PhoneTarget finds it by serial.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.capture.store import RunStore
from harness.cli.context import Env
from harness.cli.main import main
from harness.device.adb import Device
from harness.sim.world import World
from harness.testing.sim import handset_in_world, stop_handset

pytestmark = pytest.mark.timeout(300)

#: the two claims of the pack about the keyword list at a first start (one app, one lab)
KEYWORD = "blacklist or first_start"


def device_state(serial: str) -> tuple[str, list[tuple[str, str]]]:
    """What a lab changes on the phone and must put back: the global proxy and the adb reverses."""
    device = Device.open(serial)
    return device.sh("settings get global http_proxy").text.strip(), device.reverse_list()


def lab_network(world: World) -> list[str]:
    return ["--hosts", str(world.hosts_file), "--upstream-ca", str(world.ca_cert_path),
            "--geo-overrides", str(world.geo_file)]


def test_harness_run_a_pack_on_a_phone_by_serial_and_profile_file(bench):
    serial, profile, world, root = bench
    before = device_state(serial)
    out, err = io.StringIO(), io.StringIO()
    code = main(["run", "ncsc_2021", "--target", serial, "--profile", str(profile), *lab_network(world),
                 "--frida", "local", "-k", KEYWORD, "--out", str(root / "runs")],
                Env(stdout=out, stderr=err, home=root / "home"))
    assert code == 1, (out.getvalue(), err.getvalue())  # 1: a claim is violated
    (session,) = [p for p in (root / "runs").iterdir() if p.is_dir()]
    run = json.loads((session / "run.json").read_text())
    assert run["target"] == serial and run["exit_status"] == 1
    for option in ("--harness-hosts=", "--harness-upstream-ca=", "--harness-geo-overrides=", "--harness-frida=local"):
        assert any(arg.startswith(option) for arg in run["argv"]), run["argv"]

    doc = json.loads((session / "findings.json").read_text())
    claims = {c["text"]: c for c in doc["claims"]}
    assert set(claims) == {"System apps do not download a keyword blacklist.",
                           "No app downloads a keyword list at its first start."}, claims
    (lab_dir,) = (session / "main").iterdir()
    store = RunStore.open(lab_dir)
    try:
        flows = {f.id: f for f in store.iter_flows()}
        artifacts = {a.name: a.kind for a in store.artifacts()}
        meta = store.meta()
    finally:
        store.close()
    for claim in claims.values():
        assert claim["verdict"] == "violated" and claim["device"] == serial, claim
        evidence = claim["evidence"]["flow_ids"]
        assert evidence and set(evidence) <= set(flows), claim
        # the list came from the world's ad-config host, reached by name through the hosts file
        assert {flows[i].host for i in evidence} == {world.host("adconfig")}
        assert {flows[i].server_ip for i in evidence} == {world.addresses[world.host("adconfig")]}
    # its country from the lab's geo table, kept in the run (the findings are built from the run)
    country = world.config.service_geo()["adconfig"]
    (dest,) = [d for d in doc["summary"]["destinations"] if d["host"] == world.host("adconfig")]
    assert (dest["country"], dest["geo_source"]) == (country, "override"), dest
    assert f"from {world.host('adconfig')} ({country})" in claims["No app downloads a keyword list at its first start."]["details"]
    # the lab's own files are kept in the run; it is a phone lab, no world in it
    assert artifacts.get("lab-geo.json") == "geo_overrides" and artifacts.get("lab-hosts") == "hosts"
    assert meta["target"] == "phone" and meta["profile"] == "my-lab-phone" and meta["serial"] == serial

    # the device was restored: no journal left, its proxy and adb reverses as before the run
    journal = Path(os.environ["HARNESS_HOME"]) / "journals" / f"{serial}.jsonl"
    assert not journal.exists()
    assert device_state(serial) == before


def test_the_pytest_plugin_runs_the_pack_on_the_same_phone(bench):
    """The same phone through the plugin (``pytest --pyargs harness.packs.ncsc_2021``), as a device
    farm's CI calls it; run second, after harness run restored the device."""
    serial, profile, world, root = bench
    out, junit = root / "plugin-runs", root / "junit.xml"
    argv = [sys.executable, "-m", "pytest", "--pyargs", "harness.packs.ncsc_2021", "-p", "no:cacheprovider",
            "--harness-target", serial, "--harness-profile", str(profile), "--harness-hosts", str(world.hosts_file),
            "--harness-upstream-ca", str(world.ca_cert_path), "--harness-geo-overrides", str(world.geo_file),
            "--harness-frida", "local", "--harness-out", str(out), "-k", "blacklist", f"--junitxml={junit}"]
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]  # the claim is violated
    (case,) = [c for c in ET.parse(junit).getroot().iter("testcase")]
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["verdict"] == "violated" and props["claim"] == "System apps do not download a keyword blacklist."
    (session,) = out.iterdir()
    doc = json.loads((session / "findings.json").read_text())
    (claim,) = doc["claims"]
    assert claim["verdict"] == "violated" and claim["device"] == serial
    store = RunStore.open(Path(props["run_dir"]))
    try:
        flows = {f.id for f in store.iter_flows()}
    finally:
        store.close()
    assert claim["evidence"]["flow_ids"] and set(claim["evidence"]["flow_ids"]) <= flows
    assert not (Path(os.environ["HARNESS_HOME"]) / "journals" / f"{serial}.jsonl").exists()


NEEDS_ROOT = """
import pytest


@pytest.mark.needs_root
def test_a_system_ca_check(lab):
    raise AssertionError("must not run on a phone without root")


def test_runs_without_root(lab):
    assert lab.facts is not None and lab.serial
"""


def test_needs_root_skips_on_a_phone_without_root(bench):
    """The ``needs_root`` marker on a phone whose shell user cannot become root (a user build): the
    test is skipped with the reason, the module's other test runs on the same lab."""
    _, profile, world, root = bench
    phone = handset_in_world(world, root / "user-build", root="none")
    serial = phone.serial
    try:
        tests = root / "needs_root"
        tests.mkdir()
        (tests / "test_root.py").write_text(NEEDS_ROOT)
        argv = [sys.executable, "-m", "pytest", str(tests), "-p", "no:cacheprovider", "-rs",
                "--harness-target", serial, "--harness-profile", str(profile), "--harness-frida", "local",
                "--harness-out", str(root / "root-runs")]
        done = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=240, check=False)
    finally:
        stop_handset(phone)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed, 1 skipped" in done.stdout
    assert f"needs root; the device {serial} has none" in done.stdout
