"""``harness run``'s engine: pytest in a child process over the packs, its progress stream followed
live, stop signals forwarded, and what is needed for the verdict table afterwards.

    options = RunOptions(paths=[find_pack("ncsc_2021").path], target="virtual", world="ncsc-2021",
                         out=Path("runs"))
    outcome = run_packs(options, on_event=print)      # on_event: each progress record (a dict)

The child is ``python -m pytest PATH... -p harness.scenario.run_events`` with the plugin options of
INTERFACES.md section 2 (``--harness-target/-world/-profile/-out/-progress``) and ``-k``/``-n``;
its output goes to ``pytest.log``. The progress stream (section 4) and the run events
(:mod:`harness.scenario.run_events`) are written first into a private folder ``OUT/.harness-run-*``
and moved into the session's run directory (``OUT/<session id>``) at the end, with ``run.json``
(what was asked: packs, target, world, profile, argv; when; the exit status). When pytest never
made a session directory: when no test ran (bad input before any lab) that folder is removed,
nothing was recorded; otherwise it is kept as ``OUT/<run id>`` (:mod:`harness.runid`).

Stopping: the child runs in its own session (a terminal's Ctrl-C reaches only the harness). The
first SIGINT/SIGTERM/SIGHUP is passed on to it as it came (the child handles SIGTERM and SIGHUP
as SIGINT and records the signal's name, :func:`harness.scenario.signals.relay_stop_signals`;
pytest then tears the labs down, which restores the devices and closes each run ``incomplete``), later ones are ignored while it does;
after ``stop_timeout`` seconds it is killed (the device journal then waits for ``harness restore``).
When ``harness run`` itself dies (``kill -9`` of it or its process group), Linux sends the child
SIGTERM (``PR_SET_PDEATHSIG``, :func:`stop_with_parent`): it restores the devices and closes its
runs ``incomplete`` as for a forwarded SIGTERM; the parent's own files (``pytest.log``, the
progress stream) then stay in ``OUT/.harness-run-*``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.fsutil import open_private, private_dir, write_private
from harness.runid import new_run_id
from harness.scenario.run_events import STOP_NAME, read_events
from harness.scenario.signals import handled

#: files of the parent kept in the session's run directory
PROGRESS_NAME = "progress.jsonl"
EVENTS_NAME = "run-events.jsonl"
LOG_NAME = "pytest.log"
RUN_NAME = "run.json"
#: how often the parent reads the progress stream while the child runs (seconds)
POLL_INTERVAL = 0.2


@dataclass
class RunOptions:
    """What ``harness run`` was asked: ``paths`` pytest runs (pack folders, files, node ids),
    ``packs`` their names as given, ``target`` ``virtual`` or serials joined by commas."""

    paths: list[Path]
    out: Path
    packs: list[str] = field(default_factory=list)
    target: str = "virtual"
    world: str | None = None
    profile: str | None = None
    keyword: str | None = None
    workers: int | None = None
    #: seconds to wait for the child after forwarding a stop signal, then it is killed
    stop_timeout: float = 600.0
    #: extra pytest arguments (tests)
    extra_args: list[str] = field(default_factory=list)
    #: the harness home the child uses (``HARNESS_HOME``: journals, handsets, caches); None: the environment's
    home: Path | None = None


@dataclass
class RunOutcome:
    """What happened: the child's ``exit_code`` (pytest's), ``session_dir`` (None when none was
    made), every progress record and run event, the signal that stopped it (``interrupted``), and
    whether the child had to be killed."""

    exit_code: int
    session_dir: Path | None
    progress: list[dict[str, Any]]
    events: list[dict[str, Any]]
    log: str
    started_at: float
    ended_at: float
    interrupted: str | None = None
    killed: bool = False


def pytest_argv(options: RunOptions, progress: Path, events: Path) -> list[str]:
    """The child's command line."""
    argv = [sys.executable, "-m", "pytest", *[str(p) for p in options.paths],
            "-p", "no:cacheprovider", "-p", "harness.scenario.run_events", f"--harness-run-events={events}",
            f"--harness-progress={progress}", f"--harness-out={options.out}", f"--harness-target={options.target}"]
    if options.world:
        argv.append(f"--harness-world={options.world}")
    if options.profile:
        argv.append(f"--harness-profile={options.profile}")
    if options.keyword:
        argv += ["-k", options.keyword]
    if options.workers is not None:
        argv += ["-n", str(options.workers)]
    return [*argv, "-rA", *options.extra_args]


class ProgressTail:
    """Reads the complete JSON lines appended to a file since the last call (the writer may be
    mid-line: an incomplete last line waits for the next call)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.buffer = b""

    def read(self) -> list[dict[str, Any]]:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except FileNotFoundError:
            return []
        self.offset += len(data)
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b"\n")
        records = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records


def session_dir_of(progress: list[dict[str, Any]], out: Path, before: set[str], work: Path) -> Path | None:
    """The session's run directory: from the progress stream (``session-end`` findings path,
    ``lab-open`` run_dir ``OUT/<session>/<worker>/<module>``), else the one folder pytest made in
    OUT during the run."""
    for record in reversed(progress):
        if record.get("event") == "session-end" and record.get("findings"):
            return Path(record["findings"]).parent
    for record in progress:
        if record.get("event") == "lab-open" and record.get("run_dir"):
            run_dir = Path(record["run_dir"])
            for parent in run_dir.parents:
                if parent.parent == out.resolve() or parent.parent == out:
                    return parent
    made = [p for p in out.iterdir() if p.is_dir() and p.name not in before and p != work] if out.is_dir() else []
    return made[0] if len(made) == 1 else None


def child_env(options: RunOptions) -> dict[str, str]:
    """The child's environment: this process's, with the harness home the CLI was given."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if options.home is not None:
        env["HARNESS_HOME"] = str(options.home)
    return env


