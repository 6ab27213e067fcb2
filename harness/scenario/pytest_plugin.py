"""pytest plugin of the harness (registered through the ``pytest11`` entry point).

Fixtures only; the scenario layer fills it. It declares the ``harness`` option group now so that
user suites can rely on it.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "Android interception harness")
    group.addoption(
        "--harness-device",
        action="store",
        default=None,
        help="serial of the handset to run scenarios on (default: a virtual handset)",
    )
