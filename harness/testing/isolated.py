"""Run a ``harness`` command (the CLI, in-process: ``harness.cli.main.main`` with a capturing
``Env``) inside a fresh interpreter, and report what it left behind.

mitmproxy allows one proxy per process, so a test session that already holds a proxy (another
module's fixture) cannot run the demo in its own process; a ``spawn`` child can. Before it returns,
the child lists its own descendant processes that are still alive and the addresses the run
listened on that still accept connections: the proxy (run store meta ``proxy``), the virtual
handset's adb daemon (meta ``serial``) and the world's servers (meta ``world_servers``), all read
from the run store, never from progress text. So orphan JVMs and servers are detected while the
parent of any orphan is still alive. It also lists the ``frida-*`` folders the run left in its own TMPDIR.

Optionally the child kills an app's JVM when a given timeline step begins (an app crash in the
middle of a run), or sends itself a signal then (``signal_at_step``), with SIGINT pre-ignored as
when a script starts the harness in the background.
"""

from __future__ import annotations

import contextlib
import glob
import io
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
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
    #: the signal the child sent itself (signal_at_step)
    signalled: int | None = None
    #: frida-* folders the run left in its private TMPDIR after the child exited (Frida's shared
    #: background daemon excepted, see :func:`_frida_leftovers`)
    frida_dirs: list[str] = field(default_factory=list)


def run_isolated(argv: list[str], home: Path, *, kill_at_step: str | None = None,
                 signal_at_step: tuple[str, int] | None = None, timeout: float = 240.0) -> IsolatedRun:
    """Run ``harness ARGV`` (with ``--out RUN_DIR`` when a step trigger is used) in a spawned child.

    ``kill_at_step``: SIGKILL the app JVM when that step begins; ``signal_at_step=(step, signum)``:
    the child sends itself ``signum`` then, with SIGINT ignored beforehand (inherited-ignore)."""
    # a private TMPDIR (GLib's g_get_tmp_dir, hence Frida, honours it): Frida folders of other
    # processes on the machine (another test worker) are not this run's. Traversable (0711):
    # sandboxed virtual apps (their own uids) keep their folders in it.
    tmp = tempfile.mkdtemp(prefix="harness-isolated-")
    os.chmod(tmp, 0o711)
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(argv, str(home), kill_at_step, signal_at_step, child, tmp),
                       daemon=False)
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
    result.frida_dirs = _frida_leftovers(tmp)
    if not result.frida_dirs:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _frida_leftovers(tmp: str) -> list[str]:
    """``frida-*`` folders left in ``tmp`` once the child exited, except Frida 17's shared
    background daemon: ``idund --background`` (its binary in a ``frida-*`` folder, its socket in
    ``idun-0/``) is started once per user and TMPDIR and reused by every later Frida client, like
    the adb server; the harness leaves it running on a real machine. Here the TMPDIR is this run's
    own, so the daemon is stopped and its folder removed."""
    daemons: dict[str, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                exe = os.readlink(f"/proc/{entry}/exe")
            except OSError:
                continue
            if exe.startswith(tmp + os.sep) and os.path.basename(exe) == "idund":
                daemons[os.path.dirname(exe)] = int(entry)
    left = []
    for folder in sorted(glob.glob(os.path.join(tmp, "frida-*"))):
        if folder in daemons and os.listdir(folder) == ["idund"]:
            with contextlib.suppress(OSError):
                os.kill(daemons[folder], signal.SIGTERM)
            continue
        left.append(folder)
    return left


def _child(argv: list[str], home: str, kill_at_step: str | None, signal_at_step: tuple[str, int] | None,
           conn: Any, tmp: str) -> None:
    from harness.cli.context import Env
    from harness.cli.main import main

    os.environ["HARNESS_HOME"] = home
    out, err = io.StringIO(), io.StringIO()
    killed: list[int] = []
    signalled: list[int] = []
    stop = threading.Event()
    watcher = None
    run_dir = Path(argv[argv.index("--out") + 1]) if "--out" in argv else None
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = None
    if signal_at_step is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # as inherited from a background script
    if run_dir is not None and (kill_at_step or signal_at_step):
        watcher = threading.Thread(target=_at_step, args=(run_dir, kill_at_step, signal_at_step, killed,
                                                          signalled, stop), daemon=True)
        watcher.start()
    try:
        code = main(argv, Env(stdout=out, stderr=err, home=Path(home)))
    finally:
        stop.set()
        if watcher is not None:
            watcher.join(5)
    probed, still = still_open(run_dir) if run_dir is not None else (0, [])
    leftover = _settled_descendants()
    result = IsolatedRun(code, out.getvalue(), err.getvalue(), leftover_processes=leftover,
                         open_addresses=still, probed_addresses=probed, killed=killed[0] if killed else None,
                         signalled=signalled[0] if signalled else None)
    conn.send(result)
    conn.close()


def _settled_descendants(wait: float = 5.0) -> list[tuple[int, str]]:
    """Descendants still alive once killed children had ``wait`` seconds to be reaped."""
    deadline = time.monotonic() + wait
    while True:
        alive = descendants(os.getpid())
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.1)


def _at_step(run_dir: Path, kill_step: str | None, signal_step: tuple[str, int] | None, killed: list[int],
             signalled: list[int], stop: threading.Event) -> None:
    from harness.capture.store import RunStore

    deadline = time.monotonic() + 180
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            steps = {s.id for s in RunStore.open(run_dir).steps()}
        except Exception:  # noqa: BLE001 - the store may not exist yet
            steps = set()
        if signal_step is not None and signal_step[0] in steps:
            os.kill(os.getpid(), signal_step[1])
            signalled.append(signal_step[1])
            return
        if kill_step is not None and kill_step in steps:
            for pid, cmd in descendants(os.getpid()):
                if APP_MARK in cmd:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
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


def run_addresses(run_dir: Path) -> list[tuple[str, int]]:
    """The addresses a run listened on, from its run store's meta: the proxy, the virtual handset's
    adb daemon (its serial is ``HOST:PORT``) and the world's servers."""
    from harness.capture.store import RunStore

    try:
        meta = RunStore.open(run_dir).meta()
    except Exception:  # noqa: BLE001 - no store: nothing was listening for it
        return []
    out: list[tuple[str, int]] = []
    proxy = meta.get("proxy") or {}
    if proxy.get("host") and proxy.get("port"):
        out.append((str(proxy["host"]), int(proxy["port"])))
    serial = str(meta.get("serial") or "")
    host, _, port = serial.rpartition(":")
    if host and port.isdigit():
        out.append((host, int(port)))
    for address in meta.get("world_servers") or []:
        host, _, port = str(address).rpartition(":")
        out.append((host, int(port)))
    return out


def still_open(run_dir: Path | list[tuple[str, int]]) -> tuple[int, list[str]]:
    """(how many addresses were probed, those that still accept connections)."""
    addresses = run_dir if isinstance(run_dir, list) else run_addresses(run_dir)
    still = []
    for host, port in addresses:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1.0):
            still.append(f"{host}:{port}")
    return len(addresses), still
