"""Run virtual handsets as detached background processes (``harness sim start/stop/status``).

Each handset has a folder ``HARNESS_HOME/sim/NAME`` (0700) with ``state/`` (the device), a
``handset.json`` record (pid, serial, port...) written by the running process, and ``handset.log``.
While it runs, the handset holds an ``flock`` on ``state/handset.lock`` (:mod:`harness.sim.statelock`):
that lock, not the pid, says whether it runs, from any PID namespace sharing the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.errors import SimError
from harness.fsutil import FILE_MODE, private_dir
from harness.sim import statelock

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def harness_home() -> Path:
    return Path(os.environ.get("HARNESS_HOME", Path.home() / ".harness"))


def default_sim_dir(name: str, home: Path | None = None) -> Path:
    if not name or "/" in name or name.startswith("."):
        raise SimError(f"bad handset name {name!r}", fix="use a plain name like 'default' or 'phone2'")
    return (home or harness_home()) / "sim" / name


@dataclass
class HandsetRecord:
    pid: int
    serial: str
    port: int
    personality: str
    state_dir: str
    device_serialno: str = ""
    #: the virtual vendor world running with the handset (``World.info()``), if any
    world: dict | None = None

    @classmethod
    def read(cls, path: Path) -> HandsetRecord | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"harness.sim" in cmdline


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _state_of(folder: Path, record: HandsetRecord) -> Path:
    """The state folder of ``record`` as this mount namespace sees it (a container may mount
    ``HARNESS_HOME`` elsewhere: then the default ``folder/state``)."""
    state = Path(record.state_dir)
    return state if state.is_dir() else folder / "state"


def _running(folder: Path, record: HandsetRecord) -> bool:
    """Alive: the handset holds its state folder's lock (:mod:`harness.sim.statelock`, seen from every
    PID namespace). A handset from before the lock existed (no lock file) falls back to its pid."""
    state = _state_of(folder, record)
    if statelock.lock_path(state).exists():
        return statelock.held(state)
    return _alive(record.pid)


def status(folder: Path) -> HandsetRecord | None:
    """The record of the handset running from ``folder``, or None. Read-only: a stale record stays
    on disk (the next ``start`` replaces it). A pid this process cannot see (another PID namespace)
    is not taken as dead; liveness is the state folder's lock (trial 6 finding 4)."""
    record = HandsetRecord.read(folder / "handset.json")
    if record is None or not _running(folder, record):
        return None
    return record


def start(folder: Path, *, personality: str | None = None, port: int = 0, state_dir: Path | None = None,
          root: str | None = None, hosts_file: Path | None = None, world: str | None = None,
          adb_keys: list[Path] | None = None, insecure: bool = False,
          allow_app_install: bool = False, stopped: Callable[[], bool] | None = None) -> HandsetRecord:
    """Start a detached handset process and wait until its ADB daemon listens. ``adb_keys`` and
    ``insecure``: see :class:`harness.sim.handset.HandsetConfig`; ``allow_app_install``: see
    :class:`harness.sim.android.device.DeviceConfig`. ``stopped`` is polled while it waits: once
    it is true (a stop signal, ``harness sim start``) the half-started handset is stopped and
    ``KeyboardInterrupt`` raised, so no handset is left running that nobody started."""
    private_dir(folder)
    running = status(folder)
    if running is not None:
        raise SimError(f"handset already running as {running.serial} (pid {running.pid} where it started)",
                       fix=_stop_fix(folder, running))
    if statelock.held(state_dir or folder / "state"):  # running, but its record is gone or elsewhere
        raise SimError(f"a handset is already running on the state folder {state_dir or folder / 'state'} "
                       "(its lock is held)", fix="use it, or stop it first (`harness sim stop`)")
    last_port_file = folder / "last_port"
    if port == 0 and last_port_file.exists():  # keep the serial stable across restarts if possible
        last = int(last_port_file.read_text() or 0)
        port = last if last and _port_free(last) else 0
    ready = folder / "handset.json"
    cmd = [sys.executable, "-m", "harness.sim", "--port", str(port), "--ready-file", str(ready),
           "--state-dir", str(state_dir or folder / "state")]
    if personality:
        cmd += ["--personality", personality]
    if root:
        cmd += ["--root", root]
    if hosts_file:
        cmd += ["--hosts-file", str(hosts_file)]
    if world:
        cmd += ["--world", world]
    for key in adb_keys or []:
        cmd += ["--adb-key", str(Path(key).resolve())]
    if insecure:
        cmd += ["--insecure"]
    if allow_app_install:
        cmd += ["--allow-app-install"]
    log_path = folder / "handset.log"
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    log_start = os.fstat(fd).st_size  # the log is appended to: an error quotes this start's lines only
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fd, stderr=fd, start_new_session=True,
                                close_fds=True)
    finally:
        os.close(fd)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while time.monotonic() < deadline:
            record = HandsetRecord.read(ready)
            if record is not None and record.pid == proc.pid:
                last_port_file.write_text(str(record.port))
                os.chmod(last_port_file, FILE_MODE)
                return record
            if stopped is not None and stopped():
                raise KeyboardInterrupt("stopped while the handset started")
            if proc.poll() is not None:
                problem, fix = _start_problem(log_path, log_start)
                raise SimError(f"the handset process exited with status {proc.returncode}: {problem}",
                               fix=f"{fix}; its log: {log_path}" if fix else f"see {log_path}")
            time.sleep(0.1)
    except BaseException:  # a stop signal (KeyboardInterrupt) while it started: no handset left behind
        _end(proc, ready)
        raise
    _end(proc, ready)
    raise SimError(f"the handset did not start within {START_TIMEOUT:.0f}s", fix=f"see {log_path}")


