"""What a virtual vendor app put on screen: its ``I/Render`` log lines (docs/virtual-handset.md)."""

from __future__ import annotations

import json
from typing import Any

from harness.device.logcat import LogLine


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
