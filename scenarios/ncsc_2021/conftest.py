"""The pack's lab: one virtual handset in the world named by ``--harness-world`` (default
``compliant``), started once per test module and restored afterwards (``harness.testing.lab``)."""

from __future__ import annotations

import pytest

from harness.errors import UsageError
from harness.testing.lab import vendor_lab  # noqa: F401 - the module-scoped Lab fixture


def pytest_configure(config: pytest.Config) -> None:
    """Refuse what this pack cannot do before anything starts (pytest exit status 4)."""
    from harness.sim.world import load_world

    if config.getoption("--harness-device"):
        raise pytest.UsageError(
            "scenarios/ncsc_2021 runs on the virtual handset only: the claims drive the virtual vendor "
            "world's apps and read its geo table. Fix: drop --harness-device; for a physical phone follow "
            "docs/scenarios.md ('On a physical phone') and docs/lab-guide.md")
    try:
        load_world(config.getoption("--harness-world"))
    except UsageError as exc:
        raise pytest.UsageError(f"--harness-world: {exc.reason} (fix: {exc.fix})") from None


@pytest.fixture(scope="module")
def lab_world(request: pytest.FixtureRequest) -> str:
    """The world ``vendor_lab`` starts: ``--harness-world``."""
    return str(request.config.getoption("--harness-world"))
