"""The run store: round trips, permissions, status, durability, write failures (real SQLite)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from harness.capture import AgentEvent, RunStore, Timeline
from harness.errors import StoreError
from harness.testing.flows import agent_event, http_flow, make_run, tls_failure, ws_message


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_round_trip_all_tables(tmp_path):
    run = tmp_path / "run"
    store = RunStore.create(run, meta={"scenario": "search"})
    timeline = Timeline(store)
    timeline.begin("s1", "search 'Free Tibet'", action="search")
    f1 = http_flow("https://search.test/q?x=1", method="POST", request_body=b"\x00\xffbin",
                   response_body=b'{"ok":true}', step_id=timeline.current,
                   request_headers=[("Host", "search.test"), ("X-A", "1"), ("x-a", "2")])
    store.add_flow(f1)
    store.add_ws_message(ws_message(f1.id, "hi", step_id="s1"))
    store.add_event(agent_event(payload={"text": "Free Tibet"}, data=b"\x01\x02", step_id="s1"))
    timeline.end()
    store.add_flow(tls_failure("pinned.test"))
    store.set_meta("device", {"model": "M2007J3SG"})
    art = store.add_artifact("logcat.txt", b"I/Tag: hi\n", "logcat", step_id="s1")
    art2 = store.add_artifact("logcat.txt", b"again\n", "logcat")
    store.flush()
    assert store.status == "recording"
    store.close()

    ro = RunStore.open(run)
    assert ro.status == "complete"
    flows = list(ro.iter_flows())
    assert [f.kind for f in flows] == ["http", "tls_failure"]
    assert [f.seq for f in flows] == [1, 2]
    got = flows[0]
    assert got.request_body == b"\x00\xffbin" and got.response_body == b'{"ok":true}'
    assert got.request_headers == [("Host", "search.test"), ("X-A", "1"), ("x-a", "2")]
    assert got.step_id == "s1" and got.method == "POST" and got.path == "/q?x=1"
    assert got == flows[0] and got.header("x-a") == "1"
    f1.seq = 1
    assert got == f1
    assert [m.content for m in ro.iter_ws_messages(f1.id)] == [b"hi"]
    [ev] = list(ro.iter_events("crypto:"))
    assert ev.payload == {"text": "Free Tibet"} and ev.data == b"\x01\x02" and ev.step_id == "s1"
    assert list(ro.iter_events("agent:")) == []
    [step] = ro.steps()
    assert (step.id, step.name, step.action) == ("s1", "search 'Free Tibet'", "search")
    assert step.ended_at is not None and step.ended_at >= step.started_at
    meta = ro.meta()
    assert meta["scenario"] == "search" and meta["device"] == {"model": "M2007J3SG"}
    assert meta["run_id"] == "run"
    assert [a.name for a in ro.artifacts()] == ["logcat.txt", "logcat-1.txt"]
    assert art.read_bytes() == b"I/Tag: hi\n" and art2.name == "logcat-1.txt"


def test_permissions(tmp_path):
    run = tmp_path / "run"
    store = RunStore.create(run)
    store.add_flow(http_flow())
    art = store.add_artifact("facts.json", b"{}", "facts")
    store.flush()
    assert _mode(run) == 0o700 and _mode(run / "artifacts") == 0o700
    assert _mode(run / "store.sqlite") == 0o600 and _mode(art) == 0o600
    for suffix in ("-wal", "-shm"):
        p = run / f"store.sqlite{suffix}"
        if p.exists():
            assert _mode(p) == 0o600
    store.close()


def test_read_only_store_refuses_writes_and_create_refuses_existing(tmp_path):
    run = make_run(tmp_path / "run", [http_flow()])
    ro = RunStore.open(run)
    with pytest.raises(StoreError, match="read-only"):
        ro.add_flow(http_flow())
    with pytest.raises(StoreError, match="already exists"):
        RunStore.create(run)
    with pytest.raises(StoreError, match="no run store"):
        RunStore.open(tmp_path / "nothing")


def test_reader_sees_commits_while_writer_runs(tmp_path):
    run = tmp_path / "run"
    store = RunStore.create(run)
    ro = RunStore.open(run)
    assert ro.status == "recording"  # the writer (this process) holds the lock
    store.add_flow(http_flow())
    deadline = time.monotonic() + 2
    while ro.count_flows() < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ro.count_flows() == 1  # committed within the 200 ms interval without a flush
    store.close("incomplete", reason="test")
    assert ro.status == "incomplete" and ro.meta()["status_reason"] == "test"


def test_concurrent_writers_threads(tmp_path):
    store = RunStore.create(tmp_path / "run")

    def work(n: int) -> None:
        for i in range(200):
            store.add_event(AgentEvent(type="tls:write", source=f"t{n}", timestamp=time.time(),
                                       payload={"i": i}))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    store.close()
    events = list(RunStore.open(tmp_path / "run").iter_events())
    assert len(events) == 800
    for n in range(4):
        assert [e.payload["i"] for e in events if e.source == f"t{n}"] == list(range(200))


_CRASHER = textwrap.dedent("""
    import sys, time
    from harness.capture import RunStore
    from harness.testing.flows import http_flow
    store = RunStore.create(sys.argv[1])
    for i in range(50):
        store.add_flow(http_flow(f"https://a.test/{i}", response_body=b"x" * 1000))
    print("written", flush=True)
    time.sleep(60)
""")


def test_sigkill_keeps_flows_and_store_opens_without_repair(tmp_path):
    """A writer process is SIGKILLed 1 s after handing over 50 flows: all are readable, status incomplete."""
    run = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-c", _CRASHER, str(run)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "written"
        time.sleep(1.0)
    finally:
        proc.kill()
        proc.wait(10)
    assert (run / "store.sqlite-wal").exists()  # not checkpointed: we really read a crashed WAL store
    ro = RunStore.open(run)
    assert ro.status == "incomplete"
    assert [f.path for f in ro.iter_flows()] == [f"/{i}" for i in range(50)]
    assert ro.meta()["status"] == "recording"  # as left by the dead writer, not repaired


def test_write_failure_reaches_callback_and_later_writes_raise(tmp_path):
    """SQLite's real "database or disk is full" path, provoked with a max_page_count cap (tests run
    as root, so permissions cannot stop the writer; a tiny page budget makes SQLite itself fail)."""
    errors: list[StoreError] = []
    store = RunStore.create(tmp_path / "run", on_error=errors.append, max_page_count=12)
    store.add_flow(http_flow("https://small.test/"))
    store.flush()
    store.add_flow(http_flow("https://big.test/", response_body=os.urandom(200_000)))
    with pytest.raises(StoreError, match="full"):
        store.flush()
    assert len(errors) == 1 and "full" in str(errors[0])
    with pytest.raises(StoreError):
        store.add_flow(http_flow())
    store.close()
    ro = RunStore.open(tmp_path / "run")
    assert [f.host for f in ro.iter_flows()] == ["small.test"]  # nothing earlier is lost
    assert ro.status == "incomplete"
