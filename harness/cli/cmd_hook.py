"""``harness hook``: load Frida agents into an app and stream their events, one line each.

    harness hook --pid PID --agent tls-native
    harness hook --device SERIAL --package PKG --agent unpin --agent crypto --out RUN_DIR
    harness hook --spawn /usr/bin/curl https://... --agent tls-native        (local programs)

With ``--out`` the events are also recorded into a new run store (contracts.md §1). The command
runs until the process exits (status 2 with the reason), ``--duration`` ends, or Ctrl-C / SIGTERM /
SIGHUP (whatever the process inherited; Frida is detached on every path). Arguments (agents,
configs, trigger map) are checked before the device is touched; the device is reached through
``harness.device`` (``--adb`` for a remote adb server).
A virtual-handset app started with ``am start -D`` (waiting for a debugger) is released with
``am sim-release PKG`` once the agents are in, so they see its first request.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
import time
from pathlib import Path
from typing import Any

from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.device import apps
from harness.device.adb import Device
from harness.errors import HarnessError, InstrumentError, UsageError
from harness.instrument import devices
from harness.instrument.bundles import AGENT_NAMES
from harness.instrument.events import HookEvent
from harness.instrument.session import HookSession, store_sink
from harness.instrument.triggers import builtin_map, load_map
from harness.scenario.signals import handled

FRIDA_KINDS = ("auto", "local", "usb", "remote", "forward")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "hook", help="load Frida agents into an app and stream their events",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--pid", type=int, help="attach to this process (on this host, or with --device)")
    target.add_argument("--package", help="attach to the running app PKG on --device (pid via adb pidof)")
    target.add_argument("--spawn", nargs=argparse.REMAINDER, metavar="PROGRAM",
                        help="start PROGRAM suspended, hook it, then let it run (must come last)")
    p.add_argument("--device", metavar="SERIAL", help="adb serial of the handset")
    p.add_argument("--adb", metavar="HOST:PORT", help="the adb server of the handset (default: the local one)")
    p.add_argument("--agent", action="append", required=True, metavar="AGENT",
                   help=f"agent to load: {', '.join(AGENT_NAMES)} or a .js/.ts file (repeatable)")
    p.add_argument("--config", action="append", default=[], metavar="AGENT.KEY=JSON",
                   help="agent option, e.g. redirect.proxy_port=8081 or crypto.max_bytes=4096 (repeatable)")
    p.add_argument("--triggers", metavar="FILE", help="trigger map (JSON/YAML) to check against the app")
    p.add_argument("--frida", choices=FRIDA_KINDS, default="auto",
                   help="how to reach Frida: local (this host, the virtual handset), usb, remote "
                        "(--frida-address), forward (adb forward to frida-server); auto picks one")
    p.add_argument("--frida-address", metavar="HOST:PORT", help="frida-server address for --frida remote")
    p.add_argument("--out", metavar="RUN_DIR", type=Path, help="also record the events into a new run store")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this long")
    p.add_argument("--json", action="store_true", help="print each event as one JSON object")
    p.set_defaults(func=run)


def parse_configs(items: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        agent, dot, option = key.partition(".")
        if not sep or not dot or not agent or not option:
            raise UsageError(f"bad --config {item!r}", fix="write AGENT.KEY=VALUE, e.g. redirect.proxy_port=8081")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        out.setdefault(agent, {})[option] = value
    return out


def check_agents(agents: list[str]) -> None:
    """Every ``--agent`` is a shipped agent or an existing .js/.ts file (before any device is touched)."""
    for agent in agents:
        if agent in AGENT_NAMES:
            continue
        path = Path(agent)
        if path.suffix not in (".js", ".ts") or not path.is_file():
            raise UsageError(f"unknown agent {agent[:80]!r}",
                             fix=f"use one of {', '.join(AGENT_NAMES)} or the path of a .js/.ts agent file")


def _pidof(device: Device):
    def pidof(package: str) -> int | None:
        pids = apps.pid_of(device, package)
        return pids[0] if pids else None

    return pidof


def _host_argv(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def _is_virtual_app(pid: int, package: str | None) -> bool:
    """The virtual handset's apps are host JVMs started with ``-Dvapp.package=PKG`` (contracts.md §2)."""
    wanted = f"-Dvapp.package={package}".encode() if package else b"-Dvapp.package="
    return any(a.startswith(wanted) for a in _host_argv(pid))