def run_packs(options: RunOptions, on_event: Callable[[dict[str, Any]], None] | None = None) -> RunOutcome:
    """Run the child to its end (or until a stop signal and the child's clean-up); see the module
    docstring. Raises OSError when OUT cannot be made."""
    out = private_dir(options.out)
    before = {p.name for p in out.iterdir()}
    work = Path(tempfile.mkdtemp(prefix=".harness-run-", dir=out))
    progress_path, events_path, log_path = work / PROGRESS_NAME, work / EVENTS_NAME, work / LOG_NAME
    argv = pytest_argv(options, progress_path, events_path)
    tail = ProgressTail(progress_path)
    progress: list[dict[str, Any]] = []
    started = time.time()
    interrupted: str | None = None
    killed = False

    def pump() -> None:
        for record in tail.read():
            progress.append(record)
            if on_event is not None:
                on_event(record)

    with handled(raise_=False) as stop, open_private(log_path, "wb") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, env=child_env(options),
                                preexec_fn=stop_with_parent(os.getpid()))
        forwarded_at: float | None = None
        while proc.poll() is None:
            if stop.is_set() and forwarded_at is None:
                interrupted = stop.name
                forwarded_at = time.monotonic()
                write_private(work / STOP_NAME, str(interrupted))  # first: no verdict after it is judged
                _signal(proc, stop.signum or signal.SIGINT)  # the child relays it as SIGINT, by its name
            if forwarded_at is not None and time.monotonic() - forwarded_at > options.stop_timeout:
                _signal(proc, signal.SIGKILL)
                killed = True
                proc.wait()
                break
            pump()
            stop.wait(POLL_INTERVAL)
        pump()
    ended = time.time()
    events = list(read_events(events_path))
    text = log_path.read_text(encoding="utf-8", errors="replace")
    session = session_dir_of(progress, out, before, work)
    outcome = RunOutcome(exit_code=proc.returncode, session_dir=session, progress=progress, events=events,
                         log=text, started_at=started, ended_at=ended, interrupted=interrupted, killed=killed)
    _keep(outcome, options, argv, work)
    return outcome


#: Linux prctl(2) option: the signal a process gets when the thread that forked it ends
PR_SET_PDEATHSIG = 1


def stop_with_parent(parent: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to send the child SIGTERM when ``harness run`` (pid ``parent``)
    dies, whatever killed it (SIGKILL included): the child then stops as for a forwarded SIGTERM —
    restores the devices, closes the runs ``incomplete`` — instead of driving the phone on for a
    run nobody watches (trial 6 finding E). A parent already gone by the time the child runs it
    (the race prctl(2) documents) gets the same SIGTERM at once. None off Linux (no prctl)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def _signal(proc: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.kill(proc.pid, signum)
    except ProcessLookupError:  # it ended meanwhile
        pass


def _keep(outcome: RunOutcome, options: RunOptions, argv: list[str], work: Path) -> None:
    """Move the parent's files into the session directory with ``run.json``; without a session
    directory, remove the work folder (nothing was recorded)."""
    session = outcome.session_dir
    if session is None or not session.is_dir():
        if not any(e.get("event") == "outcome" for e in outcome.events):
            shutil.rmtree(work, ignore_errors=True)  # stopped before any test: nothing was recorded
            return
        # tests ran but pytest made no session folder: keep what harness run has as the run directory
        session = work.with_name(new_run_id(outcome.started_at))
        os.replace(work, session)
        outcome.session_dir = work = session
    if work != session:
        for name in (PROGRESS_NAME, EVENTS_NAME, LOG_NAME):
            if (work / name).exists():
                os.replace(work / name, session / name)
        shutil.rmtree(work, ignore_errors=True)
    record = {"packs": options.packs, "paths": [str(p) for p in options.paths], "target": options.target,
              "world": options.world, "profile": options.profile, "keyword": options.keyword,
              "workers": options.workers, "argv": argv[1:], "started_at": outcome.started_at,
              "ended_at": outcome.ended_at, "pytest_exit_code": outcome.exit_code,
              "interrupted": outcome.interrupted}
    write_private(session / RUN_NAME, json.dumps(record, indent=2, default=str))


def record_exit(session: Path | None, status: int) -> None:
    """Add the ``harness run`` exit status to ``run.json`` (when the session has one)."""
    if session is None or not (session / RUN_NAME).is_file():
        return
    try:
        record = json.loads((session / RUN_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    record["exit_status"] = status
    write_private(session / RUN_NAME, json.dumps(record, indent=2, default=str))


__all__ = ["ProgressTail", "RunOptions", "RunOutcome", "pytest_argv", "record_exit", "run_packs", "session_dir_of"]
