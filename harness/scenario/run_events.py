"""A pytest plugin ``harness run`` and ``harness packs`` load into their pytest child
(``-p harness.scenario.run_events --harness-run-events FILE``): it appends JSON lines to FILE
(0600, flushed per line) so the parent can report bad input as one line naming the place, and
knows each test's outcome even when no claim record was written:

- ``{"event": "collected", "nodeid", "file", "line", "claim"}`` per collected test (``line``
  1-based; ``claim`` what it claims, :func:`harness.scenario.plugin_markers.claim_text`, or None);
- ``{"event": "collect-error", "nodeid", "file", "line", "message"}`` for a module pytest could
  not import (a syntax error, an import error);
- ``{"event": "marker-error", "nodeid", "file", "line", "message", "fix"}`` for a harness marker
  with wrong arguments (:func:`harness.scenario.plugin_markers.marker_problem`); a run (not
  ``--collect-only``) then stops at collection, before any test starts (pytest usage error, exit
  status 4);
- ``{"event": "outcome", "nodeid", "when", "outcome", "exception", "error", "message"}`` for each
  test phase that failed or was skipped, and for each call phase (controller only under xdist);
  ``exception`` the class name of what was raised (None when nothing was); ``error`` is the
  :class:`~harness.errors.HarnessError` class name when one was raised (an unknown serial, a device that went away) and None for an assertion or an inconclusive claim.

The claim records themselves are the pytest plugin's (``claims.jsonl``, findings.json); this
stream only carries what pytest knows.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from harness.parsing import one_line
from harness.scenario.plugin_markers import claim_text, marker_problem, place

#: the file beside the events FILE where ``harness run`` writes the stop signal's name *before* it
#: passes the signal on: a verdict recorded once it exists is cut (:mod:`harness.scenario.cutoff`),
#: even when the signal's Python handler runs late (the main thread blocked in a Frida call)
STOP_NAME = "stop-signal"
#: ``File "PATH", line N`` in a collection error's text (a SyntaxError inside an imported module)
_PLACE = re.compile(r'File "([^"]+)", line (\d+)')
#: ``PATH:N: in <module>`` frames of an import error's short traceback
_FRAME = re.compile(r"^(\S+\.py):(\d+): in ", re.M)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness")
    group.addoption("--harness-run-events", action="store", default=None, metavar="FILE",
                    help="append collection and outcome records (JSON lines) to FILE, for `harness run`")


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("--harness-run-events")
    if path:
        from harness.scenario.signals import relay_stop_signals

        relay_stop_signals()  # harness run passes SIGTERM/SIGHUP on as they came: recorded by name
        config.pluginmanager.register(RunEvents(Path(path), config), "harness-run-events")


def read_events(path: Path) -> Iterator[dict[str, Any]]:
    """The records of FILE, skipping a torn last line (a child killed mid-write)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("event"), str):
            yield record


class RunEvents:
    """Writes the records (see the module docstring); one per process (xdist workers included)."""

    def __init__(self, path: Path, config: pytest.Config) -> None:
        from harness.fsutil import open_private

        self.config = config
        self.worker = getattr(config, "workerinput", {}).get("workerid")
        self._lock = threading.Lock()
        self._out: IO[str] = open_private(path, "a")

    def write(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, default=str)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()

    def pytest_unconfigure(self) -> None:
        self._out.close()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if not report.failed:
            return
        text = str(report.longrepr)
        root = self.config.rootpath
        module = (root / report.nodeid.split("::", 1)[0]).resolve() if report.nodeid else None
        # places named by the error: a SyntaxError's ``File "P", line N`` and traceback frames ``P:N: in``
        places = [(Path(p), int(n)) for p, n in _PLACE.findall(text)]
        places += [(Path(p), int(n)) for p, n in _FRAME.findall(text)]
        # pytest prints traceback paths relative to the folder it was started in (not its rootdir)
        cwd = self.config.invocation_params.dir
        places = [(p if p.is_absolute() else (cwd / p).resolve(), n) for p, n in places]
        own = [place for place in places if place[0] == module]
        file, line = (own or places)[-1] if own or places else (module or Path(report.fspath), None)
        problem = [ln.strip()[1:].strip() for ln in text.splitlines() if ln.lstrip().startswith("E ")]
        message = problem[-1] if problem else (text.strip().splitlines() or ["collection failed"])[-1]
        self.write("collect-error", nodeid=report.nodeid, file=str(file), line=line, message=one_line(message, 300))

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """A wrong harness marker is recorded with its file, line and fix before the harness
        plugin's own check stops the session (``--collect-only``: every one is recorded)."""
        problems = []
        for item in items:
            problem = marker_problem(item)
            if problem:
                file, line = place(item)
                problems.append(f"{file}:{line}: {item.name}: {problem[0]} (fix: {problem[1]})")
                self.write("marker-error", nodeid=item.nodeid, file=file, line=line, message=problem[0],
                           fix=problem[1])
        if problems and not self.config.option.collectonly:
            raise pytest.UsageError(problems[0])

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            if marker_problem(item):
                continue
            file, line = place(item)
            self.write("collected", nodeid=item.nodeid, file=file, line=line, claim=claim_text(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        from harness.errors import HarnessError

        if call.excinfo is not None:
            report.harness_exc_type = call.excinfo.type.__name__  # type: ignore[attr-defined]
            if isinstance(call.excinfo.value, HarnessError):
                report.harness_error = type(call.excinfo.value).__name__  # type: ignore[attr-defined]
                report.harness_message = one_line(str(call.excinfo.value), 1000)  # type: ignore[attr-defined]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker is not None:  # the xdist controller gets the same report
            return
        if report.when != "call" and report.passed:
            return
        error = getattr(report, "harness_error", None)
        if error is not None:
            message = getattr(report, "harness_message", "")
        elif report.skipped and isinstance(report.longrepr, tuple):
            message = str(report.longrepr[2]).removeprefix("Skipped: ")
        else:
            crash = getattr(report.longrepr, "reprcrash", None)
            text = crash.message if crash is not None else report.longreprtext
            message = one_line(text, 1000) if text else ""
        self.write("outcome", nodeid=report.nodeid, when=report.when, outcome=report.outcome,
                   exception=getattr(report, "harness_exc_type", None), error=error, message=message)
