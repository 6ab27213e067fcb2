"""pytest plugin of the harness (registered through the ``pytest11`` entry point).

Fixtures only; the scenario layer fills it. It declares the ``harness`` option group now so that
user suites can rely on it:

- ``--harness-device SERIAL``: the handset to run scenarios on (default: a virtual handset);
- ``--harness-world NAME|FILE``: the virtual vendor world a virtual handset lives in (a bundled
  world name such as ``compliant`` or ``ncsc-2021``, or a world YAML file). Scenario packs read it
  in their ``lab_world`` fixture (see scenarios/ncsc_2021/conftest.py and docs/scenarios.md).
"""

from __future__ import annotations

import pytest

#: the world a pack runs in unless ``--harness-world`` says otherwise: the one that keeps its claims
DEFAULT_WORLD = "compliant"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "Android interception harness")
    group.addoption(
        "--harness-device",
        action="store",
        default=None,
        help="serial of the handset to run scenarios on (default: a virtual handset)",
    )
    group.addoption(
        "--harness-world",
        action="store",
        default=DEFAULT_WORLD,
        metavar="NAME|FILE",
        help="virtual vendor world of the virtual handset: a bundled world (compliant, ncsc-2021) "
             f"or a world YAML file (default: {DEFAULT_WORLD})",
    )
