"""What the pytest plugin keeps of a failed test of a lab (only of failed tests, as pytest-playwright).

For a test whose call phase failed, four artifacts go into the lab's run store
(``RUN_DIR/artifacts/``, 0600, listed in its ``artifacts`` table; name prefix: the test's name):

- ``<test>.flows.har``: HAR 1.2 of the flows of the test's steps only (harness.capture.har, the
  steps as pages);
- ``<test>.logcat.txt``: the log lines the device wrote during the test (``brief`` format);
- ``<test>.screen.png``: ``screencap -p`` of the device (the virtual handset answers with a blank
  screen of its size); when the device cannot take one, the report says so and nothing is written;
- ``<test>.events.jsonl``: the agent events of the test's steps (``data`` as base64).

The report names them in a ``harness artifacts`` section and the JUnit property ``artifacts``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.scenario.plugin_verdict import STATE_KEY, TestState

OUTCOME_KEY = pytest.StashKey[str]()
_PNG = b"\x89PNG\r\n\x1a\n"


def outcome_of(item: pytest.Item) -> tuple[str, list[str]]:
    """(verdict, evidence ids) of a finished test for the progress stream: the last claim record's
    verdict, else ``passed`` / ``failed`` / ``skipped`` / ``inconclusive`` from its reports, or
    ``incomplete`` when it has none (interrupted before its call phase ended)."""
    state: TestState | None = item.stash.get(STATE_KEY, None)
    if state is not None and state.records:
        last = state.records[-1]
        return str(last["verdict"]), [*last["evidence"]["flow_ids"], *last["evidence"]["event_ids"]]
    return item.stash.get(OUTCOME_KEY, "incomplete"), []  # no report: stopped before its call ended


def after_report(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """Remember the test's outcome; keep the artifacts of a failed call phase."""
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        item.stash[OUTCOME_KEY] = "inconclusive" if str(reason).startswith("inconclusive:") else "skipped"
    elif report.failed:
        item.stash[OUTCOME_KEY] = "failed"
    elif report.when == "call" and OUTCOME_KEY not in item.stash:
        item.stash[OUTCOME_KEY] = "passed"
    state = item.stash.get(STATE_KEY, None)
    if report.when != "call" or not report.failed or state is None:
        return
    try:
        lines = keep_artifacts(item, state)
    except Exception as exc:  # noqa: BLE001 - a report hook must not raise (pytest INTERNALERROR)
        lines = [f"not kept: the test's artifacts ({type(exc).__name__}: {str(exc)[:200]})"]
    report.sections.append(("harness artifacts", "\n".join(lines)))
    kept = " ".join(line.split(": ", 1)[1] for line in lines if line.startswith("kept: "))
    report.user_properties.append(("artifacts", kept))
    item.user_properties.append(("artifacts", kept))  # JUnit XML reads the teardown report's


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:100] or "test"


def keep_artifacts(item: pytest.Item, state: TestState) -> list[str]:
    """Write the artifacts of a failed test; lines ``kept: PATH`` and ``not kept: WHAT (WHY)``."""
    lab = state.lab
    store = lab.capture.store
    if store is None:
        return ["not kept: the run store is closed"]
    prefix = _safe(item.name)
    step_ids = {s.id for s in state.steps()}
    out: list[str] = []

    def add(what: str, make: Any, name: str, kind: str) -> None:
        try:
            data = make()
        except Exception as exc:  # noqa: BLE001 - a report hook must not raise (pytest INTERNALERROR)
            out.append(f"not kept: {what} ({type(exc).__name__}: {str(exc)[:200]})")
            return
        if data is None:
            return
        try:
            path = store.add_artifact(f"{prefix}.{name}", data, kind=kind)
        except HarnessError as exc:
            out.append(f"not kept: {what} ({exc.reason})")
            return
        out.append(f"kept: {path}")

    add("flows", lambda: _har(lab, step_ids), "flows.har", "har")
    add("logcat", lambda: _logcat(lab, state.log_before), "logcat.txt", "logcat")
    add("screenshot", lambda: _screenshot(lab, out), "screen.png", "screenshot")
    add("agent events", lambda: _events(lab, step_ids), "events.jsonl", "agent_events")
    out.insert(0, f"test steps: {', '.join(sorted(step_ids)) or 'none'}; run: {lab.run_dir}")
    return out


def _har(lab: Any, step_ids: set[str]) -> bytes:
    from harness import __version__
    from harness.capture.har import HAR_KINDS, har_entry, har_page

    store = lab.capture.store
    lab.capture.flush()
    flows = [f for f in store.iter_flows() if f.step_id in step_ids]
    messages: dict[str, list[Any]] = {}
    for m in store.iter_ws_messages():
        messages.setdefault(m.flow_id, []).append(m)
    seen: set[Any] = set()
    doc = {"log": {
        "version": "1.2", "creator": {"name": "harness", "version": __version__},
        "pages": [har_page(s) for s in store.steps() if s.id in step_ids],
        "entries": [har_entry(f, messages.get(f.id), seen) for f in flows if f.method and f.kind in HAR_KINDS],
        "comment": f"flows of the steps {', '.join(sorted(step_ids))} of a failed test",
    }}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _logcat(lab: Any, since: int) -> bytes:
    lines = lab.logs.lines(since=since)
    return "".join(f"{ln.level}/{ln.tag}({ln.pid}): {ln.message}\n" for ln in lines).encode("utf-8")


def _screenshot(lab: Any, out: list[str]) -> bytes | None:
    data = lab.device.screencap()
    if not data.startswith(_PNG):
        out.append(f"not kept: screenshot (the device answered {len(data)} bytes that are not a PNG)")
        return None
    return bytes(data)


def _events(lab: Any, step_ids: set[str]) -> bytes:
    rows = []
    for event in lab.events(predicate=lambda e: e.step_id in step_ids):
        d = dataclasses.asdict(event)
        if d.get("data") is not None:
            d["data"] = base64.b64encode(d["data"]).decode()
        rows.append(json.dumps(d, ensure_ascii=False, default=str))
    return "".join(r + "\n" for r in rows).encode("utf-8")


def artifact_paths(report: pytest.TestReport) -> list[Path]:
    """The artifacts a report names (for tests and tools reading reports)."""
    for name, value in report.user_properties:
        if name == "artifacts":
            return [Path(p) for p in str(value).split()]
    return []
