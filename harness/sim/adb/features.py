"""Which ``features=`` of the backend's banner the daemon may advertise.

The adb server switches protocols on these flags (``delayed_ack`` changes flow control,
``sendrecv_v2`` changes the sync messages, ``abb`` adds services), so advertising one this
daemon does not implement breaks the host in odd ways. Features are therefore filtered: the
protocol-level ones this daemon implements are kept, the personality-level ones (they only change
which shell commands adb runs) pass through, everything else is dropped and logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger("harness.sim.adb")

#: Implemented by this daemon.
DAEMON_FEATURES = frozenset({"shell_v2", "stat_v2", "ls_v2", "fixed_push_mkdir"})
#: Only change which shell commands the host runs; the personality answers those.
PERSONALITY_FEATURES = frozenset({"cmd", "apex", "remount_shell"})
SUPPORTED_FEATURES = DAEMON_FEATURES | PERSONALITY_FEATURES


@dataclass
class Banner:
    """A parsed ``device::key=value;...;features=a,b`` connection banner."""

    kind: str
    props: dict[str, str] = field(default_factory=dict)
    features: list[str] = field(default_factory=list)

    def encode(self) -> str:
        items = [f"{k}={v}" for k, v in self.props.items()]
        if self.features:
            items.append("features=" + ",".join(self.features))
        return f"{self.kind}::" + ";".join(items)


def parse_banner(text: str) -> Banner:
    kind, _, rest = text.partition(":")
    _, _, props_text = rest.partition(":")
    banner = Banner(kind=kind or "device")
    for item in props_text.split(";"):
        key, sep, value = item.partition("=")
        if not sep:
            continue
        if key == "features":
            banner.features = [f for f in value.split(",") if f]
        else:
            banner.props[key] = value
    return banner


def filter_banner(text: str) -> tuple[str, list[str]]:
    """Return the banner to send and the features removed from it."""
    banner = parse_banner(text)
    kept = [f for f in banner.features if f in SUPPORTED_FEATURES]
    dropped = [f for f in banner.features if f not in SUPPORTED_FEATURES]
    banner.features = kept
    return banner.encode(), dropped
