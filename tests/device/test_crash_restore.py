"""Restore when the harness does not end normally: SIGKILL (restore on the next run or with
``harness restore``), and a device that drops off mid-setup."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import pytest
from devicehelp import open_device, sim_runtime_mounts, sim_settings

from harness.cli.context import Env
from harness.cli.main import main
from harness.device.cacert import install_system_ca
from harness.device.journal import journal_path, read_journal
from harness.device.paths import SYSTEM_CACERTS
from harness.device.proxy import setup_proxy
from harness.device.session import DeviceSession
from harness.errors import DeviceOffline
from harness.testing.pki import make_ca

KILLED_RUN = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from harness.device.adb import Device
    from harness.device.cacert import install_system_ca
    from harness.device.proxy import setup_proxy
    from harness.device.session import DeviceSession
    serial, home, pem = sys.argv[1:4]
    session = DeviceSession(Device.open(serial), Path(home)).__enter__()
    setup_proxy(session, 18090)
    install_system_ca(session, Path(pem).read_bytes())
    print("ready", flush=True)
    os.kill(os.getpid(), 9)
""")


def _killed_run(handset, home, tmp_path):
    pem = tmp_path / "ca.pem"
    pem.write_bytes(make_ca("Killed Run CA").cert_pem)
    proc = subprocess.run([sys.executable, "-c", KILLED_RUN, handset.serial, str(home), str(pem)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert "ready" in proc.stdout
    # the device really is left changed: read its state directly
    assert sim_settings(handset)["global"]["http_proxy"] == "127.0.0.1:18090"
    assert [m["target"] for m in sim_runtime_mounts(handset)] == [SYSTEM_CACERTS]
    assert read_journal(journal_path(home, handset.serial)).pending


def _assert_restored(handset, home):
    assert "http_proxy" not in sim_settings(handset)["global"]
    assert sim_runtime_mounts(handset) == []
    assert open_device(handset).reverse_list() == []
    assert not journal_path(home, handset.serial).exists()


def test_sigkill_then_harness_restore(a10, home, tmp_path):
    _killed_run(a10, home, tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["restore", "--device", a10.serial], Env(stdout=out, stderr=err, home=home))
    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert "undone: mount over /system/etc/security/cacerts removed" in text and "matches its snapshot" in text
    _assert_restored(a10, home)


def test_sigkill_then_next_run_restores_first(a10, home, tmp_path):
    _killed_run(a10, home, tmp_path)
    device = open_device(a10)
    with DeviceSession(device, home) as s:
        assert s.stale_report is not None and s.stale_report.ok
        # the snapshot of the new run is the clean device, not the half-prepared one
        assert s.snapshot["settings"]["http_proxy"] is None and s.snapshot["mounts"] == []
    _assert_restored(a10, home)


def test_device_dropped_mid_setup_keeps_journal(a10, home):
    device = open_device(a10)
    ca = make_ca("Dropped CA")
    with pytest.raises(DeviceOffline) as info:
        with DeviceSession(device, home) as s:
            setup_proxy(s, 18091)
            a10.daemon.set_mode("drop")  # the cable is pulled
            install_system_ca(s, ca.cert_pem)
    assert info.value.serial == a10.serial
    assert "harness restore" in info.value.fix
    assert read_journal(journal_path(home, a10.serial)).pending  # kept for restore
    # the phone comes back: restore finishes the job
    a10.daemon.set_mode("device")
    a10.connect()
    assert sim_settings(a10)["global"]["http_proxy"] == "127.0.0.1:18091"
    out, err = io.StringIO(), io.StringIO()
    assert main(["restore", "--device", a10.serial], Env(stdout=out, stderr=err, home=home)) == 0, err.getvalue()
    _assert_restored(a10, home)


def test_restore_with_nothing_to_do(a10, home):
    out, err = io.StringIO(), io.StringIO()
    assert main(["restore", "--device", a10.serial], Env(stdout=out, stderr=err, home=home)) == 0
    assert "nothing to restore" in out.getvalue()


def test_restore_refused_while_a_run_holds_the_device(a10, home):
    device = open_device(a10)
    with DeviceSession(device, home) as s:
        setup_proxy(s, 18092)
        out, err = io.StringIO(), io.StringIO()
        code = main(["restore", "--device", a10.serial], Env(stdout=out, stderr=err, home=home))
        assert code == 2 and "another harness run is using this device" in err.getvalue()
        assert sim_settings(a10)["global"]["http_proxy"] == "127.0.0.1:18092"  # untouched
    assert "http_proxy" not in sim_settings(a10)["global"]


def test_intercept_missing_device_is_one_line(adb_server, home):
    out, err = io.StringIO(), io.StringIO()
    code = main(["intercept", "--device", "127.0.0.1:9"], Env(stdout=out, stderr=err, home=home))
    assert code == 2
    assert err.getvalue().count("\n") == 1 and "no such device" in err.getvalue()
