"""Joining a running lab (harness.scenario.join) on a real open lab (``vendor_lab``: the virtual
handset in the ncsc-2021 world, the real capture proxy and run store): the door file is found only
while the device's journal lock is held, a wrong token records nothing, malformed lines are
skipped, and events sent by a joiner land in the lab's run with the lab's current step."""

from __future__ import annotations

import dataclasses
import json
import socket
import stat
import time

import pytest

from harness.errors import UsageError
from harness.instrument.events import HookEvent
from harness.scenario import Lab, LabSpec, PhoneTarget
from harness.scenario.join import EventForwarder, LabEnded, door_path, join_lab, running_lab

pytestmark = pytest.mark.timeout(180)


def _event(type_: str = "test:joined", **payload) -> HookEvent:
    return HookEvent(type=type_, source="test", timestamp=time.time(), payload=payload, data=b"\x00\xffplain",
                     pid=4242, thread=7)


def test_the_door_is_announced_privately_and_only_while_the_lab_holds_the_device(vendor_lab: Lab, tmp_path):
    lab = vendor_lab
    found = running_lab(lab.home, lab.serial)
    assert found is not None and found.run_dir == lab.run_dir and found.address[0] == "127.0.0.1"
    path = door_path(lab.home, lab.serial)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # the same file for a device whose journal no lab holds (a killed lab's leftover) is ignored
    stale = door_path(lab.home, "R58M123ABC")
    stale.write_text(path.read_text())
    try:
        assert running_lab(lab.home, "R58M123ABC") is None
    finally:
        stale.unlink()
    with pytest.raises(UsageError, match="no lab is running on R58M123ABC"):
        with join_lab(LabSpec(PhoneTarget("R58M123ABC", frida="local"), home=lab.home, handle_signals=False)):
            pass


def test_a_wrong_token_records_nothing(vendor_lab: Lab):
    lab = vendor_lab
    found = running_lab(lab.home, lab.serial)
    assert found is not None
    before = len(lab.events("test:"))
    with socket.create_connection(found.address, timeout=10) as sock:
        sock.sendall(b'{"token": "guess"}\n' + json.dumps(_event().to_json()).encode() + b"\n")
        answer = sock.makefile("rb").readline()
    assert json.loads(answer) == {"error": "bad token"}
    with pytest.raises(LabEnded, match="refused to be joined"):
        EventForwarder(dataclasses.replace(found, token="guess"))
    assert len(lab.events("test:")) == before


def test_joined_events_land_in_the_lab_run_with_its_step(vendor_lab: Lab):
    lab = vendor_lab
    step = lab.mark("joined-step")
    try:
        spec = LabSpec(PhoneTarget(lab.serial, frida="local"), home=lab.home, handle_signals=False)
        with join_lab(spec) as joined:
            assert joined.run_dir == lab.run_dir and joined.serial == lab.serial
            joined.check()
            sent = _event(answer=42)
            for sink in joined.sinks():
                sink(sent)
            # a malformed line on a raw connection is skipped; the valid one after it is kept
            found = running_lab(lab.home, lab.serial)
            assert found is not None
            with socket.create_connection(found.address, timeout=10) as sock:
                reader = sock.makefile("rb")
                sock.sendall(json.dumps({"token": found.token}).encode() + b"\n")
                assert json.loads(reader.readline())["run_dir"] == str(lab.run_dir)
                sock.sendall(b"not json\n" + json.dumps(_event("test:raw").to_json()).encode() + b"\n")
                sock.shutdown(socket.SHUT_WR)
                assert json.loads(reader.readline()) == {"recorded": 1}
        recorded = {e.id: e for e in lab.events("test:")}
    finally:
        lab.capture.timeline.end()
    got = recorded[sent.id]
    assert (got.type, got.step_id, got.pid, got.thread) == ("test:joined", step, 4242, "7")
    assert got.payload == {"answer": 42} and got.data == b"\x00\xffplain"
    assert any(e.type == "test:raw" and e.step_id == step for e in recorded.values())
