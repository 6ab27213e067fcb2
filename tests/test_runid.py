"""Run ids in one format (harness.runid, docs/dev/contracts.md "Run ids"): every run directory and
pytest session is named ``YYYYMMDDTHHMMSSZ-xxxxxx``; the older session and fallback names are still
read for their time."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

from harness.capture.session import new_run_dir
from harness.runid import RUN_ID, new_run_id, run_id_time
from harness.scenario.plugin_session import new_session_id
from harness.scenario.run_list import list_runs

#: 2026-12-01 10:15:30 UTC
WHEN = datetime.datetime(2026, 12, 1, 10, 15, 30, tzinfo=datetime.UTC).timestamp()


def test_one_format_for_runs_and_sessions(tmp_path: Path) -> None:
    ids = [new_run_id(), new_session_id(), new_run_dir(tmp_path / "runs").name]
    assert all(RUN_ID.match(i) for i in ids), ids
    assert new_run_id(WHEN).startswith("20261201T101530Z-")
    assert len({new_run_id(WHEN) for _ in range(20)}) == 20  # the random suffix separates runs of one second


def test_the_time_of_a_run_id_in_every_format() -> None:
    assert run_id_time(new_run_id(WHEN)) == WHEN
    assert run_id_time("20261201-101530-ab12") == WHEN  # a pytest session id before the change
    assert run_id_time("harness-run-20261201-101530") == WHEN  # harness run's fallback before the change
    for other in ("my-run", "20261301T101530Z-abcdef", "20261201T101530Z-ABCDEF", "20261201-101530", ""):
        assert run_id_time(other) is None, other


def test_runs_list_newest_first_by_the_id_when_nothing_else_says(tmp_path: Path) -> None:
    """Folders copied elsewhere lose their mtime; the id in their name still orders them."""
    names = ["20261201-101530-ab12", "20261202T090000Z-0a1b2c", "harness-run-20261130-080000"]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "findings.json").write_text(json.dumps({"status": "complete"}))
        os.utime(tmp_path / name, (0, 0))
    assert [r.path.name for r in list_runs(tmp_path)] == [names[1], names[0], names[2]]
