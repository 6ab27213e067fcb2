"""Reading the device log (``adb logcat -d``) through the device layer, as on a physical phone."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.device.adb import Device

_BRIEF = re.compile(r"^([VDIWEF])/(.+?)\(\s*(\d+)\): ?(.*)$")


@dataclass(frozen=True)
class LogLine:
    level: str
    tag: str
    pid: int
    message: str


def read_log(device: Device, tags: tuple[str, ...] = ()) -> list[LogLine]:
    """The device log (``logcat -d -v brief``), optionally only ``tags``."""
    spec = " ".join([*(shlex.quote(f"{t}:V") for t in tags), shlex.quote("*:S")]) if tags else ""
    text = device.sh(f"logcat -d -v brief {spec}".strip(), timeout=30, attempted="read logcat").stdout
    out = []
    for raw in text.splitlines():
        m = _BRIEF.match(raw)
        if m:
            out.append(LogLine(m.group(1), m.group(2).strip(), int(m.group(3)), m.group(4)))
    return out
