"""instrument layer: Frida sessions, agent bundles, the agent message protocol, RPC triggers.

    from harness.instrument import HookSession, store_sink, load_map
    with HookSession.attach(frida.get_local_device(), pid, timeline=tl, sinks=[store_sink(store)]) as s:
        s.load("unpin"); s.load("crypto")
        s.trigger(load_map("trigger.json"), "search", query="...")

The agents and their events are documented in ``docs/agents.md``.
"""

from harness.instrument.bundles import AGENT_NAMES, JAVA_AGENTS
from harness.instrument.events import HookEvent
from harness.instrument.keylog import KEYLOG_FILE, KeyLogWriter
from harness.instrument.session import HookSession, LoadedAgent, store_sink
from harness.instrument.triggers import TriggerAction, TriggerMap, builtin_map, load_map, parse_map

__all__ = [
    "AGENT_NAMES",
    "JAVA_AGENTS",
    "HookEvent",
    "HookSession",
    "KEYLOG_FILE",
    "KeyLogWriter",
    "LoadedAgent",
    "TriggerAction",
    "TriggerMap",
    "builtin_map",
    "load_map",
    "parse_map",
    "store_sink",
]
