"""The pack's lab: ``open_lab`` on the phone named by ``--harness-device`` (with
``--harness-profile``), or on a virtual handset in the world named by ``--harness-world``; opened
once per test module and restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.errors import UsageError
from harness.scenario import Lab, LabSpec, PhoneTarget, open_lab


def pytest_configure(config: pytest.Config) -> None:
    """Refuse what this pack cannot do before anything starts (pytest exit status 4)."""
    from harness.scenario.profile import load_profile

    try:
        if config.getoption("--harness-device"):
            load_profile(config.getoption("--harness-profile") or "xiaomi-miui12-global")
        else:
            from harness.scenario.virtual import VirtualTarget

            VirtualTarget(config.getoption("--harness-world"))
    except UsageError as exc:
        raise pytest.UsageError(f"{exc.reason} (fix: {exc.fix})") from None


@pytest.fixture(scope="module")
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    opt = request.config.getoption
    root = tmp_path_factory.mktemp("lab")
    if opt("--harness-device"):
        target = PhoneTarget(opt("--harness-device"), adb=opt("--harness-adb"), frida=opt("--harness-frida"),
                             frida_address=opt("--harness-frida-address"))
        spec = LabSpec(target, profile=opt("--harness-profile"), run_dir=root / "run", home=root / "home",
                       handle_signals=False)
    else:
        from harness.scenario.virtual import VirtualTarget

        spec = LabSpec(VirtualTarget(opt("--harness-world")), run_dir=root / "run", home=root / "home",
                       root=root / "target", handle_signals=False)
    with open_lab(spec) as opened:
        yield opened
