"""pytest helpers for the virtual handset: one handset per test session, reset before each test.

Use in a ``conftest.py``::

    pytest_plugins = ["harness.testing.sim"]

    def test_model(sim_device):            # an adbutils.AdbDevice
        assert sim_device.prop.model == "M2007J3SG"

Fixtures:

``sim_handset_config``  (session) the :class:`~harness.sim.handset.HandsetConfig`; override it
                        in your conftest to pick a personality, a hosts file, app folders.
``virtual_handset``     (session) a started :class:`~harness.sim.handset.VirtualHandset`, attached
                        to the adb server with ``adb connect``.
``sim_handset``         (function) the same handset after :meth:`VirtualHandset.reset`.
``sim_serial``          (function) its adb serial.
``sim_device``          (function) an ``adbutils.AdbDevice`` for it.

The adb server is the one on ``ANDROID_ADB_SERVER_PORT`` (started if needed). Under xdist each
worker gets its own handset.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.sim.android import AndroidDevice
from harness.sim.handset import HandsetConfig, VirtualHandset
from harness.sim.service import HandsetRecord
from harness.sim.world import World


def adb_client():
    """An adbutils client for the adb server this process uses."""
    import adbutils

    return adbutils.AdbClient(port=int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037")))


def start_handset(config: HandsetConfig, *, connect: bool = True) -> VirtualHandset:
    """Start a handset and (by default) attach it to the adb server; stops it again on failure."""
    handset = VirtualHandset(config).start()
    if connect:
        try:
            handset.connect()
        except BaseException:
            handset.stop()
            raise
    return handset


def stop_handset(handset: VirtualHandset) -> None:
    try:
        handset.disconnect()
    finally:
        handset.stop()


def wait_for_log(handset: VirtualHandset | AndroidDevice, predicate: Callable[[str], bool],
                 timeout: float = 30.0, tag: str | None = None) -> str:
    """Wait until a logcat message (optionally with ``tag``) satisfies ``predicate``; return it.

    ``handset`` is a running :class:`VirtualHandset` or an in-process ``AndroidDevice``."""
    device = handset.device if isinstance(handset, VirtualHandset) else handset
    assert device is not None, "the handset is not running"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in device.logcat.snapshot():
            if (tag is None or entry.tag == tag) and predicate(entry.message):
                return entry.message
        time.sleep(0.1)
    seen = "\n".join(e.format() for e in device.logcat.snapshot()[-30:])
    raise AssertionError(f"no matching logcat entry within {timeout:.0f}s; last entries:\n{seen}")


@pytest.fixture(scope="session")
def sim_handset_config(tmp_path_factory: pytest.TempPathFactory) -> HandsetConfig:
    return HandsetConfig(state_dir=tmp_path_factory.mktemp("virtual-handset") / "state")


@pytest.fixture(scope="session")
def virtual_handset(sim_handset_config: HandsetConfig) -> Iterator[VirtualHandset]:
    handset = start_handset(sim_handset_config)
    try:
        yield handset
    finally:
        stop_handset(handset)


@pytest.fixture
def sim_handset(virtual_handset: VirtualHandset) -> VirtualHandset:
    virtual_handset.reset()
    virtual_handset.connect()  # cheap when attached; re-attaches after an adb server restart
    return virtual_handset


@pytest.fixture
def sim_serial(sim_handset: VirtualHandset) -> str:
    return sim_handset.serial


@pytest.fixture
def sim_device(sim_handset: VirtualHandset):
    return adb_client().device(sim_handset.serial)


@contextlib.contextmanager
def service_handset(home: Path, name: str, world: str) -> Iterator[HandsetRecord]:
    """A handset started as ``harness sim start --world WORLD`` does (its own process, its record
    under ``home``), connected to the adb server and in state ``device``; stopped and disconnected
    on exit. Yields the :class:`harness.sim.service.HandsetRecord`."""
    from harness.device.adb import Device
    from harness.sim import service

    folder = service.default_sim_dir(name, home)
    record = service.start(folder, world=world)
    try:
        adb_client().connect(record.serial, timeout=20)
        Device.open(record.serial)  # attached and in state "device"
        yield record
    finally:
        service.stop(folder)
        with contextlib.suppress(Exception):  # the handset is stopped either way
            adb_client().disconnect(record.serial)


def handset_in_world(world: World, state_dir: Path, **config: Any) -> VirtualHandset:
    """A handset (in this process, attached to the adb server) on ``world``'s network (a started
    :class:`harness.sim.world.World`): its hosts file, boot props and CA in the system store; extra
    :class:`HandsetConfig` fields in ``config`` (e.g. ``root="none"``). Stop it with :func:`stop_handset`."""
    return start_handset(HandsetConfig(state_dir=state_dir, hosts_file=world.hosts_file, extra_props=world.props(),
                                       extra_system_cas=[world.ca_cert_path], **config))
