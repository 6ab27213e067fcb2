"""``harness run --target SERIAL`` on a handset started by ``harness sim start --world ncsc-2021``
(trial 5, finding 7): the pack's lab finds the handset's world by its serial, as ``harness intercept
--device SERIAL`` does (harness.scenario.virtual.serial_target) — its host names, CA and geo table,
Frida on this host and the ``virtual-vendor`` profile — with no ``--hosts``, ``--upstream-ca``,
``--geo-overrides``, ``--frida local`` nor ``--profile``.

Real parts: the handset in its own process as ``sim start`` runs it, the adb server, the pytest child
of ``harness run``, the proxy and the world's servers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.device.adb import AdbServer, ensure_server
from harness.testing.sim import service_handset

from .helpers import run_cli

pytestmark = pytest.mark.timeout(300)
#: the two claims of the pack about the keyword list at a first start (one app, one lab)
KEYWORD = "blacklist or first_start"


def test_harness_run_finds_the_world_of_a_sim_start_handset_by_serial(tmp_path):
    home = Path(os.environ["HARNESS_HOME"])  # the pytest child of `harness run` reads the environment's
    ensure_server(AdbServer.parse(None))
    with service_handset(home, f"farmfix-{os.getpid()}", "ncsc-2021") as record:
        code, out, err = run_cli(home, "run", "ncsc_2021", "--target", record.serial, "-k", KEYWORD,
                                 "--out", str(tmp_path / "runs"))
    assert code == 1, (out, err)  # 1: the world's vendor downloads its list (violated), not inconclusive
    (session,) = [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
    doc = json.loads((session / "findings.json").read_text())
    assert (doc.get("world") or {}).get("name") == "ncsc-2021", doc.get("world")
    verdicts = {c["text"]: (c["verdict"], c["device"]) for c in doc["claims"]}
    assert verdicts == {"System apps do not download a keyword blacklist.": ("violated", record.serial),
                        "No app downloads a keyword list at its first start.": ("violated", record.serial)}, verdicts
