"""The restore journal on the host: written before changes, 0600, torn lines, locking."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from harness.device.journal import Journal, journal_path, read_journal, safe_serial
from harness.errors import JournalError


def test_records_are_durable_private_and_ordered(tmp_path):
    with Journal(tmp_path, "127.0.0.1:40001") as j:
        j.begin({"settings": {"http_proxy": None}}, run="r1")
        a = j.record("setting", "proxy", {"namespace": "global", "key": "http_proxy", "old": None})
        b = j.record("reverse", "reverse 8080", {"device_port": 8080})
        assert (a.seq, b.seq) == (1, 2)
        path = journal_path(tmp_path, "127.0.0.1:40001")
        assert path.name == "127.0.0.1_40001.jsonl"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        contents = j.read()
        assert contents.snapshot == {"settings": {"http_proxy": None}}
        assert [c.kind for c in contents.pending] == ["reverse", "setting"]  # newest first
        j.mark_undone(b.seq)
        assert [c.seq for c in j.read().pending] == [1]
        assert j.stale


def test_torn_last_line_is_ignored(tmp_path):
    with Journal(tmp_path, "emu") as j:
        j.begin({}, None)
        j.record("file", "f", {"path": "/data/local/tmp/harness", "root": False})
    path = journal_path(tmp_path, "emu")
    with open(path, "a") as fh:
        fh.write('{"type": "change", "seq": 2, "kind": "fi')  # killed mid-write
    contents = read_journal(path)
    assert [c.seq for c in contents.changes] == [1]
    assert contents.torn == [3]  # said, not silently dropped (trial 6 finding 15)


def test_sequence_continues_after_reopen(tmp_path):
    with Journal(tmp_path, "s") as j:
        j.record("file", "a", {"path": "/data/local/tmp/harness"})
    with Journal(tmp_path, "s") as j:
        assert j.record("file", "b", {"path": "/data/local/tmp/frida-server"}).seq == 2


def test_discard_removes_file(tmp_path):
    with Journal(tmp_path, "s") as j:
        j.record("file", "a", {"path": "/data/local/tmp/harness"})
        j.discard()
        assert not j.path.exists()
        assert not j.stale


def test_the_lock_file_goes_with_the_journal(tmp_path):
    """Trial 6b N6: ``journals/`` kept an empty ``SERIAL.lock`` for every serial ever used. A
    session that ends with no journal (restored and discarded) removes its lock file; one whose
    journal is kept (not restored) leaves both for ``harness restore``."""
    with Journal(tmp_path, "127.0.0.1:40001") as j:
        j.begin({})
        j.record("file", "a", {"path": "/data/local/tmp/harness"})
        j.discard()
    assert sorted(p.name for p in journal_path(tmp_path, "x").parent.iterdir()) == []
    with Journal(tmp_path, "kept") as j:
        j.begin({})
        j.record("file", "a", {"path": "/data/local/tmp/harness"})
    assert sorted(p.name for p in journal_path(tmp_path, "x").parent.iterdir()) == ["kept.jsonl", "kept.lock"]
    with Journal(tmp_path, "kept") as j:  # the next session takes it over, as after a crash
        assert j.stale


def test_a_lock_on_a_removed_lock_file_is_taken_again(tmp_path, monkeypatch):
    """The race removing lock files could open: a process opens ``SERIAL.lock``, the holder then
    removes it (its session closed with no journal) and unlocks, and the first one's ``flock``
    succeeds on a file no longer at the path, while a third creates and locks a new one. The
    interleaving of those processes is played here by a wrapper of ``flock`` that removes the file
    between open and lock (a test double for the other process; flock itself is real)."""
    import fcntl

    from harness.device import journal as journal_mod

    real = fcntl.flock
    removed = []

    def flock_after_removal(fd, op):
        if not removed and op & fcntl.LOCK_EX:
            removed.append(True)
            journal_path(tmp_path, "raced").with_suffix(".lock").unlink()  # the holder's close, meanwhile
        return real(fd, op)

    monkeypatch.setattr(journal_mod.fcntl, "flock", flock_after_removal)
    with Journal(tmp_path, "raced") as j:
        lock = journal_path(tmp_path, "raced").with_suffix(".lock")
        assert removed and os.stat(lock).st_ino == os.fstat(j._lock_fd).st_ino  # the lock is the file at the path
        with pytest.raises(JournalError, match="another harness run"):
            Journal(tmp_path, "raced")


def test_second_live_session_is_refused(tmp_path):
    with Journal(tmp_path, "busy"):
        with pytest.raises(JournalError) as info:
            Journal(tmp_path, "busy")
    assert info.value.serial == "busy"
    assert "another harness run" in str(info.value)


def test_lock_of_killed_process_is_released(tmp_path):
    """A journal left by a SIGKILLed process is stale and can be taken over."""
    code = (
        "import os, sys; from harness.device.journal import Journal; "
        f"j = Journal({str(tmp_path)!r}, 'dead'); j.begin({{}}); "
        "j.record('setting', 'p', {'namespace': 'global', 'key': 'http_proxy', 'old': None}); "
        "print('ready', flush=True); os.kill(os.getpid(), 9)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9 and "ready" in proc.stdout
    with Journal(tmp_path, "dead") as j:
        assert j.stale
        assert j.read().pending[0].undo["key"] == "http_proxy"


def test_safe_serial():
    assert safe_serial("emulator-5554") == "emulator-5554"
    assert safe_serial("a/b:c d") == "a_b_c_d"


def test_lines_are_json(tmp_path):
    with Journal(tmp_path, "j") as j:
        j.begin({"frida_server_running": False})
        j.record("prop", "p", {"key": "debug.harness.k", "old": "v", "root": True}, old="v")
    lines = journal_path(tmp_path, "j").read_text().splitlines()
    recs = [json.loads(line) for line in lines]
    assert recs[0]["type"] == "begin" and recs[0]["pid"] == os.getpid()
    assert recs[1]["old"] == "v"
