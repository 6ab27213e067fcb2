"""A Frida session on one app process: agents in, events out, cleanup on every exit path.

Events leave Frida's thread at once: the message callback only stamps the scenario step (from the
timeline, when the host *receives* the message) and puts the message on a queue; a consumer thread
turns it into a :class:`~harness.instrument.events.HookEvent`, keeps it in memory and hands it to
the sinks (e.g. the run store). A process that dies or a device that goes away ends the session:
the next call raises :class:`~harness.errors.InstrumentError`, and what was recorded stays.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import frida

from harness.errors import InstrumentError
from harness.instrument.attach import agent_source, attach_pid, kill_pid
from harness.instrument.bounded import in_thread, with_cancel
from harness.instrument.bundles import JAVA_AGENTS, JAVA_BUNDLE, load_bundle
from harness.instrument.events import HookEvent, session_event
from harness.instrument.pump import EventPump, EventSink, store_sink
from harness.instrument.triggers import TriggerMap

log = logging.getLogger(__name__)

__all__ = ["EventSink", "HookSession", "LoadedAgent", "StepSource", "store_sink"]

#: ``pidof(package) -> pid or None``, supplied by the device layer
PidOf = Callable[[str], int | None]


class StepSource(Protocol):
    """What the session needs of a timeline: the current step id (``harness.capture.timeline.Timeline``)."""

    @property
    def current(self) -> str | None: ...


@dataclass
class LoadedAgent:
    name: str
    script: Any  # frida.core.Script
    hooks: list[str] = field(default_factory=list)



#: the fix of frida's "need Gadget to attach on jailed Android": Frida reached a device without a
#: frida-server that can spawn apps (a virtual handset's apps run on this host: Frida's local device)
GADGET_FIX = ("on a virtual handset use --frida local (harness run) or --harness-frida local (pytest); on a "
              "phone start frida-server as root (`harness doctor` says how) or give --frida remote/forward")


class HookSession:
    """Agents loaded into one process. Use the constructors :meth:`attach`, :meth:`attach_package`
    and :meth:`spawn`, and close it (or use ``with``)."""

    def __init__(
        self,
        device: Any,
        pid: int,
        frida_session: Any,
        *,
        timeline: StepSource | None = None,
        sinks: Iterable[EventSink] = (),
        serial: str | None = None,
        spawned: bool = False,
        release: Callable[[], None] | None = None,
        timeout: float = 15.0,
        keep_events: int = 100_000,
    ) -> None:
        self.device = device
        self.pid = pid
        self.serial = serial
        self.timeout = timeout
        self.timeline = timeline
        #: loaded agents by name (the Java agents share one script)
        self.agents: dict[str, LoadedAgent] = {}
        self._scripts: dict[str, LoadedAgent] = {}
        self._session = frida_session
        self._spawned = spawned
        self._release = release
        self._resumed = not spawned and release is None
        self._detached: str | None = None
        self._closed = False
        self._pump = EventPump(pid, sinks, lambda: self._detached_error() if self._detached is not None else None,
                               keep_events=keep_events)
        frida_session.on("detached", self._on_detached)

    # ---- constructors -------------------------------------------------------------------------

    @classmethod
    def attach(cls, device: Any, pid: int, *, timeout: float = 15.0, serial: str | None = None,
               **kwargs: Any) -> HookSession:
        """Attach to a running process by pid."""
        if not isinstance(pid, int) or pid <= 0:
            raise InstrumentError(f"bad pid {pid!r}", fix="give the pid of a running process", serial=serial)
        session = attach_pid(device, pid, timeout, serial)
        return cls(device, pid, session, timeout=timeout, serial=serial, **kwargs)

    @classmethod
    def attach_package(cls, device: Any, package: str, pidof: PidOf, *, wait: float = 10.0,
                       release: Callable[[], None] | None = None, timeout: float = 15.0,
                       serial: str | None = None, **kwargs: Any) -> HookSession:
        """Attach to an app by package name, waiting up to ``wait`` seconds for it to run.

        ``release`` ends the app's wait-for-debugger when :meth:`resume` is called (the virtual
        handset: the app was started with ``am start -D`` and is released by ``am sim-release PKG``).
        """
        deadline = time.monotonic() + wait
        pid = pidof(package)
        while pid is None and time.monotonic() < deadline:
            time.sleep(0.2)
            pid = pidof(package)
        if pid is None:
            raise InstrumentError(
                f"{package} is not running (no pid after {wait:g}s)",
                fix="start the app first, or use spawn", serial=serial, attempted="attach",
            )
        session = attach_pid(device, pid, timeout, serial)
        return cls(device, pid, session, timeout=timeout, serial=serial, release=release, **kwargs)

    @classmethod
    def spawn(cls, device: Any, program: str | Sequence[str], *, timeout: float = 15.0,
              serial: str | None = None, **kwargs: Any) -> HookSession:
        """Start a program (a package name on a phone, an argv on the local device) suspended.

        Load the agents, then call :meth:`resume`. A spawned process that was never resumed is
        killed on :meth:`close`.
        """
        argv = [program] if isinstance(program, str) else list(program)
        try:
            pid = with_cancel(lambda: device.spawn(argv), timeout,
                              "spawn", serial=serial)
        except (frida.ExecutableNotFoundError, frida.NotSupportedError, frida.PermissionDeniedError,
                frida.InvalidArgumentError) as exc:
            raise InstrumentError(f"cannot spawn {argv[0]}: {exc}", serial=serial, attempted="spawn",
                                  fix=GADGET_FIX if "Gadget" in str(exc) else None) from None
        try:
            session = attach_pid(device, pid, timeout, serial)
        except InstrumentError:
            kill_pid(device, pid)
            raise
        return cls(device, pid, session, timeout=timeout, serial=serial, spawned=True, **kwargs)

    # ---- agents -------------------------------------------------------------------------------

    def load(self, agent: str | Path, config: dict[str, Any] | None = None) -> LoadedAgent:
        """Load a shipped agent by name, or your own ``.js``/``.ts`` file, and run its ``init(config)``.

        The Java agents (unpin, crypto, trigger) share one script per process (one Java bridge);
        loading a second one enables it in that script.
        """
        self.check()
        if isinstance(agent, str) and agent in JAVA_AGENTS:
            if agent in self.agents:
                raise InstrumentError(f"agent {agent} is already loaded", attempted="load agent")
            shared = self._scripts.get(JAVA_BUNDLE) or self._load_script(JAVA_BUNDLE, load_bundle(JAVA_BUNDLE).source)
            result = self._rpc(shared, "enable", agent, config or {})
            loaded = LoadedAgent(name=agent, script=shared.script, hooks=list(result.get("hooks", [])))
        else:
            name, source = agent_source(agent)
            if name in self.agents:
                raise InstrumentError(f"agent {name} is already loaded", attempted="load agent")
            loaded = self._load_script(name, source)
            exports = self._rpc(loaded, "list_exports_sync")
            if "init" in exports:
                result = self._rpc(loaded, "init", config or {})
                if isinstance(result, dict):
                    loaded.hooks = list(result.get("hooks", []))
        self.agents[loaded.name] = loaded
        self._pump.event(session_event("session:agent-loaded", self._step(), agent=loaded.name,
                                       hooks=loaded.hooks, config=config or {}))
        return loaded

    def _load_script(self, name: str, source: str) -> LoadedAgent:
        try:
            script = with_cancel(lambda: self._session.create_script(source, name=name), self.timeout,
                                 f"create script {name}", serial=self.serial)
        except (frida.InvalidArgumentError, frida.InvalidOperationError) as exc:
            self.check()
            raise InstrumentError(
                f"agent {name} cannot be loaded: {exc}", fix="fix the agent source", attempted="load agent",
                serial=self.serial,
            ) from None
        script.on("message", lambda message, data: self._on_message(name, message, data))
        script.set_log_handler(lambda level, text: self._pump.log_line(name, level, text, self._step()))
        try:
            with_cancel(lambda: script.load(), self.timeout, f"load {name}", serial=self.serial)
        except (frida.InvalidArgumentError, frida.InvalidOperationError) as exc:
            self.check()
            raise InstrumentError(f"agent {name} failed to start: {exc}", attempted="load agent",
                                  serial=self.serial) from None
        loaded = LoadedAgent(name=name, script=script)
        self._scripts[name] = loaded
        return loaded

    def call(self, agent: str, method: str, *args: Any, timeout: float | None = None) -> Any:
        """Call an RPC export of a loaded agent (bounded by ``timeout``)."""
        self.check()
        loaded = self.agents.get(agent)
        if loaded is None:
            raise InstrumentError(f"agent {agent} is not loaded", fix=f"load it first (loaded: {sorted(self.agents)})")
        return self._rpc(self._scripts[JAVA_BUNDLE] if agent in JAVA_AGENTS else loaded, method, *args,
                         timeout=timeout)

    def _rpc(self, loaded: LoadedAgent, method: str, *args: Any, timeout: float | None = None) -> Any:
        script = loaded.script
        if method == "list_exports_sync":
            fn = script.list_exports_sync
        else:
            fn = getattr(script.exports_sync, method)
        what = f"{loaded.name}.{method}"
        try:
            return in_thread(lambda: fn(*args), timeout or self.timeout, what, serial=self.serial)
        except frida.core.RPCException as exc:
            raise InstrumentError(f"{what} failed in the agent: {exc}", attempted=what, serial=self.serial) from None
        except frida.InvalidOperationError as exc:
            self.check()
            raise InstrumentError(f"{what}: {exc}", attempted=what, serial=self.serial) from None

    # ---- triggers ---------------------------------------------------------------------------

    def load_triggers(self, trigger_map: TriggerMap) -> None:
        """Load the trigger agent (once) and check that every action of the map resolves in the app:
        a missing class, method or overload raises InstrumentError naming all of them."""
        if "trigger" not in self.agents:
            self.load("trigger")
        specs = []
        for action in trigger_map.actions.values():
            spec = action.spec({p: None for p in action.parameters()})
            specs.append(spec)
        problems = self.call("trigger", "check", specs)
        bad = [f"{name}: {problem}" for name, problem in zip(trigger_map.actions, problems, strict=True) if problem]
        if bad:
            raise InstrumentError(
                f"trigger map {trigger_map.source or trigger_map.package} does not fit the app: " + "; ".join(bad),
                fix="fix the class/method names in the map (they are case-sensitive, inner classes use $)",
                serial=self.serial, attempted="load triggers",
            )

    def trigger(self, trigger_map: TriggerMap, action: str, timeout: float | None = None, **params: Any) -> Any:
        """Run one action of the app's trigger map (e.g. ``trigger(m, "search", query="...")``)."""
        spec = trigger_map.action(action).spec(params)
        if "trigger" not in self.agents:
            self.load_triggers(trigger_map)
        return self.call("trigger", "call", spec, timeout=timeout)

    def resume(self) -> None:
        """Let a spawned (or wait-for-debugger) app run, once the agents are in."""
        self.check()
        if self._resumed:
            return
        if self._release is not None:
            self._release()
        else:
            with_cancel(lambda: self.device.resume(self.pid), self.timeout,
                        "resume", serial=self.serial)
        self._resumed = True

    # ---- events -------------------------------------------------------------------------------

    def add_sink(self, sink: EventSink) -> None:
        self._pump.add_sink(sink)

    def events(self, type_: str | None = None) -> list[HookEvent]:
        """The events received so far (of ``type_``), oldest first."""
        return self._pump.events(type_)

    def wait_for(self, type_: str, predicate: Callable[[HookEvent], bool] | None = None,
                 timeout: float = 10.0) -> HookEvent:
        """The first event of ``type_`` (matching ``predicate``), waiting up to ``timeout`` seconds."""
        return self._pump.wait_for(type_, predicate, timeout, serial=self.serial)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait (``timeout`` s in all) until every message the agents sent before this call reached
        the sinks, stamped with the step current now: an RPC round trip to each script (Frida
        delivers a script's ``send()`` messages and RPC replies in order on one channel), then the
        pump's barrier; else a message in flight would carry the next step. No round trip once
        detached. Raises InstrumentError when a live script does not answer (pump flushed anyway)."""
        deadline = time.monotonic() + timeout
        failed: InstrumentError | None = None
        for loaded in list(self._scripts.values()):
            if self._detached is not None:
                break
            try:
                self._rpc(loaded, "list_exports_sync", timeout=max(0.1, deadline - time.monotonic()))
            except InstrumentError as exc:  # what arrived is still delivered below
                failed = failed or exc
        self._pump.flush(max(0.1, deadline - time.monotonic()))
        if failed is not None and self._detached is None:
            raise failed

    # ---- state --------------------------------------------------------------------------------

    @property
    def detached_reason(self) -> str | None:
        return self._detached

    def check(self) -> None:
        """Raise InstrumentError if the process or device went away, or a sink failed."""
        if self._pump.sink_errors:
            exc = self._pump.sink_errors[0]
            raise InstrumentError(f"recording agent events failed: {exc}", attempted="record event",
                                  serial=self.serial) from exc
        if self._detached is not None:
            raise self._detached_error()

    def wait_detached(self, timeout: float) -> bool:
        with self._pump.cond:
            return self._pump.cond.wait_for(lambda: self._detached is not None, timeout)

    def close(self) -> None:
        """Unload agents, detach, drain events into the sinks. Safe to call twice, on any path."""
        if self._closed:
            return
        self._closed = True
        if self._detached is None:
            java = self._scripts.pop(JAVA_BUNDLE, None)
            if java is not None:
                self._retire_java(java)
            for loaded in list(self._scripts.values()):
                try:
                    with_cancel(lambda s=loaded.script: s.unload(), 5.0,
                                f"unload {loaded.name}", serial=self.serial)
                except (InstrumentError, frida.InvalidOperationError) as exc:
                    log.debug("unload %s: %s", loaded.name, exc)
            try:
                with_cancel(lambda: self._session.detach(), 5.0, "detach",
                            serial=self.serial)
            except (InstrumentError, frida.InvalidOperationError) as exc:
                log.debug("detach: %s", exc)
            if self._spawned and not self._resumed:
                kill_pid(self.device, self.pid)
        self._pump.stop(10.0)

    def _retire_java(self, java: LoadedAgent, timeout: float = 10.0) -> None:
        """Take the Java hooks out of service without reverting or unloading them (issue 16).

        Both crashed HotSpot 17 under load (tests/instrument/test_detach.py): unloading the script
        frees the replacements' code while app threads are inside or on their way into them
        (SIGSEGV in a hooked ``Cipher.init`` after detach), and reverting a method and replacing it
        again in a later session made the "original" resolve to the replacement (endless
        ``Cipher.init -> call_stub -> Cipher.init`` until the stack ran out). So the replacements
        stay, as pass-throughs to the original methods; the calls in flight are waited for (their
        events still arrive), and the script is *eternalized*: it stays in the process, idle, and
        a later session's hooks stack on top. The cost is one idle script per detach.
        """
        try:
            self._rpc(java, "deactivate", timeout=timeout)
            deadline = time.monotonic() + timeout
            while self._rpc(java, "inflight", timeout=timeout) != 0 and time.monotonic() < deadline:
                time.sleep(0.02)
            with_cancel(lambda: java.script.eternalize(), timeout, "eternalize java", serial=self.serial)
        except (InstrumentError, frida.InvalidOperationError) as exc:  # the process went away meanwhile
            log.debug("retire java agents: %s", exc)

    def __enter__(self) -> HookSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- Frida callbacks (Frida's thread: enqueue only) ---------------------------------------

    def _step(self) -> str | None:
        timeline = self.timeline
        if timeline is None:
            return None
        try:
            return timeline.current
        except Exception:  # a broken timeline must not lose the event
            return None

    def _on_message(self, agent: str, message: Any, data: bytes | None) -> None:
        if agent == JAVA_BUNDLE:  # the shared Java script: the event's namespace names the agent
            body = message.get("payload") if isinstance(message, dict) else None
            kind = body.get("type") if isinstance(body, dict) else None
            namespace = kind.split(":", 1)[0] if isinstance(kind, str) else None
            agent = namespace if namespace in JAVA_AGENTS else JAVA_BUNDLE
        self._pump.message(agent, message, data, self._step())

    def _on_detached(self, reason: Any, crash: Any = None) -> None:
        text = str(getattr(reason, "value", reason))
        crash_summary = None
        if crash is not None:
            crash_summary = getattr(crash, "summary", None) or str(crash)
        self._pump.event(session_event("session:detached", self._step(), reason=text, crash=crash_summary))
        with self._pump.cond:
            self._detached = text
            self._pump.cond.notify_all()

    def _detached_error(self) -> InstrumentError:
        reason = self._detached or "unknown"
        if reason in ("process-terminated", "process-replaced"):
            problem = f"process {self.pid} exited ({reason})"
            fix = "see the run's events for what was recorded; restart the app and attach again"
        elif reason in ("connection-terminated", "device-lost"):
            problem = f"the device went away ({reason})"
            fix = "reconnect the device (adb devices) and start a new session"
        else:
            problem = f"the Frida session ended ({reason})"
            fix = "start a new session"
        return InstrumentError(problem, fix=fix, serial=self.serial, attempted=f"instrument pid {self.pid}")