def _start_problem(log_path: Path, offset: int) -> tuple[str, str | None]:
    """(problem, fix or None) of a start, from what it wrote to the handset log from byte
    ``offset`` on (an earlier start's lines are not quoted): its ``harness sim: error:`` line when
    it wrote one (the handset's own one-line error, its ``(fix: ...)`` split off), else its last 5
    lines."""
    try:
        with open(log_path, "rb") as log:
            log.seek(offset)
            lines = log.read().decode(errors="replace").strip().splitlines()
    except OSError as exc:
        return f"(its log cannot be read: {exc.strerror or exc})", None
    errors = [line for line in lines if line.startswith("harness sim: error: ")]
    if errors:
        problem, _, fix = errors[-1].removeprefix("harness sim: error: ").partition(" (fix: ")
        return problem, fix.removesuffix(")") or None
    return " / ".join(lines[-5:]) or "(it wrote nothing to its log)", None


def _end(proc: subprocess.Popen[bytes], ready: Path) -> None:
    """Stop a handset process that did not finish starting (SIGTERM, then SIGKILL after
    ``STOP_TIMEOUT``) and remove its ready file if it wrote one."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    record = HandsetRecord.read(ready)
    if record is not None and record.pid == proc.pid:
        ready.unlink(missing_ok=True)


def _stop_fix(folder: Path, record: HandsetRecord) -> str:
    """The fix for "already running": `harness sim stop` where this PID namespace sees the handset's
    process, else where it runs (`sim stop` is refused here: trial 6b N6)."""
    state = _state_of(folder, record)
    if statelock.lock_path(state).exists() and statelock.holder(state) is None:
        return ("use it; it runs in another PID namespace (a container?), so to replace it run "
                "`harness sim stop` there first")
    return "use it, or `harness sim stop` first"


def stop(folder: Path) -> HandsetRecord | None:
    """Stop the handset running from ``folder``; return its record (None if none was running).
    The process signalled is the one holding the state folder's lock, as this PID namespace numbers
    it; raises :class:`SimError` when it runs where this namespace cannot see it."""
    record = HandsetRecord.read(folder / "handset.json")
    if record is None or not _running(folder, record):
        (folder / "handset.json").unlink(missing_ok=True)  # a stale record: stop may tidy it
        return None
    state = _state_of(folder, record)
    locked = statelock.lock_path(state).exists()
    pid = statelock.holder(state) if locked else record.pid
    if pid is None:
        raise SimError(f"handset {folder.name!r} is running as {record.serial} (it holds {statelock.lock_path(state)}) "
                       f"but its process (pid {record.pid} where it started) is not visible from here",
                       fix="it runs in another PID namespace (a container?): stop it from there")

    def alive() -> bool:  # the lock goes with the handset; its world stops after it, in the same process
        return (locked and statelock.held(state)) or _alive(pid)

    with contextlib.suppress(ProcessLookupError):  # it may end on its own meanwhile
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and alive():
            time.sleep(0.1)
        if alive():
            os.kill(pid, signal.SIGKILL)
    (folder / "handset.json").unlink(missing_ok=True)
    return record
