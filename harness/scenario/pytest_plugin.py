"""pytest plugin of the harness (registered through the ``pytest11`` entry point).

Options only for now (the scenario fixtures and ``harness run`` come next); scenario packs read
them in their conftest (see scenarios/ncsc_2021/conftest.py and docs/scenarios.md):

- ``--harness-device SERIAL``: run on this phone (a :class:`~harness.scenario.PhoneTarget`)
  instead of a virtual handset;
- ``--harness-profile NAME|FILE``: the app profile for that phone (default:
  ``xiaomi-miui12-global``); a virtual handset uses ``virtual-vendor``;
- ``--harness-adb HOST:PORT``: the adb server of the phone (a device farm; default the local one);
- ``--harness-frida usb|remote|forward|local`` and ``--harness-frida-address HOST:PORT``;
- ``--harness-world NAME|FILE``: the virtual vendor world of a virtual handset (a bundled world
  such as ``compliant``, ``ncsc-2021``, ``list-not-enforced``, or a world YAML file).
"""

from __future__ import annotations

import pytest

from harness.scenario.spec import DEFAULT_WORLD
from harness.scenario.target import FRIDA_TRANSPORTS


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "Android interception harness")
    group.addoption("--harness-device", action="store", default=None, metavar="SERIAL",
                    help="serial of the phone to run scenarios on (default: a virtual handset)")
    group.addoption("--harness-profile", action="store", default=None, metavar="NAME|FILE",
                    help="app profile of the phone (default: xiaomi-miui12-global)")
    group.addoption("--harness-adb", action="store", default=None, metavar="HOST:PORT",
                    help="adb server of the phone (default: the local one)")
    group.addoption("--harness-frida", action="store", default="usb", choices=FRIDA_TRANSPORTS,
                    help="how Frida reaches the phone's apps (default: usb)")
    group.addoption("--harness-frida-address", action="store", default=None, metavar="HOST:PORT",
                    help="frida-server address for --harness-frida remote")
    group.addoption("--harness-world", action="store", default=DEFAULT_WORLD, metavar="NAME|FILE",
                    help="virtual vendor world of the virtual handset: a bundled world (compliant, ncsc-2021, "
                         f"list-not-enforced) or a world YAML file (default: {DEFAULT_WORLD})")
