"""Which xdist worker this pytest process is and which serials ``--harness-target`` names.

``--harness-target S1,S2`` hands the i-th worker (``gw0``, ``gw1``, ...) the i-th serial; a
replacement of a crashed worker takes the dead one's index (``harness_index``, set by the plugin's
controller), so it drives the same device.
"""

from __future__ import annotations

import re

import pytest

from harness.errors import UsageError


def parse_target(value: str) -> list[str]:
    """``virtual`` -> ``[]``; ``S1,S2`` -> ``["S1", "S2"]``. Raises UsageError for an empty serial."""
    if value.strip() == "virtual":
        return []
    serials = [s.strip() for s in value.split(",")]
    if not all(serials) or "virtual" in serials:
        raise UsageError(f"--harness-target {value[:80]!r} is not 'virtual' nor a list of serials",
                         fix="give --harness-target virtual, or SERIAL, or SERIAL1,SERIAL2 (see `adb devices`)")
    return serials


def worker_of(config: pytest.Config) -> tuple[str, int, int]:
    """(worker name, index, worker count): ``("main", 0, 1)`` without xdist."""
    wi = getattr(config, "workerinput", None)
    if wi is None:
        return "main", 0, 1
    name = str(wi["workerid"])
    index = wi.get("harness_index")  # a replacement of a crashed worker takes the dead one's serial
    return name, int(index if index is not None else re.sub(r"\D", "", name) or 0), int(wi.get("workercount", 1))
