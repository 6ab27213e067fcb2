"""pytest fixtures over the one lab builder (:func:`harness.scenario.open_lab`) on the virtual handset.

In a conftest (``from harness.testing.lab import lab_world, vendor_lab``): ``vendor_lab`` (module
scope) is an open :class:`harness.scenario.Lab` on a :class:`~harness.scenario.virtual.VirtualTarget`
in the world named by the ``lab_world`` fixture (default :data:`harness.scenario.DEFAULT_WORLD`;
override it in a module or conftest). Everything is stopped and the device restored when the
module ends, also after a failure. Outside pytest use ``open_lab`` directly (docs/scenarios.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.scenario import DEFAULT_WORLD, Lab, LabSpec, open_lab


@pytest.fixture(scope="module")
def lab_world() -> str:
    """The world ``vendor_lab`` runs; override in a test module to choose another."""
    return DEFAULT_WORLD


@pytest.fixture(scope="module")
def vendor_lab(lab_world: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """An open lab for one test module (per xdist worker); pytest keeps its own signal handling."""
    from harness.scenario.virtual import VirtualTarget

    root = tmp_path_factory.mktemp("lab")
    spec = LabSpec(VirtualTarget(lab_world), run_dir=root / "run", home=root / "home", root=root / "target",
                   handle_signals=False)
    with open_lab(spec) as lab:
        yield lab
