"""Joining a running lab: ``join_lab(spec)`` attaches to the lab another process (or thread) holds
on a device, so Frida agents can be added to its apps (``harness hook``) while it records.

A running lab owns the device: its :class:`~harness.device.session.DeviceSession` holds the
device's journal lock (so no second lab can prepare the device) and its run store has one writer.
So an open lab also opens a *door* (:func:`open_door`, called by ``open_lab``): a loopback TCP
listener on an ephemeral port, announced in ``HARNESS_HOME/labs/running/SERIAL.json`` (0600, in a
0700 folder: serial, pid, run directory, address and a random token). A joining process

1. finds that file for the device, and believes it only while the device's journal lock is held
   (:func:`running_lab`; a file left by a killed lab is ignored);
2. opens the same target as the lab would (:class:`~harness.scenario.PhoneTarget` or the running
   virtual handset) in an :class:`contextlib.ExitStack` of its own, so Frida reaches the apps the
   same way and adb forwards are removed on every exit path;
3. connects to the door, sends ``{"token": T}`` and then one JSON line per agent event
   (``HookEvent.to_json``, docs/agents.md); the lab writes each into its run store
   (``RunStore.add_event``), giving it the lab's current step when the event has none, and wakes
   its waits. On closing, the joiner half-closes the connection and the lab answers
   ``{"recorded": N}``; fewer than sent is an error.

The joiner never takes the journal lock and never changes the device: what it does (Frida,
``am sim-release``) is not journaled, and the lab's restore is unaffected.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import os
import secrets
import shutil
import socket
import socketserver
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError, ScenarioError, UsageError
from harness.fsutil import private_dir, write_private
from harness.scenario.signals import handled
from harness.scenario.spec import LabSpec, home_of

if TYPE_CHECKING:
    from harness.device.adb import Device
    from harness.instrument.events import HookEvent
    from harness.scenario.lab import Lab
    from harness.scenario.target import Attached

#: how long a joiner waits for the door's answers (seconds)
DOOR_TIMEOUT = 10.0


class LabEnded(ScenarioError):
    """The lab a joiner attached to was closed (its run is closed; nothing more is recorded there)."""


def door_path(home: Path, serial: str) -> Path:
    safe = "".join(c if c.isalnum() else "_" for c in serial)
    return private_dir(Path(home) / "labs" / "running") / f"{safe}.json"


def journal_held(home: Path, serial: str) -> bool:
    """True while some process holds the device's journal lock (a lab is running on it)."""
    from harness.device.journal import in_use

    return in_use(Path(home), serial)


@dataclass(frozen=True)
class RunningLab:
    """What a running lab announces: ``address`` is ``(host, port)`` of its door."""

    serial: str
    pid: int
    run_dir: Path
    address: tuple[str, int]
    token: str


