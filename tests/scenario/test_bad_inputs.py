"""Bad input to the lab: one clear line naming the problem and the fix; what was recorded is kept
and marked incomplete; the device is restored (now, or on reconnect through its journal).

Unknown serial, adb server down, a profile missing a role, a world file with an error, a step that
times out, the device disconnecting mid-run. (The app crashing mid-step: tests/test_demo.py,
``test_app_killed_half_way_keeps_the_recording_and_cleans_up``.) Real parts throughout: the
virtual handset behind the real adb server, the real proxy.
"""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from harness.capture.store import RunStore
from harness.cli.context import Env
from harness.cli.main import main
from harness.device.journal import journal_path
from harness.errors import DeviceError, HarnessError, UsageError
from harness.scenario import LabSpec, PhoneTarget, StepTimeout, open_lab
from harness.scenario.profile import ProfileError
from harness.scenario.virtual import VirtualTarget
from harness.sim.handset import HandsetConfig
from harness.sim.world import World, load_world
from harness.testing.sim import adb_client, start_handset, stop_handset

pytestmark = pytest.mark.timeout(240)


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text, text
    return text


def _spec(root: Path, target, **kw) -> LabSpec:
    return LabSpec(target, run_dir=root / "run", home=root / "home", root=root / "target", handle_signals=False,
                   **kw)


def test_unknown_serial(tmp_path):
    with pytest.raises(DeviceError) as caught, open_lab(_spec(tmp_path, PhoneTarget("NO-SUCH-PHONE"))):
        pass
    text = _one_line(caught.value)
    assert "[NO-SUCH-PHONE]" in text and "no such device" in text and "fix:" in text
    assert not (tmp_path / "run").exists()  # nothing was started, nothing to keep


def test_adb_server_down_is_named_and_not_started(tmp_path):
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DeviceError) as caught, open_lab(_spec(tmp_path, PhoneTarget("X", adb=f"127.0.0.1:{port}"))):
        pass
    assert f"no adb server answers at 127.0.0.1:{port}" in _one_line(caught.value)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # and none was started there


def test_world_file_with_an_error(tmp_path):
    bad = tmp_path / "world.yaml"
    bad.write_text("name: w\ntelemetry: {destination: mars}\n")
    with pytest.raises(UsageError) as caught:
        VirtualTarget(bad)
    text = _one_line(caught.value)
    assert "telemetry.destination" in text and str(bad) in text
    out, err = io.StringIO(), io.StringIO()
    code = main(["demo", "--world", str(bad), "--out", str(tmp_path / "run")],
                Env(stdout=out, stderr=err, home=tmp_path / "home"))
    assert code == 2 and err.getvalue().count("\n") == 1 and "telemetry.destination" in err.getvalue()
    assert not (tmp_path / "run").exists()


def test_a_profile_that_does_not_exist_stops_before_anything_starts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProfileError) as caught, open_lab(_spec(tmp_path, PhoneTarget("NO-SUCH-PHONE"),
                                                                profile="my-phone.yaml")):
        pass
    assert "my-phone.yaml" in _one_line(caught.value)  # named before the (absent) phone is looked for
    assert not (tmp_path / "run").exists()


@pytest.fixture(scope="module")
def lab_run(tmp_path_factory):
    """One lab on a phone (the virtual handset by serial, started here so that it outlives the lab
    and can be reconnected) in which three things go wrong in turn: a role its profile lacks, a step
    that times out, then the device disconnecting. Returns what each raised."""
    root = tmp_path_factory.mktemp("bad")
    world = World(load_world("compliant"), root / "world").start()
    handset = start_handset(HandsetConfig(state_dir=root / "phone", hosts_file=world.hosts_file,
                                          extra_props=world.props(), extra_system_cas=[world.ca_cert_path]))
    profile = root / "no-security.yaml"
    profile.write_text("name: no-security\napps:\n  browser:\n    package: com.vendor.browser\n"
                       "    activity: .BrowserApp\n    log_tags: [Browser]\n"
                       "    sources: [{url: 'https://lab.example', title: t, verified_on_device: false}]\n")
    raised: dict[str, BaseException] = {}
    serial = handset.serial
    spec = _spec(root, PhoneTarget(serial, frida="local"), profile=str(profile), timeout=3.0,
                 addons=[world.addon()], proxy_options=dict(world.proxy_options()))
    try:
        with pytest.raises(HarnessError) as final, open_lab(spec) as lab:
            with pytest.raises(ProfileError) as missing:
                lab.launch("security")
            raised["role"] = missing.value
            with pytest.raises(StepTimeout) as timed_out, lab.step("waits-forever") as step:
                lab.launch("browser")
                step.expect("a flow that never comes", lambda: None)
            raised["timeout"] = timed_out.value
            adb_client().disconnect(serial)  # the cable is pulled
            with lab.step("after-disconnect"):
                lab.wait(lambda: None, "anything", timeout=30)
        raised["disconnect"] = final.value
        yield raised, root, serial, lab
    finally:
        stop_handset(handset)
        world.stop()


def test_a_profile_missing_a_role(lab_run):
    raised, *_ = lab_run
    text = _one_line(raised["role"])
    assert "no-security" in text and "security" in text and "fix:" in text


def test_a_step_that_times_out_says_what_it_waited_for(lab_run):
    raised, root, serial, lab = lab_run
    text = _one_line(raised["timeout"])
    assert "step waits-forever: a flow that never comes: nothing within 3s" in text and "fix:" in text
    steps = {s.id: s for s in RunStore.open(root / "run").steps()}
    assert steps["waits-forever"].ended_at is not None  # the step was closed on the timeline
    assert [s.settled_by for s in lab.steps if s.id == "waits-forever"] == ["error"]


def test_the_device_disconnecting_keeps_the_run_and_restores_on_reconnect(lab_run):
    raised, root, serial, lab = lab_run
    text = _one_line(raised["disconnect"])
    assert serial in text and "fix:" in text
    store = RunStore.open(root / "run")
    assert store.status == "incomplete" and store.meta().get("status_reason")
    assert (root / "run" / "artifacts" / "facts.json").is_file()
    # the restore could not run while the device was gone: the journal waits for it
    home = root / "home"
    assert journal_path(home, serial).exists()
    adb_client().connect(serial, timeout=20)
    out, err = io.StringIO(), io.StringIO()
    assert main(["restore", "--device", serial], Env(stdout=out, stderr=err, home=home)) == 0, err.getvalue()
    assert not journal_path(home, serial).exists()