def _sim_release(device: Device, package: str, pid: int):
    """For a virtual-handset app started with ``am start -D`` (it waits for a debugger), the
    ``release`` that lets it run once the agents are in (``am sim-release PKG``); else None."""
    if not _is_virtual_app(pid, package) or b"-Dvapp.waitForDebugger=true" not in _host_argv(pid):
        return None

    def release() -> None:
        res = device.sh(f"am sim-release {shlex.quote(package)}", timeout=10, attempted="release wait-for-debugger")
        if not res.ok:
            raise InstrumentError(f"am sim-release {package} failed: {res.text.strip()[:200]}", serial=device.serial,
                                  attempted="release wait-for-debugger", fix="is the app still running?")

    return release


def _tracked_forward(device: Device, made: list[int]):
    """``forward(remote_port) -> local port`` through adb; each local port is appended to ``made``
    so the caller removes it in ``finally`` (issue 11 item 6)."""
    def forward(remote_port: int) -> int:
        local = device.forward(remote_port)
        made.append(local)
        return local

    return forward


def _remove_forwards(device: Device | None, made: list[int]) -> None:
    for local in made:
        assert device is not None
        try:
            device.forward_remove(local)
        except HarnessError:  # a lost device took its forwards with it
            pass


def _frida_device(args: argparse.Namespace, pid: int | None, device: Device | None, home: Path,
                  forwards: list[int]) -> Any:
    kind = args.frida
    if kind == "auto":
        if args.device is None:
            kind = "local"
        elif pid is not None and _is_virtual_app(pid, args.package):
            kind = "local"
        else:
            kind = "usb"
    if kind == "local" and args.device is not None and pid is not None and not _is_virtual_app(pid, args.package):
        # a pid from a device names a host process only for the virtual handset's apps
        raise InstrumentError(
            f"pid {pid} is not the virtual handset's app {args.package or ''}".rstrip()
            + "; refusing to attach to a host process", serial=args.device, attempted="attach locally",
            fix="use --frida usb/forward for a phone; for the virtual handset name a running app with --package")
    forward = _tracked_forward(device, forwards) if device is not None else None
    port, token = devices.FRIDA_SERVER_PORT, None
    if kind == "forward" and args.device:
        from harness.device.frida_server import running_server

        port, token = running_server(home, args.device)
    return devices.resolve(kind, serial=args.device, address=args.frida_address, forward=forward,
                           server_port=port, token=token)


def format_event(event: HookEvent) -> str:
    when = datetime.datetime.fromtimestamp(event.timestamp, datetime.UTC).strftime("%H:%M:%S.%f")[:-3]
    fields = " ".join(f"{k}={_short(v)}" for k, v in event.payload.items() if k != "stack")
    data = f" data[{len(event.data)}]={_short(event.data)}" if event.data is not None else ""
    step = event.step_id or "-"
    return f"{when} {step} {event.type} pid={event.pid} tid={event.thread} {fields}{data}".rstrip()


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, bytes):
        text = repr(value)[2:-1]
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run(args: argparse.Namespace, env: Env) -> int:
    # every argument is checked before the device is touched (issue 10.19)
    configs = parse_configs(args.config)
    if args.package and not args.device:
        raise UsageError("--package needs --device SERIAL", fix="add --device (see `adb devices`)")
    if args.spawn is not None and not args.spawn:
        raise UsageError("--spawn needs a program", fix="e.g. --spawn /usr/bin/curl https://example.test")
    check_agents(args.agent)
    if args.frida == "remote" and not args.frida_address:
        raise UsageError("--frida remote needs --frida-address HOST:PORT", fix="e.g. --frida-address 10.0.0.7:27042")
    if args.duration is not None and args.duration <= 0:
        raise UsageError(f"--duration must be positive, got {args.duration:g}", fix="e.g. --duration 30")
    trigger_map = load_map(args.triggers) if args.triggers else None
    device = Device.open(args.device, args.adb) if args.device else None
    with handled(raise_=False) as guard:
        return _hook(args, env, configs, trigger_map, device, guard)


