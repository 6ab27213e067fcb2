"""Which virtual vendor world, if any, runs with the device ``harness intercept`` was given.

``harness sim start --world W`` records the running handset in ``HARNESS_HOME/sim/NAME/handset.json``
with its adb serial and the world's state folder. The device is matched by that serial only (never
guessed from a port); a physical phone or a handset without a world has no world.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.sim import service
from harness.sim.world.attached import WorldFiles


@dataclass(frozen=True)
class HandsetWorld:
    """A world running with a virtual handset in another process."""

    name: str
    serial: str
    #: the handset's folder (``HARNESS_HOME/sim/NAME``)
    sim_folder: Path
    files: WorldFiles


def world_for_serial(home: Path, serial: str) -> HandsetWorld | None:
    """The world of the running virtual handset whose adb serial is ``serial``, or None.

    Raises :class:`~harness.errors.SimError` when the handset names a world whose files are gone.
    """
    root = Path(home) / "sim"
    if not root.is_dir():
        return None
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        record = service.status(folder)  # None for a stopped handset (its stale record is removed)
        if record is None or record.serial != serial or not record.world:
            continue
        return HandsetWorld(name=str(record.world.get("name", "?")), serial=serial, sim_folder=folder,
                            files=WorldFiles.open(record.world["state_dir"]))
    return None
