"""Reading the device log through the device layer (``adb logcat -d``), as on a physical phone."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


def renders(lines: list[LogLine], package: str, subject: str | None = None) -> list[dict[str, Any]]:
    """What an app put on screen: the JSON of its ``I/Render`` lines (docs/virtual-handset.md)."""
    out = []
    for line in lines:
        if line.tag != "Render":
            continue
        try:
            doc = json.loads(line.message)
        except ValueError:
            continue
        if isinstance(doc, dict) and doc.get("pkg") == package and (subject is None or doc.get("subject") == subject):
            out.append(doc)
    return out
