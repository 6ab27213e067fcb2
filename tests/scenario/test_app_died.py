"""An app that dies while the lab waits outside any step (trial 5, finding 17): the error says so
("exited outside any step"), never "step -". Real parts: the virtual handset, its JVM app killed
with ``kill -9`` through the handset's ``su`` (as a technician would on a rooted phone)."""

from __future__ import annotations

import pytest

from harness.scenario import LabSpec, open_lab
from harness.scenario.lab import AppDied
from harness.scenario.virtual import VirtualTarget

pytestmark = pytest.mark.timeout(240)


def test_an_app_dying_outside_a_step_is_named_so(tmp_path):
    spec = LabSpec(VirtualTarget("compliant"), run_dir=tmp_path / "run", home=tmp_path / "home",
                   root=tmp_path / "target", handle_signals=False)
    with open_lab(spec) as lab:
        pid = lab.launch("security")  # outside any step
        lab.device.sh(f"su -c 'kill -9 {pid}'")
        with pytest.raises(AppDied) as died:
            lab.wait(lambda: None, "the app to answer", timeout=60)
    text = str(died.value)
    assert f"(pid {pid}) exited outside any step" in text, text
    assert "step -" not in text, text
