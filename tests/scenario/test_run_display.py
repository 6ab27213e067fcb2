"""``harness run``'s reading side without a lab: following the progress stream, the plain
(non-terminal) progress lines, the verdict rows and exit statuses, and the ``harness runs``
listing of real run stores.

``write_progress`` is a test double of the pytest plugin's progress writer (INTERFACES.md
section 4: JSON lines appended and flushed one by one); it is used only by these display tests.
The end-to-end runs with the real plugin are in tests/scenario/test_run_cli.py.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from harness.capture.store import RunStore
from harness.cli.context import Env
from harness.cli.run_display import Progress, RunState, show_result
from harness.scenario.run_list import list_runs
from harness.scenario.run_results import bad_input, result_of
from harness.scenario.runner import ProgressTail, session_dir_of

CLAIM = "Searches made on Xiaomi devices are never restricted."
NODE = "harness/packs/vendor_claims/test_claims.py::test_searches_not_restricted"

SESSION = [
    {"event": "session-start", "target": "virtual", "world": "ncsc-2021", "profile": None, "out": "OUT"},
    {"event": "lab-open", "module": "test_claims", "device": "127.0.0.1:40001", "run_dir": "OUT/s1/main/test_claims"},
    {"event": "test-start", "nodeid": NODE, "claim": CLAIM},
    {"event": "step-start", "nodeid": NODE, "step_id": "search-1", "name": "search a listed term"},
    {"event": "flow", "count": 3},
    {"event": "flow", "count": 7},
    {"event": "step-end", "step_id": "search-1", "flows": 7, "settled_by": "expected flows"},
    {"event": "test-end", "nodeid": NODE, "claim": CLAIM, "verdict": "violated", "evidence": ["f1", "e2"]},
    {"event": "lab-close", "module": "test_claims", "status": "complete"},
    {"event": "session-end", "findings": "OUT/s1/findings.json", "exitstatus": 1},
]


def write_progress(path: Path, records: list[dict[str, Any]], *, torn: str = "") -> None:
    """Test double of the plugin's progress writer: one JSON line per record, flushed, then
    optionally the first part of a next line (a writer caught mid-line)."""
    with path.open("a", encoding="utf-8") as fh:
        for n, record in enumerate(records):
            fh.write(json.dumps({"t": 1700000000.0 + n, "worker": "main", **record}) + "\n")
            fh.flush()
        fh.write(torn)


def test_the_tail_returns_whole_lines_only(tmp_path: Path):
    path = tmp_path / "progress.jsonl"
    tail = ProgressTail(path)
    assert tail.read() == []  # not written yet
    write_progress(path, SESSION[:2], torn='{"event": "test-st')
    assert [r["event"] for r in tail.read()] == ["session-start", "lab-open"]
    with path.open("a") as fh:
        fh.write('art", "claim": "x"}\n')
    assert tail.read() == [{"event": "test-start", "claim": "x"}]
    assert tail.read() == []


def test_plain_progress_lines_when_stdout_is_not_a_terminal(tmp_path: Path):
    out = io.StringIO()
    progress = Progress(Env(stdout=out, stderr=io.StringIO(), home=tmp_path))
    with progress.shown():
        for record in SESSION:
            progress({"worker": "main", **record})
    assert progress.live is None
    assert out.getvalue().splitlines() == [
        "session: target virtual (world ncsc-2021), output OUT",
        "lab open: test_claims on 127.0.0.1:40001 (OUT/s1/main/test_claims)",
        f"claim: {CLAIM}",
        "  step search-1: search a listed term",
        "  step search-1 done: 7 flows (expected flows)",
        f"  -> violated: {CLAIM}",
        "lab closed: test_claims (complete)",
        "session end: findings in OUT/s1/findings.json",
    ]
    assert progress.state.flow_total == 7 and progress.state.verdicts == {"violated": 1}


def test_workers_are_named_and_their_flows_added(tmp_path: Path):
    state = RunState()
    start = {"event": "session-start", "target": "virtual", "world": "compliant", "out": "OUT/s1"}
    assert state.apply({**start, "worker": "main"}) == "session: target virtual (world compliant), output OUT/s1"
    assert state.apply({**start, "worker": "gw0"}) is None  # each worker says it again: shown once
    assert state.apply({"event": "test-start", "worker": "gw1", "claim": CLAIM}) == f"[gw1] claim: {CLAIM}"
    state.apply({"event": "flow", "worker": "gw0", "count": 4})
    state.apply({"event": "flow", "worker": "gw1", "count": 5})
    assert state.flow_total == 9


def test_lab_closed_says_whether_the_device_was_restored():
    """Trial 6b N7: the console's lab-closed line carries the lab's restore line, from the same
    record findings.json keeps (harness.scenario.labdevice.restore_record)."""
    from harness.report.labels import restore_text
    from harness.scenario.labdevice import restore_record

    state = RunState()
    done = restore_text({"serial": "127.0.0.1:40001", "verified": True, "undone": 4})
    assert state.apply({"event": "lab-close", "module": "test_claims", "status": "complete",
                        "device": "127.0.0.1:40001", "restore": done}) == (
        "lab closed: test_claims (complete); restore of 127.0.0.1:40001: "
        "yes: 4 change(s) undone, verified against its snapshot")
    kept = restore_record(None, "127.0.0.1:40001", "the device went away")
    line = state.apply({"event": "lab-close", "module": "test_claims", "status": "incomplete",
                        "device": "127.0.0.1:40001", "restore": kept["text"]})
    assert line is not None and line.startswith("lab closed: test_claims (incomplete); restore of 127.0.0.1:40001: ")
    assert line.endswith("NOT restored: journal kept (the device went away); "
                         "run `harness restore --device 127.0.0.1:40001`")
    # a record without a restore line (no lab was opened) says only that the lab closed
    assert state.apply({"event": "lab-close", "module": "m", "status": "incomplete"}) == "lab closed: m (incomplete)"


def test_the_session_directory_comes_from_the_stream(tmp_path: Path):
    out = tmp_path / "out"
    (out / "s1" / "gw0" / "mod").mkdir(parents=True)
    lab_open = {"event": "lab-open", "run_dir": str(out / "s1" / "gw0" / "mod")}
    assert session_dir_of([lab_open], out, set(), tmp_path / "work") == out / "s1"
    end = {"event": "session-end", "findings": str(out / "s2" / "findings.json")}
    assert session_dir_of([lab_open, end], out, set(), tmp_path / "work") == out / "s2"
    assert session_dir_of([], out, set(), tmp_path / "work") == out / "s1"  # the one folder made
    assert session_dir_of([], out, {"s1"}, tmp_path / "work") is None


def _findings(session: Path, claims: list[dict[str, Any]], kinds: list[str] = ()) -> None:
    session.mkdir(parents=True, exist_ok=True)
    doc = {"status": "complete", "claims": claims, "findings": [{"kind": k} for k in kinds],
           "scenarios": ["vendor_claims"]}
    (session / "findings.json").write_text(json.dumps(doc))


def test_rows_and_exit_statuses(tmp_path: Path):
    session = tmp_path / "s1"
    holds = {"text": "A", "verdict": "holds", "device": "d1", "evidence": {"flow_ids": ["f1"], "event_ids": []},
             "nodeid": "p::test_a"}
    violated = {**holds, "text": "B", "verdict": "violated", "nodeid": "p::test_b"}
    inconclusive = {**holds, "text": "C", "verdict": "inconclusive", "nodeid": "p::test_c"}
    _findings(session, [holds])
    assert result_of([], [], session, 0).status == 0
    _findings(session, [holds, inconclusive])
    assert result_of([], [], session, 0).status == 3
    _findings(session, [holds, inconclusive, violated], ["filtered", "filtered", "pii_abroad"])
    result = result_of([], [], session, 1)
    assert result.status == 1
    assert [r.verdict for r in result.rows] == ["violated", "inconclusive", "holds"]
    assert result.kinds == {"filtered": 2, "pii_abroad": 1}
    # a lab that could not open: no claim record, a HarnessError in setup -> error, exit 2
    events = [{"event": "collected", "nodeid": "p::test_d", "claim": "D"},
              {"event": "outcome", "nodeid": "p::test_d", "when": "setup", "outcome": "failed",
               "exception": "DeviceNotFound", "error": "DeviceNotFound", "message": "[R58] not attached"}]
    _findings(session, [holds])
    result = result_of(events, [], session, 1)
    assert result.status == 2
    assert ("D", "error") in [(r.claim, r.verdict) for r in result.rows]
    # every test skipped: nothing observed -> 3
    skipped = [{"event": "outcome", "nodeid": "p::test_e", "when": "setup", "outcome": "skipped",
                "exception": None, "error": None, "message": "needs world ncsc-2021"}]
    assert result_of(skipped, [], None, 0).status == 3
    # a run stopped before findings.json: the verdicts come from the progress stream
    assert result_of([], SESSION, None, 2).rows[0].verdict == "violated"
    # a worker stopped mid-test says "passed" without a claim record; pytest never reported it
    stopped = [{"event": "test-end", "nodeid": "p::test_f", "claim": "F", "verdict": "passed", "evidence": []}]
    assert [(r.claim, r.verdict) for r in result_of([], stopped, None, 2).rows] == [("F", "incomplete")]
    finished = [{"event": "outcome", "nodeid": "p::test_f", "when": "call", "outcome": "passed"}]
    assert result_of(finished, stopped, None, 0).rows[0].verdict == "passed"


def test_bad_input_lines():
    collect = [{"event": "collect-error", "file": "/p/test_x.py", "line": 3, "message": "SyntaxError: invalid syntax"}]
    assert bad_input(collect, 2, "").startswith("cannot collect /p/test_x.py:3: SyntaxError: invalid syntax")
    log = ("ERROR: usage: python -m pytest [options] [file_or_dir] [file_or_dir] [...]\n"
           "python -m pytest: error: unrecognized arguments: --harness-bogus\n  inifile: None\n")
    assert bad_input([], 4, log) == ("pytest: unrecognized arguments: --harness-bogus (fix: correct the pytest "
                                     "options given after --; `python -m pytest --help` lists them)")
    assert bad_input([], 4, "ERROR: [R58M] device not found (fix: plug it in)\n") == \
        "pytest: [R58M] device not found (fix: plug it in)"
    assert "matching -k 'nothing'" in bad_input([], 5, "", "nothing")
    assert bad_input([], 1, "") is None
    crashed = result_of([], [], None, -9, "collected 6 items\n")
    assert crashed.status == 2 and crashed.error == "pytest was killed by signal 9 before any test finished: collected 6 items"


def test_the_verdict_table_in_plain_text(tmp_path: Path):
    session = tmp_path / "s1"
    _findings(session, [{"text": CLAIM, "verdict": "violated", "device": "127.0.0.1:40001",
                         "evidence": {"flow_ids": ["f1", "f2"], "event_ids": ["e1"]}, "details": "3 of 3 filtered"}],
              ["filtered"])
    out = io.StringIO()
    show_result(Env(stdout=out, stderr=io.StringIO(), home=tmp_path), result_of([], [], session, 1), str(session))
    text = out.getvalue()
    row = next(line for line in text.splitlines() if CLAIM in line)
    assert "violated" in row and "127.0.0.1:40001" in row and " 3 " in row and "3 of 3 filtered" in row
    assert "\x1b[" not in text  # no colour codes in a log
    assert f"run directory: {session}" in text and "findings: 1 filtered" in text


def test_cut_details_and_errors_say_where_the_full_reasons_are(tmp_path: Path):
    """A reason longer than the table's column is cut; the run then says where it is in full, and
    the last error line counts every error claim (trial 5, item 17); no findings reads "none"."""
    from harness.cli.run_display import error_line

    session = tmp_path / "s1"
    long = "TypeError: cannot unpack non-iterable NoneType object in claim code at test_lab_claims.py:42"
    _findings(session, [{"text": "A", "verdict": "error", "details": long, "nodeid": "p::test_a"},
                        {"text": "B", "verdict": "error", "details": "UsageError: no such role", "nodeid": "p::test_b"}])
    result = result_of([], [], session, 2)
    out = io.StringIO()
    show_result(Env(stdout=out, stderr=io.StringIO(), home=tmp_path), result, str(session))
    text = out.getvalue()
    assert long not in text  # cut to fit the column
    where = f"each claim's reasons in full in {session / 'findings.json'} (claims), pytest's output in {session}/pytest.log"
    assert f"details cut to fit: {where}" in text
    assert "findings: none" in text
    assert error_line(result, str(session)) == f"harness: error: 2 claims ended in error; the first, A: {long} ({where})"
    _findings(session, [{"text": "A", "verdict": "holds", "details": "short", "nodeid": "p::test_a"}])
    assert error_line(result_of([], [], session, 0), str(session)) is None


def _store(run_dir: Path, status: str, **meta: Any) -> None:
    store = RunStore.create(run_dir, meta=meta)
    store.close(status, reason=None if status == "complete" else "stopped")


def test_runs_lists_sessions_and_single_runs_newest_first(tmp_path: Path):
    root = tmp_path / "runs"
    old = root / "20260101-old"
    _store(old, "complete", target="phone", serial="R58M123ABC")
    session = root / "20260102-session"
    _store(session / "main" / "test_claims", "complete", target="virtual", world="ncsc-2021", serial="127.0.0.1:4")
    _findings(session, [{"text": "A", "verdict": "violated"}, {"text": "B", "verdict": "holds"}],
              ["filtered", "config_list"])
    (session / "run.json").write_text(json.dumps({"packs": ["vendor_claims"], "target": "virtual",
                                                  "started_at": 4102444800.0}))
    stopped = root / "20260103-stopped"
    _store(stopped / "gw0" / "mod", "incomplete", target="virtual", world={"name": "compliant"})
    (root / "not-a-run").mkdir()
    runs = list_runs(root)
    assert [r.path.name for r in runs] == ["20260102-session", "20260103-stopped", "20260101-old"]
    first = runs[0]
    assert (first.status, first.device, first.target, first.packs) == (
        "complete", ["127.0.0.1:4"], "virtual (world ncsc-2021)", ["vendor_claims"])
    assert first.kinds == {"filtered": 1, "config_list": 1} and first.verdicts == {"violated": 1, "holds": 1}
    assert (runs[1].status, runs[1].target) == ("incomplete", "virtual (world compliant)")
    assert (runs[2].status, runs[2].device, runs[2].target) == ("complete", ["R58M123ABC"], "phone")
    assert [r.path for r in list_runs(old)] == [old]  # one run directory given


def test_a_comparison_that_found_no_filtering_is_not_counted_as_filtering():
    from harness.scenario.run_results import finding_label

    assert finding_label({"kind": "filtered", "verdict": "filtered"}) == "comparison: filtered"
    assert finding_label({"kind": "filtered", "verdict": "not_filtered"}) == "comparison: not filtered"
    assert finding_label({"kind": "filtered", "verdict": "inconclusive"}) == "comparison: inconclusive"
    assert finding_label({"kind": "pii_sent", "verdict": "sent"}) == "pii_sent"
    assert finding_label({"kind": "pii_sent"}) == "pii_sent" and finding_label("x") == "?"


def test_the_target_reads_the_same_in_every_place(tmp_path: Path):
    """One wording, from one function (harness.report.labels.target_label): the progress line, the
    live panel, `harness runs`, findings.json and the HTML report of the same session."""
    from harness.report.document import build_findings, merge_findings, write_findings
    from harness.report.html import render_report

    label = "virtual (world compliant)"
    state = RunState()
    assert state.apply({"event": "session-start", "target": "virtual", "world": "compliant", "out": "OUT"}) == \
        f"session: target {label}, output OUT"
    panel = io.StringIO()
    Progress(Env(stdout=panel, stderr=io.StringIO(), home=tmp_path)).console.print(state.render())
    assert label in panel.getvalue()
    session = tmp_path / "runs" / "20261201-064214-f6c0"
    lab = session / "main" / "mod"
    _store(lab, "complete", target="virtual", world={"name": "compliant"}, serial="127.0.0.1:4")
    doc = build_findings(lab)
    assert doc["target"] == label
    write_findings(session, merge_findings([doc], run_id=session.name))
    (runs,) = list_runs(tmp_path / "runs")
    assert runs.target == label
    assert f"target <b>{label}</b>" in render_report(json.loads((session / "findings.json").read_text()))
    phone = tmp_path / "phone"
    _store(phone, "complete", target="phone", serial="R58M123ABC")
    assert build_findings(phone)["target"] == "phone" == list_runs(phone)[0].target
    assert state.apply({"event": "session-start", "target": "R58M1", "world": None, "out": "O"}) is None  # once
    assert RunState().apply({"event": "session-start", "target": "R58M1", "world": None, "out": "O"}) == \
        "session: target phone R58M1, output O"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_runs_fits_80_columns_on_a_terminal_and_in_plain_output(tmp_path: Path, monkeypatch):
    """`harness runs` keeps to the width it is shown in (plain: COLUMNS, else 80; a terminal: its
    width, COLUMNS here): columns are left out by priority and named; --wide shows them all."""
    import re

    from harness.cli.main import main

    root = tmp_path / "runs"
    for name, serials in (("20261201-064214-f6c0", ("127.0.0.1:32775", "127.0.0.1:42237")),
                          ("20261201-070000-aaaa", ("127.0.0.1:40001",))):
        session = root / name
        for i, serial in enumerate(serials):
            _store(session / f"gw{i}" / "harness.packs.ncsc_2021.test_claims", "complete", target="virtual",
                   world={"name": "ncsc-2021"}, serial=serial)
        _findings(session, [{"text": "A", "verdict": "violated"}] * 7,
                  ["config_list"] * 9 + ["pii_abroad"] * 8 + ["pii_sent"] * 8 + ["pinning_failure"] * 2)
        (session / "run.json").write_text(json.dumps({"packs": ["ncsc_2021", "vendor_claims"], "target": "virtual"}))

    def shown(*argv: str, environ: dict[str, str], out: io.StringIO | None = None) -> list[str]:
        out = out if out is not None else io.StringIO()
        assert main(["runs", str(root), *argv], Env(stdout=out, stderr=io.StringIO(), home=tmp_path,
                                                    environ=environ)) == 0
        return re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue()).splitlines()

    plain = shown(environ={})
    assert max(map(len, plain)) <= 80, "\n".join(plain)
    assert any("| 20261201-064214-f6c0 |" in line and "| complete " in line and "7 violated" in line for line in plain)
    assert plain[-1] == "(to fit 80 columns, left out: device, packs, findings; --wide shows them)"
    monkeypatch.setenv("COLUMNS", "80")  # what rich reads on a terminal
    terminal = shown(environ={"COLUMNS": "80"}, out=_Terminal())
    assert max(map(len, terminal)) <= 80 and any("20261201-064214-f6c0" in line for line in terminal)
    assert terminal[-1].strip() == plain[-1]
    wide = shown(environ={"COLUMNS": "300"})
    assert "left out" not in wide[-1] and any("127.0.0.1:32775, 127.0.0.1:42237" in line for line in wide)
    assert any("ncsc_2021, vendor_claims" in line for line in shown("--wide", environ={}))
