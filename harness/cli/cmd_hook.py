"""``harness hook``: load Frida agents into an app and stream their events, one line each.

    harness hook --pid PID --agent tls-native
    harness hook --device SERIAL --package PKG --agent unpin --agent crypto
    harness hook --spawn /usr/bin/curl https://... --agent tls-native        (local programs)

With ``--device`` the hook runs in a lab (:mod:`harness.scenario.hook`): when a lab already runs
on the device (``harness intercept``, under the same HARNESS_HOME) it joins it and its events go
into that lab's run; otherwise it opens a lab of its own (the device journaled, its proxy and CA
set, restored at the end) recording flows and events into ``--out`` (default
HARNESS_HOME/runs/<id>). A program on this host (``--pid`` without ``--device``, ``--spawn``) is
hooked without a lab; ``--out`` then records the events into a new run store (contracts.md §1).
The command runs until the process exits (status 2 with the reason), ``--duration`` ends, or
Ctrl-C / SIGTERM / SIGHUP (whatever the process inherited; Frida is detached on every path;
exit 130, as every command stopped by a signal; 0 when ``--duration`` ended it).
Arguments (agents, configs, trigger map) are checked before the device is touched. A
virtual-handset app started with ``am start -D`` (waiting for a debugger) is released with
``am sim-release PKG`` once the agents are in, so they see its first request.
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path
from typing import Any

from harness.cli.argtypes import seconds
from harness.cli.context import Env
from harness.errors import UsageError
from harness.instrument.bundles import AGENT_NAMES
from harness.instrument.events import HookEvent
from harness.instrument.triggers import load_map
from harness.scenario.hook import FRIDA_KINDS, HookOptions, run_hook


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
    p.add_argument("--out", metavar="RUN_DIR", type=Path,
                   help="run directory: of the lab the hook opens (--device), or of the events alone "
                        "(a host program); refused while a lab runs on the device (its run gets them)")
    p.add_argument("--duration", type=seconds, metavar="SECONDS", help="stop after this long (seconds, above 0)")
    p.add_argument("--json", action="store_true", help="print each event as one JSON object")
    p.set_defaults(func=run)


def parse_configs(items: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        agent, dot, option = key.partition(".")
        if not sep or not dot or not agent or not option:
            raise UsageError(f"bad --config {item[:80]!r}", fix="write AGENT.KEY=VALUE, e.g. redirect.proxy_port=8081")
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


def format_event(event: HookEvent) -> str:
    """One console line: UTC time, step (``-``), type, ``pid=``/``tid=`` when known (a ``session:*``
    event has neither: they are left out, not shown as ``None``), payload fields, data."""
    when = datetime.datetime.fromtimestamp(event.timestamp, datetime.UTC).strftime("%H:%M:%S.%f")[:-3]
    ids = [f"{k}={v}" for k, v in (("pid", event.pid), ("tid", event.thread)) if v is not None]
    fields = [f"{k}={_short(v)}" for k, v in event.payload.items() if k != "stack"]
    data = f" data[{len(event.data)}]={_short(event.data)}" if event.data is not None else ""
    step = event.step_id or "-"
    return " ".join([when, step, event.type, *ids, *fields]) + data


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
    opts = HookOptions(agents=args.agent, configs=configs, pid=args.pid, package=args.package, spawn=args.spawn,
                       serial=args.device, adb=args.adb, frida=args.frida, frida_address=args.frida_address,
                       trigger_map=load_map(args.triggers) if args.triggers else None, out=args.out,
                       duration=args.duration)

    def show(event: HookEvent) -> None:
        env.out(json.dumps(event.to_json(), ensure_ascii=False) if args.json else format_event(event))

    return run_hook(opts, env.home, show, lambda line: env.err(f"harness: {line}"))
