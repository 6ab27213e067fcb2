"""The virtual vendor world: cloud services (TLS servers on loopback), world files and ground truth.

``World(load_world("ncsc-2021")).start()`` starts every service; see docs/virtual-handset.md.
"""

from harness.sim.world.config import WorldConfig, WorldFileError, load_world, parse_world
from harness.sim.world.truth import TruthLog, read_truth
from harness.sim.world.world import HOSTS, World

__all__ = ["HOSTS", "TruthLog", "World", "WorldConfig", "WorldFileError", "load_world", "parse_world", "read_truth"]
