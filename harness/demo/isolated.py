"""Run ``harness demo`` (the CLI, in-process: ``harness.cli.main.main`` with a capturing ``Env``)
inside a fresh interpreter, and report what it left behind.

mitmproxy allows one proxy per process, so a test session that already holds a proxy (another
module's session fixture) cannot run the demo in its own process; a ``spawn`` child can. Before it
returns, the child lists its own descendant processes that are still alive and the demo's
listening addresses that still accept connections (proxy, adb daemon, world servers), so orphan
JVMs and servers are detected while the parent of any orphan is still alive.

Optionally the child kills the browser's JVM when a given timeline step begins (an app crash in
the middle of a run).
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import re
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP_MARK = "-Dvapp.package=com.vendor.browser"


@dataclass
class IsolatedRun:
    code: int
    stdout: str
    stderr: str
    #: (pid, command line) of descendant processes still alive after the command returned
    leftover_processes: list[tuple[int, str]] = field(default_factory=list)
    #: "host:port" addresses of the demo that still accept connections after it returned
    open_addresses: list[str] = field(default_factory=list)
    #: how many of the demo's addresses (from its progress lines) were probed
    probed_addresses: int = 0
    #: pid of the app process the child killed (kill_at_step)
    killed: int | None = None


def run_isolated(argv: list[str], home: Path, *, kill_at_step: str | None = None,
                 timeout: float = 240.0) -> IsolatedRun:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(argv, str(home), kill_at_step, child), daemon=False)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise TimeoutError(f"harness {' '.join(argv)} did not finish within {timeout:g}s")
        try:
            result: IsolatedRun = parent.recv()
        except EOFError:
            proc.join(10)
            raise RuntimeError(f"the child running harness {' '.join(argv)} died (exit code {proc.exitcode})") from None
    finally:
        proc.join(30)
        if proc.is_alive():
            proc.kill()
            proc.join(10)
    return result


def _child(argv: list[str], home: str, kill_at_step: str | None, conn: Any) -> None:
    from harness.cli.context import Env
    from harness.cli.main import main

    os.environ["HARNESS_HOME"] = home
    out, err = io.StringIO(), io.StringIO()
    killed: list[int] = []
    stop = threading.Event()
    killer = None
    if kill_at_step:
        run_dir = Path(argv[argv.index("--out") + 1])
        killer = threading.Thread(target=_kill_at_step, args=(run_dir, kill_at_step, killed, stop), daemon=True)
        killer.start()
    try:
        code = main(argv, Env(stdout=out, stderr=err, home=Path(home)))
    finally:
        stop.set()
        if killer is not None:
            killer.join(5)
    time.sleep(0.5)  # let killed children be reaped
    probed, still = still_open(out.getvalue() + err.getvalue())
    result = IsolatedRun(code, out.getvalue(), err.getvalue(), leftover_processes=descendants(os.getpid()),
                         open_addresses=still, probed_addresses=probed, killed=killed[0] if killed else None)
    conn.send(result)
    conn.close()


def _kill_at_step(run_dir: Path, step: str, killed: list[int], stop: threading.Event) -> None:
    from harness.capture.store import RunStore

    deadline = time.monotonic() + 180
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            if any(s.id == step for s in RunStore.open(run_dir).steps()):
                for pid, cmd in descendants(os.getpid()):
                    if APP_MARK in cmd:
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                        return
        except Exception:  # noqa: BLE001 - the store may not exist yet
            pass
        time.sleep(0.1)


def descendants(root: int) -> list[tuple[int, str]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] == "Z":  # a zombie is already dead
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    out = []
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        out.append((pid, cmd))
        todo.extend(children.get(pid, []))
    return out


_PROXY = re.compile(r"proxy on (127\.\d+\.\d+\.\d+):(\d+)")
_SERIAL = re.compile(r"adb server as (127\.\d+\.\d+\.\d+):(\d+)")
_WORLD = re.compile(r"services on (127\.\d+\.\d+)\.0/24 port (\d+)")


def still_open(text: str) -> tuple[int, list[str]]:
    """(how many addresses were probed, those that still accept connections)."""
    addresses: list[tuple[str, int]] = []
    for rx in (_PROXY, _SERIAL):
        m = rx.search(text)
        if m:
            addresses.append((m.group(1), int(m.group(2))))
    m = _WORLD.search(text)
    if m:
        addresses += [(f"{m.group(1)}.{octet}", int(m.group(2))) for octet in range(10, 18)]
    still = []
    for host, port in addresses:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1.0):
            still.append(f"{host}:{port}")
    return len(addresses), still
