"""App sandboxes (harness.sim.android.sandbox): uids never collide with real accounts, and a
handset starting on a state folder removes the sandboxes a killed handset of that folder left."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from harness.sim.android.sandbox import UID_BASE, host_uid, owner_tag


def test_uids_are_far_from_real_accounts():
    assert host_uid("u0_a123") == UID_BASE + 10123
    assert host_uid("system") == UID_BASE + 1000


@pytest.mark.skipif(os.geteuid() != 0, reason="sandboxes are used when the handset runs as root")
def test_leftover_sandboxes_of_the_same_state_are_removed(make_device, tmp_path):
    state = tmp_path / "dev"
    left = Path(tempfile.mkdtemp(prefix=f"vsim-{owner_tag(state)}-com.example.app-"))
    other = Path(tempfile.mkdtemp(prefix="vsim-ffffffff-com.example.app-"))
    try:
        make_device(name="dev")
        assert not left.exists()
        assert other.exists()  # another handset's: untouched
    finally:
        for folder in (left, other):
            if folder.exists():
                os.rmdir(folder)
