"""Crafted restore journals (issue 11 item 2): ``harness restore`` and the automatic replay at the
start of a session run only what the harness itself could have written, quote every value, refuse
a journal that is not the user's own, never echo a journal's free text, and never claim a device
"matches its snapshot" without one. Each attack runs against the virtual handset through the real
adb server; the handset's state is read directly to prove nothing happened."""

from __future__ import annotations

import io
import json
import os
import stat

import pytest
from devicehelp import open_device, sim_file, sim_settings

from harness.cli.context import Env
from harness.cli.main import main
from harness.device.journal import journal_path, read_journal
from harness.device.session import DeviceSession
from harness.errors import JournalError

SNAPSHOT = {"settings": {"http_proxy": None}, "reverse": [], "mounts": [], "cacerts": {},
            "frida_server_running": False}


def _write_journal(home, serial, records, mode=0o600):
    path = journal_path(home, serial)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    os.chmod(path, mode)
    return path


def _change(seq, kind, undo, describe="harmless"):
    return {"type": "change", "seq": seq, "time": 1.0, "kind": kind, "describe": describe,
            "old": None, "undo": undo}


def _begin(serial, snapshot=SNAPSHOT):
    return {"type": "begin", "time": 1.0, "pid": 1, "serial": serial, "run": "r", "snapshot": snapshot}


