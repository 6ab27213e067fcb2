"""``harness restore --device TYPO`` (issue 10 item 17): a serial that is not attached is an error
(exit 2) naming the journals that are pending, never "nothing to restore"."""

from __future__ import annotations

import io

from devicehelp import open_device, sim_settings

from harness.cli.context import Env
from harness.cli.main import main
from harness.device.journal import journal_path, read_journal
from harness.device.proxy import setup_proxy
from harness.device.session import DeviceSession


def _restore(serial, home):
    out, err = io.StringIO(), io.StringIO()
    code = main(["restore", "--device", serial], Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def _leave_pending(handset, home):
    """A run that set the proxy and never restored (its session is not closed)."""
    session = DeviceSession(open_device(handset), home, handle_sigterm=False).__enter__()
    setup_proxy(session, 18093)
    assert session.journal is not None
    session.journal.close()  # the lock goes, the journal stays: as after a SIGKILL


def test_typo_names_the_pending_journal_and_exits_2(a10, home):
    _leave_pending(a10, home)
    code, out, err = _restore("emulator-5554-typo", home)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "emulator-5554-typo" in err and f"{a10.serial} (2 change(s))" in err
    assert read_journal(journal_path(home, a10.serial)).pending  # untouched
    assert sim_settings(a10)["global"]["http_proxy"] == "127.0.0.1:18093"
    code, out, err = _restore(a10.serial, home)  # the right serial restores
    assert code == 0, err
    assert "http_proxy" not in sim_settings(a10)["global"]


def test_serial_not_attached_without_journals_exits_2(adb_server, home):
    code, out, err = _restore("127.0.0.1:9", home)
    assert code == 2 and "no restore journal is pending" in err and err.count("\n") == 1
    # a TCP serial the adb server does not list (e.g. after `adb kill-server`): the one step is
    # `adb connect` (trial 6b N4)
    assert "(fix: if the device is running, `adb connect 127.0.0.1:9`" in err
    assert "then run `harness restore --device 127.0.0.1:9` again)" in err


def test_a_usb_serial_not_attached_is_told_to_check_harness_devices(adb_server, home):
    code, out, err = _restore("R58M1234ABC", home)
    assert code == 2 and err.count("\n") == 1 and "adb connect R58M1234ABC" not in err
    assert "(fix: `harness devices` lists attached serials" in err
