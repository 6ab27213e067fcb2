"""The Android personality of the virtual handset: shell, filesystem, packages, app host."""

from harness.sim.android.device import AndroidDevice, DeviceConfig

__all__ = ["AndroidDevice", "DeviceConfig"]