def _hook(args: argparse.Namespace, env: Env, configs: dict[str, dict[str, Any]], trigger_map: Any,
          device: Device | None, guard: Any) -> int:
    pid = args.pid
    if args.package:
        assert device is not None
        pid = _pidof(device)(args.package)
        if pid is None:
            raise InstrumentError(f"{args.package} is not running", fix="start the app first",
                                  serial=args.device, attempted="attach")
        if trigger_map is None and "trigger" in args.agent:
            trigger_map = builtin_map(args.package)
    forwards: list[int] = []
    try:
        return _hook_session(args, env, configs, trigger_map, device, guard, pid,
                             _frida_device(args, pid, device, env.home, forwards))
    finally:
        _remove_forwards(device, forwards)


def _hook_session(args: argparse.Namespace, env: Env, configs: dict[str, dict[str, Any]], trigger_map: Any,
                  device: Device | None, guard: Any, pid: int | None, frida_device: Any) -> int:

    store = None
    if args.out:
        from harness.capture.store import RunStore

        store = RunStore.create(args.out, meta={"tool": "harness hook", "agents": args.agent,
                                                "target": {"pid": pid, "package": args.package,
                                                           "spawn": args.spawn, "device": args.device}})
    sinks = [store_sink(store)] if store is not None else []
    if store is not None and "tls-keylog" in args.agent:  # the NSS key log beside the run (docs/agents.md)
        from harness.instrument.keylog import KEYLOG_FILE, KeyLogWriter

        sinks.append(KeyLogWriter(Path(args.out) / KEYLOG_FILE))

    def show(event: HookEvent) -> None:
        env.out(json.dumps(event.to_json(), ensure_ascii=False) if args.json else format_event(event))

    status, reason = "complete", None
    try:
        if args.spawn:
            session = HookSession.spawn(frida_device, args.spawn, serial=args.device, sinks=[*sinks, show])
        else:
            assert pid is not None, "argparse requires --pid, --package or --spawn"
            release = _sim_release(device, args.package, pid) if args.package and device is not None else None
            session = HookSession.attach(frida_device, pid, serial=args.device, sinks=[*sinks, show],
                                         release=release)
        with session:
            for agent in args.agent:
                name = Path(agent).stem if agent not in AGENT_NAMES else agent
                session.load(agent, configs.get(name))
            if trigger_map is not None:
                session.load_triggers(trigger_map)
            session.resume()
            env.err(f"harness: hooked pid {session.pid} with {', '.join(session.agents)}; Ctrl-C to stop")
            deadline = time.monotonic() + args.duration if args.duration else None
            while (deadline is None or time.monotonic() < deadline) and not guard.is_set():
                if session.wait_detached(0.25):
                    break
            if guard.is_set():
                env.err(f"harness: stopping ({guard.name}); Frida detached")
            session.flush()
            if args.spawn and session.detached_reason == "process-terminated":
                env.err(f"harness: {args.spawn[0]} exited")
                return int(ExitStatus.OK)
            session.check()
        return int(ExitStatus.OK)
    except HarnessError as exc:
        status, reason = "incomplete", exc.reason
        raise
    finally:
        if store is not None:
            store.close(status, reason=reason)
