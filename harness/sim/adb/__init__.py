"""The virtual handset's ADB device daemon (see ``docs/virtual-handset.md``, "ADB daemon")."""

from harness.sim.adb.daemon import MODES, AdbDaemon
from harness.sim.adb.wire import AdbProtocolError

__all__ = ["MODES", "AdbDaemon", "AdbProtocolError"]
