"""The virtual handset as a target: the only module of the scenario layer that imports ``harness.sim``.

``VirtualTarget(world, personality)`` starts the virtual vendor world (TLS servers on loopback,
their geo table, the ground-truth log) and a virtual handset living in it, attaches it to the adb
server, and gives the lab what a phone cannot: world routing for the proxy (a resolver addon and
upstream trust in the world CA), the world's geo table, local Frida attach (the handset's apps are
host JVMs), ``am start -D`` + ``am sim-release`` so agents see an app's first request, the
shipped trigger maps, and the world's truth log as evidence. :func:`is_virtual_app` tells a
handset app's host pid (``harness hook --pid`` refuses any other host process) and
:func:`sim_release` releases an app already waiting for a debugger. ``VirtualTarget.running(home, serial)``
is the same for a handset already started by ``harness sim start --world W``.
"""

from __future__ import annotations

import contextlib
import random
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.scenario.spec import DEFAULT_WORLD
from harness.scenario.target import Attached

if TYPE_CHECKING:
    from harness.device.adb import Device

#: the virtual handset's personality: a Xiaomi Mi 10T-like phone on Android 10 (MIUI 12)
PERSONALITY = "miui-android10"
PROFILE = "virtual-vendor"


def imei(rng: random.Random) -> str:
    """A Luhn-valid 15-digit IMEI (TAC prefix 86: a Xiaomi-like range) for the virtual radio."""
    digits = [8, 6] + [rng.randint(0, 9) for _ in range(12)]
    total = 0
    for i, d in enumerate(digits):
        if i % 2 == 1:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _local_frida(device: Device) -> Any:
    from harness.instrument.devices import local_device

    return local_device()


def _start_suspended(device: Device, package: str, activity: str | None) -> Callable[[], None]:
    from harness.device import apps

    apps.launch(device, package, activity, wait=False, debug=True)

    def release() -> None:
        device.sh(f"am sim-release {shlex.quote(package)}", check=True, attempted="release wait-for-debugger")

    return release


