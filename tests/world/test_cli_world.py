"""`harness sim start --world NAME|FILE`: the handset runs with the vendor world."""

from __future__ import annotations

import io
import json

import pytest

from harness.cli.context import Env
from harness.cli.main import main
from harness.sim.service import HandsetRecord
from harness.sim.world import read_truth
from harness.sim.world.attached import WorldFiles
from harness.testing.sim import adb_client


def _run(home, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), Env(stdout=out, stderr=err, home=home))
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(("world", "region_switch", "filter_flag"), [
    ("ncsc-2021", "sg", "1"),
    ("compliant", "eu", "0"),
])
def test_sim_start_with_bundled_world(tmp_path, world, region_switch, filter_flag):
    home = tmp_path / "hh"
    status, out, err = _run(home, "sim", "start", "--name", "w", "--world", world)
    assert status == 0, err
    serial = out.splitlines()[0]
    try:
        assert out == f"{serial}\n", out  # only the serial: `S=$(harness sim start --world W)` (trial item 7)
        assert f"world {world}: truth log" in err
        record = HandsetRecord.read(home / "sim" / "w" / "handset.json")
        assert record is not None and record.world is not None and record.world["name"] == world
        files = WorldFiles.open(record.world["state_dir"])
        dev = adb_client().device(serial)
        assert dev.shell("getprop persist.vendor.filter.browser_ads") == filter_flag
        host = dev.shell("getprop persist.vendor.telemetry.host")
        assert host == ("tracking.intl.vendor.test" if region_switch == "sg" else "tracking.eu.vendor.test")
        started = list(read_truth(files.truth_log, "world_started"))
        assert started[-1]["world"] == world
        assert files.addresses == started[-1]["addresses"]
        geo = json.loads(files.geo_file.read_text())["overrides"]
        assert len(geo) == 8 and all(e["cidr"].startswith("127.") for e in geo)
    finally:
        status, _, _ = _run(home, "sim", "stop", "--name", "w")
    assert status == 0
    assert list(read_truth(files.truth_log, "world_stopped"))


def test_sim_start_with_bad_world_file_names_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: broken\ntelemetry:\n  destination: moon\n")
    status, _, err = _run(tmp_path / "hh", "sim", "start", "--name", "b", "--world", str(bad))
    assert status == 2
    assert "'telemetry.destination'" in err and "fix:" in err
    status, _, err = _run(tmp_path / "hh", "sim", "start", "--name", "b", "--world", "ncsc-2099")
    assert status == 2 and "compliant, ncsc-2021" in err