def _restore(handset, home):
    out, err = io.StringIO(), io.StringIO()
    code = main(["restore", "--device", handset.serial], Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def _refused(handset, home, records, *, expect):
    path = _write_journal(home, handset.serial, [_begin(handset.serial), *records])
    code, out, err = _restore(handset, home)
    assert code == 2, out + err
    assert err.count("\n") == 1 and expect in err, err
    assert "nothing in this journal was run" in err and str(path) in err
    assert path.exists()  # kept for the technician to inspect
    return err


def test_unquoted_namespace_runs_no_shell_command(a10, home):
    pwned = sim_file(a10, "/data/local/tmp/pwned")
    _refused(a10, home, [_change(1, "setting", {"namespace": "global; touch /data/local/tmp/pwned #",
                                                "key": "http_proxy", "old": None})],
             expect="is not one the harness changes")
    assert not pwned.exists()


def test_file_record_cannot_delete_any_path(a10, home):
    target = sim_file(a10, "/system/build.prop")
    assert target.exists()
    _refused(a10, home, [_change(1, "file", {"path": "/system/build.prop", "root": True})],
             expect="is not a path the harness creates")
    assert target.exists()


def test_prop_record_cannot_set_any_property(a10, home):
    before = a10.device.state.getprop("persist.sys.usb.config")
    _refused(a10, home, [_change(1, "prop", {"key": "persist.sys.usb.config", "old": "adb,mtp", "root": True})],
             expect="is not one the harness changes")
    assert a10.device.state.getprop("persist.sys.usb.config") == before


@pytest.mark.parametrize("change, expect", [
    (_change(1, "shell", {"cmd": "reboot"}), "unknown change kind"),
    (_change(1, "mount", {"target": "/data", "ns_pid": 1}), "is not a CA folder"),
    (_change(1, "mount", {"target": "/system/etc/security/cacerts", "ns_pid": "1; reboot"}), "not a process id"),
    (_change(1, "reverse", {"device_port": "8080; reboot"}), "is not a TCP port"),
    (_change(1, "process", {"path": "/system/bin/surfaceflinger"}), "not one the harness starts"),
    (_change(1, "file", {"path": "/data/misc/user/0/cacerts-added/../../../../system", "root": True}),
     "not a path the harness creates"),
    (_change(1, "setting", {"namespace": "global", "key": "http_proxy", "old": "a\nb", "extra": 1}),
     "unknown field"),
    (_change(1, "setting", {"namespace": "global", "key": "http_proxy", "old": "10.0.0.1:80\x1b[2J"}),
     "not a printable one-line value"),
])
def test_other_crafted_records_are_refused(a10, home, change, expect):
    _refused(a10, home, [change], expect=expect)


def test_values_are_quoted_and_free_text_is_not_echoed(a10, home):
    """A well-formed record whose old value carries shell syntax is put back literally; the
    journal's ``describe`` text is never printed."""
    pwned = sim_file(a10, "/data/local/tmp/pwned2")
    device = open_device(a10)
    device.sh("settings put global http_proxy 10.0.0.9:3128")
    evil_old = "1.2.3.4:80; touch /data/local/tmp/pwned2"
    _write_journal(home, a10.serial, [
        _begin(a10.serial, {**SNAPSHOT, "settings": {"http_proxy": evil_old}}),
        _change(1, "setting", {"namespace": "global", "key": "http_proxy", "old": evil_old},
                describe="ATTACKER-CONTROLLED TEXT \x1b[2J"),
    ])
    code, out, err = _restore(a10, home)
    assert code == 0, out + err
    assert "ATTACKER-CONTROLLED" not in out + err and "\x1b" not in out + err
    assert "undone: settings global http_proxy back to" in out
    assert sim_settings(a10)["global"]["http_proxy"] == evil_old  # literally, not run
    assert not pwned.exists()


def test_journal_without_snapshot_is_not_verified(a10, home):
    device = open_device(a10)
    device.sh("settings put global http_proxy 10.0.0.9:3128")
    path = _write_journal(home, a10.serial, [
        _change(1, "setting", {"namespace": "global", "key": "http_proxy", "old": None})])
    code, out, err = _restore(a10, home)
    assert code == 2
    assert "matches its snapshot" not in out and "not verified" in out
    assert "http_proxy" not in sim_settings(a10)["global"]  # the checked change itself was undone
    assert path.exists()


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_journal_writable_by_others_is_refused(a10, home, mode):
    device = open_device(a10)
    device.sh("settings put global http_proxy 10.0.0.9:3128")
    _write_journal(home, a10.serial, [_begin(a10.serial), _change(
        1, "setting", {"namespace": "global", "key": "http_proxy", "old": None})], mode=mode)
    code, out, err = _restore(a10, home)
    assert code == 2 and err.count("\n") == 1
    assert "writable by group or others" in err
    assert sim_settings(a10)["global"]["http_proxy"] == "10.0.0.9:3128"  # nothing replayed


def test_journal_of_another_user_is_refused(a10, home):
    if os.geteuid() != 0:
        pytest.skip("giving a file to another user needs root")
    path = _write_journal(home, a10.serial, [_begin(a10.serial), _change(
        1, "setting", {"namespace": "global", "key": "http_proxy", "old": None})])
    os.chown(path, 65534, 65534)  # nobody
    code, out, err = _restore(a10, home)
    assert code == 2 and "belongs to uid 65534, not you" in err


def test_journal_symlink_is_refused(a10, home, tmp_path):
    elsewhere = tmp_path / "planted.jsonl"
    elsewhere.write_text(json.dumps(_begin(a10.serial)) + "\n")
    os.chmod(elsewhere, 0o600)
    path = journal_path(home, a10.serial)
    path.parent.mkdir(parents=True, mode=0o700)
    path.symlink_to(elsewhere)
    with pytest.raises(JournalError, match="not a symlink"):
        read_journal(path)


def test_deeply_nested_journal_is_one_line_exit_2(a10, home):
    path = journal_path(home, a10.serial)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text('{"type": "begin", "snapshot": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    os.chmod(path, 0o600)
    code, out, err = _restore(a10, home)
    assert code == 2 and err.count("\n") == 1, err
    assert "nested too deeply" in err and "Traceback" not in err


def test_automatic_replay_shows_pending_actions_first(a10, home):
    """The start of a session (intercept, demo) announces what it is about to undo, and does so
    while the device is still unchanged."""
    device = open_device(a10)
    device.sh("settings put global http_proxy 10.0.0.9:3128")
    _write_journal(home, a10.serial, [_begin(a10.serial), _change(
        1, "setting", {"namespace": "global", "key": "http_proxy", "old": None}, describe="IGNORED")])
    seen: list[tuple[str, str | None]] = []

    def announce(line: str) -> None:
        seen.append((line, sim_settings(a10)["global"].get("http_proxy")))

    with DeviceSession(device, home, announce=announce) as s:
        assert s.stale_report is not None and s.stale_report.ok
    assert [line for line, _ in seen] == [
        f"{a10.serial}: a previous run left 1 change(s); undoing them first:",
        "  settings global http_proxy deleted (it was not set)"]  # not Python's None (trial 6, finding 15)
    assert all(proxy == "10.0.0.9:3128" for _, proxy in seen)  # announced before the replay
    assert "http_proxy" not in sim_settings(a10)["global"]


def test_harness_cannot_journal_what_it_would_refuse(a10, home):
    """The writers refuse settings and props outside the allowlist, so the harness never writes a
    journal it would refuse to replay."""
    from harness.device.props import set_prop
    from harness.device.proxy import put_setting
    from harness.errors import UsageError

    device = open_device(a10)
    with DeviceSession(device, home) as s:
        with pytest.raises(UsageError, match="not one the harness may change"):
            put_setting(s, "secure", "android_id", "x")
        with pytest.raises(UsageError, match="not a property the harness may change"):
            set_prop(s, "persist.sys.usb.config", "none")
    assert s.report is not None and s.report.ok
    assert stat.S_IMODE(journal_path(home, a10.serial).parent.stat().st_mode) == 0o700


def test_intercept_announces_what_a_killed_run_left_before_undoing_it(a10, home, tmp_path):
    import subprocess
    import sys

    from test_crash_restore import _killed_run

    _killed_run(a10, home, tmp_path)
    env = {**os.environ, "HARNESS_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "harness", "intercept", "--device", a10.serial, "--ca", "none",
                           "--out", str(tmp_path / "run"), "--duration", "0.5"],
                          capture_output=True, text=True, env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert f"{a10.serial}: a previous run left" in proc.stderr
    assert "mount over /system/etc/security/cacerts removed" in proc.stderr
    assert f"restored changes an earlier run left on {a10.serial}" in proc.stdout


def test_undo_lines_say_a_value_that_was_not_set_in_words():
    """Trial 6 finding 15: an absent setting or prop is not shown as Python's ``None``."""
    from harness.device.journal_check import describe_undo

    assert describe_undo("setting", {"namespace": "global", "key": "http_proxy", "old": None}) == \
        "settings global http_proxy deleted (it was not set)"
    assert describe_undo("setting", {"namespace": "global", "key": "http_proxy", "old": "10.0.0.9:3128"}) == \
        "settings global http_proxy back to '10.0.0.9:3128'"
    assert describe_undo("prop", {"key": "persist.sys.country", "old": None}) == \
        "prop persist.sys.country emptied again (it was not set)"
    assert describe_undo("prop", {"key": "persist.sys.country", "old": "LT"}) == "prop persist.sys.country back to 'LT'"


def test_a_torn_record_is_named_when_the_journal_is_replayed(a10, home):
    """Trial 6 finding 15: a journal whose last line is torn (kill -9 while writing it) is replayed
    with one line saying that record was ignored."""
    device = open_device(a10)
    device.sh("settings put global http_proxy 10.0.0.9:3128")
    path = _write_journal(home, a10.serial, [_begin(a10.serial), _change(
        1, "setting", {"namespace": "global", "key": "http_proxy", "old": None})])
    with open(path, "a") as fh:
        fh.write('{"type": "change", "seq": 2, "kind": "fi')  # killed mid-write
    code, out, _ = _restore(a10, home)
    assert code == 0, out
    assert out.splitlines()[0] == (f"{a10.serial}: ignored line 3 of {path.name}: a torn record (cut while it "
                                   "was written, as kill -9 leaves it); the check against the snapshot covers "
                                   "whatever it held")
    assert f"{a10.serial}: restored; journal removed" in out