def running_lab(home: Path, serial: str) -> RunningLab | None:
    """The lab running on ``serial`` under ``home``, or None (none, or a file a killed lab left)."""
    path = door_path(home, serial)
    if not path.is_file() or not journal_held(home, serial):
        return None
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
        host, port = rec["address"]
        return RunningLab(str(rec["serial"]), int(rec["pid"]), Path(rec["run_dir"]), (str(host), int(port)),
                          str(rec["token"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- the lab's side -------------------------------------------------------------------------------


def record_from_json(obj: Any) -> Any:
    """A run-store ``AgentEvent`` from ``HookEvent.to_json()``; ValueError for anything else."""
    from harness.capture.records import AgentEvent
    from harness.instrument.events import TYPE_PATTERN

    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str) or not TYPE_PATTERN.match(obj["type"]):
        raise ValueError("not an agent event")
    data = obj.get("data")
    payload = obj.get("payload")
    event = AgentEvent(type=obj["type"], source=str(obj.get("source") or "?"), timestamp=float(obj["timestamp"]),
                       payload=payload if isinstance(payload, dict) else {},
                       data=base64.b64decode(data["data"]) if isinstance(data, dict) else None,
                       step_id=obj.get("step_id") if isinstance(obj.get("step_id"), str) else None,
                       pid=obj["pid"] if isinstance(obj.get("pid"), int) else None,
                       thread=str(obj["thread"]) if obj.get("thread") is not None else None)
    if obj.get("id"):
        event.id = str(obj["id"])
    return event


class _Door(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, lab: Lab, token: str) -> None:
        super().__init__(("127.0.0.1", 0), _Joiner)
        self.lab, self.token = lab, token
        self.open: set[socket.socket] = set()
        self.guard = threading.Lock()


class _Joiner(socketserver.StreamRequestHandler):
    server: _Door

    def handle(self) -> None:
        door, lab = self.server, self.server.lab
        try:
            hello = json.loads(self.rfile.readline(4096) or b"{}")
        except ValueError:
            hello = {}
        if not hmac.compare_digest(str(hello.get("token", "")).encode(), door.token.encode()):
            self.wfile.write(b'{"error": "bad token"}\n')
            return
        with door.guard:
            door.open.add(self.connection)
        store = lab.capture.store
        assert store is not None
        self.wfile.write(json.dumps({"run_dir": str(lab.run_dir), "serial": lab.serial}).encode() + b"\n")
        recorded = bad = 0
        for line in self.rfile:
            try:
                event = record_from_json(json.loads(line))
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            if event.step_id is None:
                event.step_id = lab.capture.timeline.current
            store.add_event(event)
            lab.pulse.notify()
            recorded += 1
        if bad:
            lab.emit("join", f"{bad} malformed event line(s) from a joined process were not recorded")
        with contextlib.suppress(OSError):
            self.wfile.write(json.dumps({"recorded": recorded}).encode() + b"\n")
        with door.guard:
            door.open.discard(self.connection)


@contextlib.contextmanager
def open_door(lab: Lab) -> Iterator[Path]:
    """Let other processes join ``lab`` (see the module docstring) until the block ends; the file
    announcing it. Called by ``open_lab`` once the device is prepared."""
    token = secrets.token_urlsafe(24)
    door = _Door(lab, token)
    thread = threading.Thread(target=door.serve_forever, kwargs={"poll_interval": 0.2}, name="lab-door", daemon=True)
    thread.start()
    path = door_path(lab.home, lab.serial)
    host, port = door.server_address[:2]
    write_private(path, json.dumps({"serial": lab.serial, "pid": os.getpid(), "run_dir": str(lab.run_dir),
                                    "address": [host, port], "token": token}))
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        door.shutdown()
        with door.guard:
            for conn in door.open:  # a joiner still sending sees the lab go
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        door.server_close()
        thread.join(timeout=5)


# -- the joiner's side ----------------------------------------------------------------------------


class EventForwarder:
    """An event sink (``sinks=[forwarder]``) sending each event to the running lab's door."""

    def __init__(self, lab: RunningLab, timeout: float = DOOR_TIMEOUT) -> None:
        self.lab, self.sent = lab, 0
        self.failure: str | None = None
        self._lock = threading.Lock()
        try:
            self._sock = socket.create_connection(lab.address, timeout=timeout)
            self._file = self._sock.makefile("rb")
            self._sock.sendall(json.dumps({"token": lab.token}).encode() + b"\n")
            answer = json.loads(self._file.readline(4096) or b"{}")
        except (OSError, ValueError) as exc:
            raise LabEnded(f"the lab on {lab.serial} (pid {lab.pid}) does not answer at "
                           f"{lab.address[0]}:{lab.address[1]} ({exc})", serial=lab.serial, attempted="join the lab",
                           fix="is it still running? retry once it is up, or stop it to hook alone") from None
        if "run_dir" not in answer:
            self._sock.close()
            raise LabEnded(f"the lab on {lab.serial} refused to be joined ({answer.get('error', answer)})",
                           serial=lab.serial, attempted="join the lab", fix="use the same HARNESS_HOME as the lab")

    def __call__(self, event: HookEvent) -> None:
        line = json.dumps(event.to_json(), ensure_ascii=False).encode() + b"\n"
        with self._lock:
            if self.failure is not None:
                return
            try:
                self._sock.sendall(line)
                self.sent += 1
            except OSError as exc:
                self.failure = f"the lab on {self.lab.serial} closed its door ({exc}); events from then on " \
                               "were shown but not recorded"

    def check(self) -> None:
        if self.failure is not None:
            raise LabEnded(self.failure, serial=self.lab.serial, attempted="record into the lab",
                           fix="the run of the lab ends where it was closed; hook again in a new lab")

    def close(self) -> int:
        """Half-close, wait for the lab's count; raises LabEnded when it recorded fewer than sent."""
        with self._lock:
            recorded = -1
            try:
                self._sock.shutdown(socket.SHUT_WR)
                recorded = int(json.loads(self._file.readline(4096) or b"{}").get("recorded", -1))
            except (OSError, ValueError):
                pass
            finally:
                self._file.close()
                self._sock.close()
        if self.failure is None and recorded != self.sent:
            self.failure = f"the lab on {self.lab.serial} confirmed {max(recorded, 0)} of {self.sent} events"
        self.check()
        return recorded


@dataclass
class JoinedLab:
    """A running lab joined from here: what ``harness hook`` needs of a lab (``serial``, ``device``,
    ``attached``, ``run_dir``, ``timeline``, ``sinks()``, ``check()``), as :class:`Lab` has it."""

    running: RunningLab
    device: Device
    attached: Attached
    forwarder: EventForwarder
    home: Path
    #: the joiner has no timeline: the lab gives events its current step when it records them
    timeline: Any = None
    joined: bool = True

    @property
    def serial(self) -> str:
        return self.device.serial

    @property
    def run_dir(self) -> Path:
        return self.running.run_dir

    def sinks(self) -> list[Any]:
        return [self.forwarder]

    def check(self) -> None:
        """Raise :class:`LabEnded` once the lab is gone (door file removed or journal released)."""
        self.forwarder.check()
        if not door_path(self.home, self.running.serial).is_file() or not journal_held(self.home, self.serial):
            raise LabEnded(f"the lab on {self.serial} ended; its run {self.run_dir} is closed",
                           serial=self.serial, attempted="record into the lab",
                           fix="start the lab again (e.g. `harness intercept`), then `harness hook` again")


@contextlib.contextmanager
def join_lab(spec: LabSpec) -> Iterator[JoinedLab]:
    """Join the lab running on ``spec.target``'s device (same ``spec.home``); see the module
    docstring. Raises :class:`~harness.errors.UsageError` when none runs there, :class:`LabEnded`
    when it does not answer, and what opening the target raises (unknown serial, adb down)."""
    from harness.device.adb import Device, ensure_server
    home = home_of(spec.home)
    serial = getattr(spec.target, "serial", None)
    found = running_lab(home, serial) if serial else None
    if found is None:
        raise UsageError(f"no lab is running on {serial or 'this target'} under {home}",
                         fix="start one (`harness intercept --device SERIAL`) with the same HARNESS_HOME, "
                             "or open a lab of your own with open_lab")
    emit = spec.emit or (lambda stage, text: None)
    with contextlib.ExitStack() as stack:
        if spec.handle_signals:
            stack.enter_context(handled())
        root = Path(tempfile.mkdtemp(prefix="join-", dir=private_dir(home / "labs")))
        stack.callback(shutil.rmtree, root, True)
        attached = spec.target.open(stack, root, emit)
        device = Device(ensure_server(attached.server), attached.serial, attached.server)
        forwarder = EventForwarder(found)
        emit("join", f"joined the lab of pid {found.pid} on {found.serial}; its run {found.run_dir} records the events")
        lab = JoinedLab(found, device, attached, forwarder, home)
        ok = False
        try:
            yield lab
            ok = True
        finally:
            try:
                forwarder.close()
            except HarnessError:
                if ok:
                    raise
