"""A stop signal at any moment of a ``harness`` command (trial 5, findings 11 and 16): one line on
stderr and exit 130 (README "Exit statuses"), never a traceback nor a silent 143, and nothing left
running — a ``sim start`` stopped half-way stops the handset it was starting.

Real ``python -m harness`` processes and real signals. The moment is an event, never a sleep: the
handset's log file appearing (the handset process was spawned), or — for "while the command's
modules import" — a ``sitecustomize`` in the child that holds the import of the command's module
until the test has sent the signal (it writes a marker file, then waits, bounded).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(180)

HOLD = '''
import os, sys, time


class Hold:
    """Holds the import of {module} until the parent signalled (bounded)."""

    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            open({marker!r}, "w").close()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                time.sleep(0.01)  # the signal's handler raises here
        return None


sys.meta_path.insert(0, Hold())
'''


def wait_file(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"exited {proc.returncode} before {path.name} appeared: {proc.communicate()}"
        assert time.monotonic() < deadline, f"no {path} within {timeout}s"
        time.sleep(0.02)  # polling for the event, bounded by the deadline


def environment(tmp_path: Path, extra_path: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "HARNESS_HOME": str(tmp_path / "home")}
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_path), env.get("PYTHONPATH", "")]))
    return env


def handset_processes(state: Path) -> list[int]:
    """pids of ``python -m harness.sim`` processes using ``state`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"harness.sim" in cmdline and str(state).encode() in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_signal_while_the_command_imports_its_modules_is_one_line_and_130(tmp_path: Path, signame: str):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    marker = tmp_path / "importing"
    (hooks / "sitecustomize.py").write_text(textwrap.dedent(HOLD.format(module="harness.cli.cmd_sim",
                                                                         marker=str(marker))))
    proc = subprocess.Popen([sys.executable, "-m", "harness", "sim", "status", "--name", "x"],
                            env=environment(tmp_path, hooks), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        wait_file(marker, proc)
        proc.send_signal(getattr(signal, signame))
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (out, err)
    assert err == f"harness: interrupted by {signame}\n" and out == ""


@pytest.mark.slow
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
def test_a_signal_while_sim_start_starts_the_handset_stops_it(tmp_path: Path, signame: str):
    env = environment(tmp_path)
    folder = tmp_path / "home" / "sim" / "c"
    proc = subprocess.Popen([sys.executable, "-m", "harness", "sim", "start", "--name", "c", "--no-connect"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_file(folder / "handset.log", proc)  # the handset process was spawned, not yet ready
        proc.send_signal(getattr(signal, signame))
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (out, err)
    assert out == "" and err == f"harness: interrupted by {signame}; handset 'c' stopped again, nothing left running\n"
    assert handset_processes(folder / "state") == []
    status = subprocess.run([sys.executable, "-m", "harness", "sim", "status", "--name", "c"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert status.stdout == "handset 'c': stopped\n", status
