"""A virtual handset of a world, prepared as a rooted phone (system CA, proxy), for the world tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.device.adb import Device
from harness.device.cacert import install_system_ca
from harness.device.proxy import setup_proxy
from harness.device.session import DeviceSession
from harness.sim.handset import HandsetConfig
from harness.testing.sim import adb_client, start_handset, stop_handset


@contextlib.contextmanager
def prepared_phone(world: Any, capture: Any, root: Path) -> Iterator[tuple[Any, Any]]:
    """``(handset, adbutils device)`` of a handset in ``world`` whose traffic goes through
    ``capture`` (the module's proxy); its apps are stopped and the device restored on exit."""
    config = HandsetConfig(state_dir=root / "state", hosts_file=world.hosts_file,
                           extra_props=world.props(), extra_system_cas=[world.ca_cert_path])
    handset = start_handset(config)
    try:
        device = Device(adb_client(), handset.serial)
        with DeviceSession(device, root / "home", handle_sigterm=False) as session:
            install_system_ca(session, capture.ca.cert.read_bytes())
            setup_proxy(session, capture.address[1])
            yield handset, adb_client().device(serial=handset.serial)
            handset.device.apps.stop_all()
    finally:
        stop_handset(handset)
