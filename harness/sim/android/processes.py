"""The handset's process table: fixed system processes, stand-in daemons and app processes.

App processes are real host processes (their pid is the host pid, so Frida can attach); stand-in
daemons such as the ``frida-server`` stand-in are table entries with a virtual pid.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: (pid, ppid, user, name) of processes every handset shows in ``ps -A``
SYSTEM_PROCESSES = (
    (1, 0, "root", "init"),
    (2, 0, "root", "[kthreadd]"),
    (350, 1, "root", "ueventd"),
    (512, 1, "logd", "logd"),
    (540, 1, "system", "servicemanager"),
    (560, 1, "system", "hwservicemanager"),
    (601, 1, "root", "zygote64"),
    (602, 1, "root", "zygote"),
    (640, 1, "system", "surfaceflinger"),
    (700, 1, "root", "netd"),
    (900, 1, "shell", "adbd"),
    (1210, 601, "system", "system_server"),
    (1540, 601, "u0_a80", "com.android.systemui"),
)
ZYGOTE_PID = 601


@dataclass
class DeviceProcess:
    pid: int
    name: str
    user: str
    ppid: int
    kind: str  # "system" | "native" | "app"
    args: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    #: for apps: the package
    package: str | None = None


class ProcessTable:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._procs: dict[int, DeviceProcess] = {}
        self._next_pid = itertools.count(20001)
        #: called (outside the lock) to stop an app process the shell kills
        self.kill_app: Callable[[DeviceProcess, int], object] = lambda proc, sig: None
        self.boot()

    def boot(self) -> None:
        with self.lock:
            self._procs = {
                pid: DeviceProcess(pid, name, user, ppid, "system") for pid, ppid, user, name in SYSTEM_PROCESSES
            }

    def spawn_native(self, name: str, user: str, args: list[str]) -> DeviceProcess:
        with self.lock:
            pid = next(self._next_pid)
            while pid in self._procs:
                pid = next(self._next_pid)
            proc = DeviceProcess(pid, name, user, 1, "native", args)
            self._procs[pid] = proc
            return proc

    def add_app(self, pid: int, package: str, user: str) -> DeviceProcess:
        with self.lock:
            proc = DeviceProcess(pid, package, user, ZYGOTE_PID, "app", [package], package=package)
            self._procs[pid] = proc
            return proc

    def remove(self, pid: int) -> None:
        with self.lock:
            self._procs.pop(pid, None)

    def get(self, pid: int) -> DeviceProcess | None:
        with self.lock:
            return self._procs.get(pid)

    def all(self) -> list[DeviceProcess]:
        with self.lock:
            return sorted(self._procs.values(), key=lambda p: p.pid)

    def by_name(self, name: str) -> list[DeviceProcess]:
        """Processes whose name (or basename of their command) is ``name``, as ``pidof`` matches."""
        base = name.rsplit("/", 1)[-1]
        return [p for p in self.all() if p.name in (name, base) or (p.args and p.args[0] == name)]

    def matching_cmdline(self, pattern: str) -> list[DeviceProcess]:
        return [p for p in self.all() if pattern in " ".join(p.args or [p.name])]

    def kill(self, pid: int, sig: int, uid: int) -> str | None:
        """Deliver ``sig``; return None or the error text (``No such process``...)."""
        proc = self.get(pid)
        if proc is None:
            return "No such process"
        if proc.kind == "system" or (uid != 0 and proc.user != "shell"):
            return "Operation not permitted"
        if sig == 0:
            return None
        if proc.kind == "app":
            self.kill_app(proc, sig)
        self.remove(pid)
        return None