def _host_argv(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def is_virtual_app(pid: int, package: str | None) -> bool:
    """The virtual handset's apps are host JVMs started with ``-Dvapp.package=PKG`` (contracts.md §2)."""
    wanted = f"-Dvapp.package={package}".encode() if package else b"-Dvapp.package="
    return any(a.startswith(wanted) for a in _host_argv(pid))


def sim_release(device: Device, package: str, pid: int) -> Callable[[], None] | None:
    """For a virtual-handset app started with ``am start -D`` (it waits for a debugger), the
    ``release`` that lets it run once the agents are in (``am sim-release PKG``); else None."""
    if not is_virtual_app(pid, package) or b"-Dvapp.waitForDebugger=true" not in _host_argv(pid):
        return None

    def release() -> None:
        from harness.errors import InstrumentError

        res = device.sh(f"am sim-release {shlex.quote(package)}", timeout=10, attempted="release wait-for-debugger")
        if not res.ok:
            raise InstrumentError(f"am sim-release {package} failed: {res.text.strip()[:200]}", serial=device.serial,
                                  attempted="release wait-for-debugger", fix="is the app still running?")

    return release


def _trigger_map(package: str) -> Any:
    from harness.instrument.triggers import builtin_map

    return builtin_map(package)


def _keep_world(store: Any, truth_log: Path) -> None:
    """At the end of the run: the world's ground truth (what its apps did), complete by then."""
    if Path(truth_log).is_file():
        store.add_artifact("world-truth.jsonl", Path(truth_log), kind="ground_truth")


def _keep_geo(store: Any, geo_file: Path) -> None:
    """As the capture starts: the world's geo table (``artifacts/world-geo.json``), so a run cut by
    SIGKILL before its end still places its flows (trial 6 finding B)."""
    if Path(geo_file).is_file():
        store.add_artifact("world-geo.json", Path(geo_file), kind="geo_overrides")


@dataclass
class VirtualTarget:
    """A virtual handset in a virtual vendor world (a bundled name or a world YAML file).

    Raises :class:`~harness.sim.world.config.WorldFileError` (a usage error naming the field) at
    construction for a bad world."""

    world: str | Path = DEFAULT_WORLD
    personality: str = PERSONALITY
    extra_props: dict[str, str] = field(default_factory=dict)
    profile: str = PROFILE

    def __post_init__(self) -> None:
        from harness.sim.world import load_world

        self.config = load_world(self.world)  # a bad world fails here, before anything starts

    @property
    def world_name(self) -> str:
        return str(self.config.name)

    def open(self, stack: contextlib.ExitStack, root: Path, emit: Callable[[str, str], None]) -> Attached:
        from harness.device.adb import AdbServer, ensure_server
        from harness.sim.handset import HandsetConfig
        from harness.sim.world import World
        from harness.testing.sim import start_handset, stop_handset

        world = World(self.config, root / "world")
        world.start()

        def stop_world() -> None:
            world.stop()
            emit("world", "stopped")

        stack.callback(stop_world)
        ips = sorted(world.addresses.values())
        block = ips[0].rsplit(".", 1)[0] + ".0/24" if ips else "?"
        emit("world", f"{self.config.name}: {len(world.addresses)} services on {block} port {world.port}")
        server = AdbServer.parse(None)
        ensure_server(server)
        props = {**world.props(), "persist.radio.imei": imei(random.Random()), **self.extra_props}
        handset = start_handset(HandsetConfig(
            state_dir=root / "phone", personality=self.personality, hosts_file=world.hosts_file,
            extra_props=props, extra_system_cas=[world.ca_cert_path]))

        def stop() -> None:
            serial = handset.serial
            stop_handset(handset)
            emit("handset", f"{serial} disconnected and stopped with its apps")

        stack.callback(stop)
        emit("handset", f"virtual {self.personality} attached to the adb server as {handset.serial}")
        return Attached(
            serial=handset.serial, server=server, default_profile=self.profile, frida_device=_local_frida,
            start_suspended=_start_suspended, frida_spawns=False, addons=[world.addon()],
            proxy_options=dict(world.proxy_options()), geo_files=[world.geo_file], trigger_map=_trigger_map,
            keep_evidence=lambda store: _keep_world(store, world.truth_log),
            keep_inputs=lambda store: _keep_geo(store, world.geo_file),
            meta={"target": "virtual", "world": self.config.name, "personality": self.personality,
                  "serial": handset.serial, "world_servers": [f"{ip}:{world.port}" for ip in ips]},
            world=world)

    @staticmethod
    def running(home: Path, serial: str, adb: str | None = None) -> RunningVirtual | None:
        """The virtual handset ``serial`` started by ``harness sim start --world W``, or None
        (a phone, or a handset without a world)."""
        found = world_for_serial(home, serial)
        return RunningVirtual(serial, found, adb) if found is not None else None


def serial_target(home: Path, serial: str, adb: str | None = None, **phone: Any) -> Any:
    """The target of an adb ``serial``: the running virtual handset with its world when the serial is
    one started by ``harness sim start --world W`` on the local adb server (:meth:`VirtualTarget.running`:
    its world's names and CA, its geo table, Frida on this host, the ``virtual-vendor`` profile), else
    a :class:`~harness.scenario.PhoneTarget` (``phone``: its ``frida``, ``frida_address``, ``profile``).
    What ``harness intercept --device``, ``harness run --target`` and ``--harness-target`` all use."""
    from harness.device.adb import AdbServer
    from harness.scenario.target import PhoneTarget

    if AdbServer.parse(adb).is_local:
        running = VirtualTarget.running(home, serial, adb)
        if running is not None:
            return running
    return PhoneTarget(serial, adb=adb, **phone)


@dataclass(frozen=True)
class HandsetWorld:
    """A world running with a virtual handset in another process."""

    name: str
    serial: str
    #: the handset's folder (``HARNESS_HOME/sim/NAME``)
    sim_folder: Path
    files: Any


def world_for_serial(home: Path, serial: str) -> HandsetWorld | None:
    """The world of the running virtual handset whose adb serial is ``serial``, or None.

    ``harness sim start --world W`` records the running handset in ``HARNESS_HOME/sim/NAME/handset.json``
    with its adb serial and the world's state folder. The device is matched by that serial only (never
    guessed from a port). Raises :class:`~harness.errors.SimError` when the handset names a world
    whose files are gone."""
    from harness.sim import service
    from harness.sim.world.attached import WorldFiles

    root = Path(home) / "sim"
    if not root.is_dir():
        return None
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        record = service.status(folder)  # None for a stopped handset (by its state lock, any PID namespace)
        if record is None or record.serial != serial or not record.world:
            continue
        return HandsetWorld(name=str(record.world.get("name", "?")), serial=serial, sim_folder=folder,
                            files=WorldFiles.open(record.world["state_dir"]))
    return None


@dataclass
class RunningVirtual:
    """A virtual handset running in another process with its world (``harness sim start --world``)."""

    serial: str
    found: Any
    adb: str | None = None
    profile: str = PROFILE

    @property
    def world_name(self) -> str:
        return str(self.found.name)

    def open(self, stack: contextlib.ExitStack, root: Path, emit: Callable[[str, str], None]) -> Attached:
        from harness.device.adb import AdbServer

        files = self.found.files
        emit("world", f"virtual world {self.found.name}: {len(files.addresses)} host names routed to its "
                      "servers, its CA trusted upstream, its geo table in artifacts/world-geo.json")
        return Attached(
            serial=self.serial, server=AdbServer.parse(self.adb), default_profile=self.profile,
            frida_device=_local_frida, start_suspended=_start_suspended, frida_spawns=False,
            addons=[files.addon()], proxy_options=dict(files.proxy_options()), geo_files=[files.geo_file],
            trigger_map=_trigger_map, keep_evidence=lambda store: _keep_world(store, files.truth_log),
            keep_inputs=lambda store: _keep_geo(store, files.geo_file),
            meta={"target": "virtual", "world": {"name": self.found.name, "state_dir": str(files.state_dir)}})
