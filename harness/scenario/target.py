"""Targets: what a lab runs on. A physical phone here; the virtual handset in ``virtual.py``.

A target is opened inside the lab's :class:`contextlib.ExitStack` and returns an
:class:`Attached`: the adb serial and server, what the capture proxy needs (addons, options), the
geo tables that locate its servers, how Frida reaches its apps, and evidence to keep. Everything
after that (capture, device session, proxy, CA, steps) is the same code for every target.

``PhoneTarget`` knows nothing about the virtual handset: it is the path of a lab's real phone
(USB, a device-farm adb server, Wi-Fi adb), and the tests drive it against the virtual handset by
serial alone to prove that path (tests/scenario/test_phone_target.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from harness.errors import UsageError

if TYPE_CHECKING:
    from harness.device.adb import AdbServer, Device
    from harness.instrument.triggers import TriggerMap

#: how Frida reaches a phone's apps: frida-server over USB, frida-server at HOST:PORT, frida-server
#: through ``adb forward``, or this host (the virtual handset's apps are host JVMs)
FRIDA_TRANSPORTS = ("usb", "remote", "forward", "local")


@dataclass
class Attached:
    """A target once opened: everything the lab needs from it."""

    serial: str
    server: AdbServer
    #: the profile used when the lab spec names none
    default_profile: str
    #: ``frida_device(device)`` -> a frida.core.Device for this handset's apps
    frida_device: Callable[[Device], Any]
    #: start PACKAGE suspended; returns the callable that releases it (None: use Frida spawn)
    start_suspended: Callable[[Device, str, str | None], Callable[[], None] | None] | None = None
    #: True when Frida can spawn the package by name (frida-server on the phone)
    frida_spawns: bool = True
    addons: list[Any] = field(default_factory=list)
    proxy_options: dict[str, Any] = field(default_factory=dict)
    #: CIDR -> country tables (geo override files) for the live view and analysis
    geo_files: list[Path] = field(default_factory=list)
    #: the trigger map of a package, if the target ships one
    trigger_map: Callable[[str], TriggerMap | None] = lambda package: None
    #: keep the target's own evidence in the run (called before the capture stops, on every path)
    keep_evidence: Callable[[Any], None] = lambda store: None
    #: keep the target's inputs the analysis needs (its geo table) in the run, called as the capture
    #: starts: a run cut by SIGKILL still places its flows (trial 6 finding B)
    keep_inputs: Callable[[Any], None] = lambda store: None
    #: what the run's meta records about the target
    meta: dict[str, Any] = field(default_factory=dict)
    #: the virtual vendor world, for ground-truth comparisons (None for a phone)
    world: Any = None


class Target(Protocol):
    """Opened by :func:`harness.scenario.open_lab`; undo everything through ``stack``."""

    def open(self, stack: contextlib.ExitStack, root: Path, emit: Callable[[str, str], None]) -> Attached: ...


def check_frida_options(frida: str | None, address: str | None, option: str = "--frida") -> None:
    """Frida transport ``remote`` needs the frida-server address, whatever the target (a virtual
    handset ignores the transport, but the command line is still wrong: docs/scenarios.md). Raises
    UsageError naming the option and the fix."""
    if frida == "remote" and not address:
        raise UsageError(f"{option} remote needs {option}-address HOST:PORT",
                         fix=f"add {option}-address HOST:PORT (where frida-server listens), or choose another "
                             f"{option} transport")


@dataclass
class PhoneTarget:
    """A physical phone (or anything adb and frida-server reach): ``PhoneTarget("R58M123ABC")``.

    ``adb``: ``HOST:PORT`` of the adb server (default: the local one); ``frida``: one of
    :data:`FRIDA_TRANSPORTS`, ``remote`` with ``frida_address`` (``HOST:PORT``). Raises
    :class:`~harness.errors.DeviceNotFound` / ``DeviceError`` when opened for a serial the adb
    server does not list or a server that does not answer. The adb forwards made to reach
    frida-server are removed when the target is closed."""

    serial: str
    adb: str | None = None
    frida: str = "usb"
    frida_address: str | None = None
    profile: str = "xiaomi-miui12-global"
    #: HARNESS_HOME, where ``harness intercept --frida-server`` records its port and token (default:
    #: the environment's); read for ``frida="forward"``
    home: Path | None = None

    def __post_init__(self) -> None:
        if self.frida not in FRIDA_TRANSPORTS:
            raise UsageError(f"unknown Frida transport {self.frida!r}",
                             fix=f"use one of {', '.join(FRIDA_TRANSPORTS)}")
        if self.frida == "remote" and not self.frida_address:
            raise UsageError("Frida transport remote needs an address", fix="give frida_address='HOST:PORT'")
        if not self.serial:
            raise UsageError("a phone target needs a serial", fix="see `harness devices`")

    def open(self, stack: contextlib.ExitStack, root: Path, emit: Callable[[str, str], None]) -> Attached:
        from harness.device.adb import AdbServer, check_state, ensure_server

        server = AdbServer.parse(self.adb)
        if self.adb is not None:  # a server the user named is used, never started (issue 10.17)
            from harness.device.adb import server_reachable
            from harness.errors import DeviceError

            if not server_reachable(server):
                raise DeviceError(f"no adb server answers at {server}", attempted="open phone",
                                  fix="start it there (`adb -P PORT start-server`) or check the address")
        check_state(ensure_server(server), self.serial, attempted="open phone")
        emit("phone", f"{self.serial} on the adb server {server}; Frida over {self.frida}")
        kind, address, home = self.frida, self.frida_address, self.home
        forwards: list[tuple[Device, int]] = []

        def frida_device(device: Device) -> Any:
            from harness.instrument import devices

            port, token = devices.FRIDA_SERVER_PORT, None
            if kind == "forward":  # the port and token of a frida-server this harness started
                from harness.device.frida_server import running_server
                from harness.scenario.spec import home_of

                port, token = running_server(home_of(home), device.serial)

            def forward(remote: int) -> int:
                local = device.forward(remote)
                forwards.append((device, local))
                return local

            return devices.resolve(kind, serial=device.serial, address=address, forward=forward,
                                   server_port=port, token=token)

        def remove_forwards() -> None:  # issue 11 item 6: no forward outlives the target
            from harness.errors import HarnessError

            for device, local in forwards:
                with contextlib.suppress(HarnessError):  # a lost device took its forwards with it
                    device.forward_remove(local)

        stack.callback(remove_forwards)

        return Attached(serial=self.serial, server=server, default_profile=self.profile,
                        frida_device=frida_device, frida_spawns=kind != "local",
                        meta={"target": "phone", "serial": self.serial, "adb": str(server), "frida": kind})
