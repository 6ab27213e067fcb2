"""``harness hook`` on the lab: Frida agents in an app, their events streamed and recorded.

With a device (``serial``) the hook always runs in a lab of :mod:`harness.scenario`:

- **a lab already runs on the device** (``harness intercept``, a scenario, the demo, under the same
  ``HARNESS_HOME``): the hook *joins* it (:func:`harness.scenario.join.join_lab`): it does not take
  the device's journal lock, does not touch the proxy or the CA, and its agent events go into that
  lab's run store with the lab's current step;
- **no lab runs there**: the hook opens a full lab itself (:func:`harness.scenario.open_lab`: the
  device is journaled, its proxy pointed at a capture proxy, the harness CA installed, facts and
  logcat saved, everything restored at the end), so the app's flows and the agents' events land in
  one run store (``out``, default ``HARNESS_HOME/runs/<id>``).

Both reach Frida through the lab's target: the running virtual handset (its apps are host JVMs:
local Frida, ``am sim-release`` for an app waiting for a debugger) or a
:class:`~harness.scenario.PhoneTarget` (``usb``, ``remote``, ``forward``, or ``local``), whose adb
forwards are removed on every exit path. Without a device (a program on this host: ``pid`` or
``spawn``) there is nothing to prepare or restore, so no lab: local Frida, and with ``out`` a run
store of the hook's own.

Stop: the process exits (an error, with the reason; a spawned program ending is no error), the
``duration`` ends, or SIGINT/SIGTERM/SIGHUP (:func:`harness.scenario.signals.handled`, whatever
the process inherited); Frida is detached on every path.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, InstrumentError, UsageError
from harness.instrument.bundles import AGENT_NAMES
from harness.instrument.events import HookEvent
from harness.scenario.signals import EXIT_INTERRUPTED, StopGuard, handled
from harness.scenario.spec import LabSpec

#: how ``harness hook`` reaches Frida: ``auto`` picks ``local`` for a virtual-handset app (or no
#: device) and ``usb`` otherwise
FRIDA_KINDS = ("auto", "local", "usb", "remote", "forward")


@dataclass
class HookOptions:
    """What to hook: one of ``pid``, ``package`` (needs ``serial``) or ``spawn`` (an argv), and the
    agents (shipped names or .js/.ts paths) with their ``configs`` (agent -> option -> value)."""

    agents: list[str]
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    pid: int | None = None
    package: str | None = None
    spawn: list[str] | None = None
    serial: str | None = None
    adb: str | None = None
    frida: str = "auto"
    frida_address: str | None = None
    trigger_map: Any = None
    out: Path | None = None
    #: seconds, or None: until stopped
    duration: float | None = None


def hook_target(opts: HookOptions, home: Path, device: Any, pid: int | None) -> Any:
    """The lab target for the device: the running virtual handset when Frida is local and it is
    one, else a :class:`PhoneTarget` with the chosen transport. Refuses ``local`` for a pid that is
    not a virtual-handset app (a device's pid names a host process only there)."""
    from harness.scenario.target import PhoneTarget
    from harness.scenario.virtual import VirtualTarget, is_virtual_app

    virtual_app = pid is not None and is_virtual_app(pid, opts.package)
    kind = ("local" if virtual_app else "usb") if opts.frida == "auto" else opts.frida
    if kind == "local" and pid is not None and not virtual_app:
        raise InstrumentError(
            f"pid {pid} is not the virtual handset's app {opts.package or ''}".rstrip()
            + "; refusing to attach to a host process", serial=device.serial, attempted="attach locally",
            fix="use --frida usb/forward for a phone; for the virtual handset name a running app with --package")
    if kind == "local" and device.server.is_local:
        running = VirtualTarget.running(home, device.serial, opts.adb)
        if running is not None:
            return running
    return PhoneTarget(device.serial, adb=opts.adb, frida=kind, frida_address=opts.frida_address, home=home)


def run_hook(opts: HookOptions, home: Path, show: Callable[[HookEvent], None], say: Callable[[str], None]) -> int:
    """Hook as described in the module docstring; 0 when ``duration`` ended it or the spawned
    program exited, 130 when a stop signal ended it (README "Exit statuses"). ``show`` gets every
    event, ``say`` progress lines. Raises :class:`~harness.errors.HarnessError` (device unknown,
    app not running, attach failed, the process died, the joined lab ended) after cleaning up;
    what was recorded is kept (the run is closed ``incomplete``)."""
    from harness.device import apps
    from harness.device.adb import Device

    if opts.serial is None:
        with handled(raise_=False) as guard:
            return _on_host(opts, show, say, guard)
    device = Device.open(opts.serial, opts.adb)
    pid = opts.pid
    if opts.package:
        pids = apps.pid_of(device, opts.package)
        if not pids:
            raise InstrumentError(f"{opts.package} is not running", fix="start the app first",
                                  serial=device.serial, attempted="attach")
        pid = pids[0]
    target = hook_target(opts, home, device, pid)
    from harness.scenario import open_lab
    from harness.scenario.join import join_lab, running_lab

    emit = lambda stage, text: say(text)  # noqa: E731
    running = running_lab(home, device.serial)
    if running is not None and opts.out is not None:
        raise UsageError(f"a lab is running on {device.serial}, recording into {running.run_dir}",
                         fix="drop --out: the hook's events go into that lab's run")
    with handled(raise_=False) as guard:
        if running is not None:
            with join_lab(LabSpec(target, home=home, emit=emit, handle_signals=False)) as joined:
                code = _in_lab(joined, opts, pid, show, say, guard)
            say(f"events recorded into the run of the lab: {joined.run_dir}")
            return code
        spec = LabSpec(target, run_dir=opts.out, home=home, emit=emit, handle_signals=False,
                       meta={"kind": "hook", "agents": opts.agents, "package": opts.package})
        with open_lab(spec) as lab:
            code = _in_lab(lab, opts, pid, show, say, guard)
        say(f"run saved in {lab.run_dir}")
        return code


def _in_lab(lab: Any, opts: HookOptions, pid: int | None, show: Callable[[HookEvent], None],
            say: Callable[[str], None], guard: StopGuard) -> int:
    """Hook in an open :class:`~harness.scenario.Lab` or a :class:`~harness.scenario.join.JoinedLab`."""
    from harness.instrument.session import HookSession
    from harness.scenario.join import JoinedLab
    from harness.scenario.virtual import sim_release

    if isinstance(lab, JoinedLab):
        sinks, timeline = lab.sinks(), None  # the lab gives each event its current step
    else:
        sinks, timeline = lab._sinks(), lab.capture.timeline
    if opts.trigger_map is None and opts.package and "trigger" in opts.agents:
        opts.trigger_map = lab.attached.trigger_map(opts.package)  # the target's shipped map, if any
    release = sim_release(lab.device, opts.package, pid) if opts.package and pid is not None else None
    frida = lab.attached.frida_device(lab.device)
    with _keylog(opts, lab.run_dir) as keylog:
        sinks = [*sinks, *keylog, show]
        if opts.spawn:
            session = HookSession.spawn(frida, opts.spawn, serial=lab.serial, sinks=sinks, timeline=timeline)
        else:
            assert pid is not None, "one of pid, package or spawn"
            session = HookSession.attach(frida, pid, serial=lab.serial, sinks=sinks, timeline=timeline,
                                         release=release)
        return _hooked(session, opts, say, guard, lab.check)


def _on_host(opts: HookOptions, show: Callable[[HookEvent], None], say: Callable[[str], None],
             guard: StopGuard) -> int:
    """A program on this host: local Frida, and with ``out`` a run store of the hook's own."""
    from harness.instrument import devices
    from harness.instrument.session import HookSession, store_sink

    store = None
    if opts.out is not None:
        from harness.capture.store import RunStore

        store = RunStore.create(opts.out, meta={"tool": "harness hook", "agents": opts.agents,
                                                "target": {"pid": opts.pid, "spawn": opts.spawn}})
    status, reason = "complete", None
    try:
        with _keylog(opts, opts.out) as keylog:
            sinks = [*([store_sink(store)] if store is not None else []), *keylog, show]
            frida = devices.local_device()
            if opts.spawn:
                session = HookSession.spawn(frida, opts.spawn, sinks=sinks)
            else:
                assert opts.pid is not None, "one of pid, package or spawn"
                session = HookSession.attach(frida, opts.pid, sinks=sinks)
            return _hooked(session, opts, say, guard, lambda: None)
    except HarnessError as exc:
        status, reason = "incomplete", exc.reason
        raise
    finally:
        if store is not None:
            store.close(status, reason=reason)


@contextlib.contextmanager
def _keylog(opts: HookOptions, run_dir: Path | None) -> Any:
    """The NSS key log beside the run (docs/agents.md) when ``tls-keylog`` is loaded."""
    if run_dir is None or "tls-keylog" not in opts.agents:
        yield []
        return
    from harness.instrument.keylog import KEYLOG_FILE, KeyLogWriter

    writer = KeyLogWriter(Path(run_dir) / KEYLOG_FILE)
    try:
        yield [writer]
    finally:
        writer.close()


def _hooked(session: Any, opts: HookOptions, say: Callable[[str], None], guard: StopGuard,
            check: Callable[[], None]) -> int:
    """Load the agents, resume, and wait (bounded by ``duration``) for a stop, the process's end
    or ``check`` raising (the lab's: proxy stopped, device gone, the joined lab ended)."""
    with session:
        for agent in opts.agents:
            name = Path(agent).stem if agent not in AGENT_NAMES else agent
            session.load(agent, opts.configs.get(name))
        if opts.trigger_map is not None:
            session.load_triggers(opts.trigger_map)
        session.resume()
        say(f"hooked pid {session.pid} with {', '.join(session.agents)}; Ctrl-C to stop")
        deadline = time.monotonic() + opts.duration if opts.duration else None
        while (deadline is None or time.monotonic() < deadline) and not guard.is_set():
            if session.wait_detached(0.25):
                break
            check()
        if guard.is_set():
            say(f"stopping ({guard.name}); Frida detached")
        session.flush()
        if opts.spawn and session.detached_reason == "process-terminated":
            say(f"{opts.spawn[0]} exited")
            return 0
        session.check()
    if guard.is_set():  # stopped by a signal: 130, as every command (README "Exit statuses")
        return EXIT_INTERRUPTED
    return 0
