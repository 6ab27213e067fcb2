"""The stop signal a pytest process records is the one ``harness run`` announced beside its run
events file (trial 5): under xdist the controller stops every worker with SIGINT, so a worker's
own handler would record SIGINT for a run stopped by SIGTERM."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from harness.scenario.cutoff import announced_stop
from harness.scenario.plugin_session import HarnessSession
from harness.scenario.run_events import STOP_NAME


def test_the_announced_signal_is_the_word_recorded(tmp_path: Path, request: pytest.FixtureRequest,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    config = request.config  # this session's real config, with the harness plugin's options
    assert announced_stop(config) is None  # no harness run: nothing announced
    events = tmp_path / "run-events.jsonl"
    monkeypatch.setattr(config.option, "harness_run_events", str(events), raising=False)  # as harness run passes it
    assert announced_stop(config) is None  # harness run, no signal yet
    (tmp_path / STOP_NAME).write_text("SIGTERM\n")
    assert announced_stop(config) == "SIGTERM"

    session = HarnessSession.__new__(HarnessSession)  # only the fields the handler reads
    session.config, session.interrupted, session.closing, session.deferred = config, None, True, False
    session.on_stop_signal(signal.SIGINT, None)  # the controller's SIGINT, while a lab closes
    assert session.interrupted == "SIGTERM" and session.deferred
