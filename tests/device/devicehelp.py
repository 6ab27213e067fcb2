"""Helpers for the device tests: open a handset through the harness, and read the virtual
handset's state directly (not through the harness) to prove what restore did."""

from __future__ import annotations

import json
from pathlib import Path

from harness.device.adb import Device
from harness.sim.handset import VirtualHandset


def open_device(h: VirtualHandset) -> Device:
    return Device.open(h.serial)


# -- reading the handset's state directly (not through the harness) ---------------------------

def state_dir(h: VirtualHandset) -> Path:
    return Path(h.config.state_dir)


def sim_settings(h: VirtualHandset) -> dict:
    path = state_dir(h) / "settings.json"
    return json.loads(path.read_text()) if path.exists() else {}


def sim_runtime_mounts(h: VirtualHandset) -> list[dict]:
    return json.loads((state_dir(h) / "mounts.json").read_text())["mounts"]


def sim_file(h: VirtualHandset, device_path: str) -> Path:
    return state_dir(h) / "root" / device_path.lstrip("/")
