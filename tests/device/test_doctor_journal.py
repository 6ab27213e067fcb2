"""``harness doctor``'s proxy probe changes the device (an ``adb reverse`` port), so it goes through
the restore journal like every other change: a normal doctor leaves nothing behind, and a doctor
killed mid-probe leaves a journal that ``harness restore`` replays."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time

from devicehelp import open_device

from harness.cli.context import Env
from harness.cli.main import main
from harness.device.journal import journal_path, read_journal

# The real doctor (real adb server, real virtual handset, real journal) in a child process; only
# the device-side probe command is held up, so the test can SIGKILL the doctor at that point.
KILLED_DOCTOR = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from harness.cli.context import Env
    from harness.cli.main import main
    from harness.device.adb import Device
    serial, home = sys.argv[1:3]
    real_sh = Device.sh
    def sh(self, cmd, *args, **kw):
        if cmd.startswith(("curl ", "echo -ne")):
            print("probing", flush=True)
            time.sleep(120)
        return real_sh(self, cmd, *args, **kw)
    Device.sh = sh
    main(["doctor", "--device", serial], Env(home=Path(home)))
""")


def _run_cli(argv, home):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def test_doctor_probe_leaves_no_reverse_and_no_journal(a10, home):
    code, out, err = _run_cli(["doctor", "--device", a10.serial], home)
    assert code == 0, out + err
    assert "PASS  proxy reachable" in out
    assert open_device(a10).reverse_list() == []
    assert not journal_path(home, a10.serial).exists()


def _kill_doctor_mid_probe(handset, home) -> str:
    """Run the doctor in a child, SIGKILL it during the probe; return the reverse port it left."""
    proc = subprocess.Popen([sys.executable, "-c", KILLED_DOCTOR, handset.serial, str(home)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 90
        line = ""
        while "probing" not in line and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
        assert "probing" in line, proc.stderr.read() if proc.poll() is not None else "no probe started"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    reversed_ports = [remote for remote, _ in open_device(handset).reverse_list()]
    assert len(reversed_ports) == 1  # the killed doctor left its probe port on the device
    pending = read_journal(journal_path(home, handset.serial)).pending
    assert [(c.kind, f"tcp:{c.undo['device_port']}") for c in pending] == [("reverse", reversed_ports[0])]
    return reversed_ports[0]


def test_doctor_killed_mid_probe_then_harness_restore(a10, home):
    _kill_doctor_mid_probe(a10, home)
    code, out, err = _run_cli(["restore", "--device", a10.serial], home)
    assert code == 0, out + err
    assert "undone: adb reverse" in out and "matches its snapshot" in out
    assert open_device(a10).reverse_list() == []
    assert not journal_path(home, a10.serial).exists()


def test_doctor_killed_mid_probe_then_next_doctor_cleans_up(a10, home):
    _kill_doctor_mid_probe(a10, home)
    code, out, err = _run_cli(["doctor", "--device", a10.serial], home)
    assert code == 0, out + err
    line = next(ln for ln in out.splitlines() if "proxy reachable" in ln)
    assert line.startswith("PASS") and "first undid 1 change(s) a killed run left" in line
    assert open_device(a10).reverse_list() == []
    assert not journal_path(home, a10.serial).exists()
