"""Interactive interception (``harness intercept``): prepare the device, record, put it back.

Order: geo layers (a bad override table or mmdb fails before anything starts) → start the proxy
and recorder (so the port is known; with the virtual world's resolver addon and upstream trust
when the device is a virtual handset started with a world) → open the device session (journal,
stale restore, snapshot) → facts into the run → proxy + reverse → CA → (frida-server) → a live
line per flow (harness.device.intercept_live) until Ctrl-C, SIGTERM, the duration, or a recording
error → restore the device (while the proxy still runs, so apps never point at a dead proxy) →
stop the proxy and close the run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.analysis.geo import GeoResolver, Override, load_overrides
from harness.analysis.policy import Policy
from harness.device.adb import Device
from harness.device.cacert import CaInstall, choose_method, install_system_ca, install_user_ca
from harness.device.facts import collect_facts, save_facts
from harness.device.intercept_live import LiveLines
from harness.device.intercept_world import HandsetWorld
from harness.device.proxy import ProxySetup, lab_listen, setup_proxy
from harness.device.restore import RestoreReport
from harness.device.session import DeviceSession
from harness.errors import UsageError

CA_CHOICES = ("auto", "system", "user", "none")


@dataclass
class InterceptOptions:
    out: Path | None = None
    ca: str = "auto"
    lab_proxy: str | None = None
    device_port: int | None = None
    duration: float | None = None
    frida_server: Path | None = None
    addons: Sequence[Any] = ()
    proxy_options: dict[str, Any] = field(default_factory=dict)
    #: the virtual vendor world running with the device (see intercept_world.world_for_serial)
    world: HandsetWorld | None = None
    #: a lab's CIDR -> country table (YAML/JSON/CSV, as for ``harness analyze --geo-overrides``)
    geo_overrides: Path | None = None
    #: a MaxMind GeoIP2/GeoLite2 database
    mmdb: Path | None = None
    policy: Policy | None = None


@dataclass
class InterceptResult:
    run_dir: Path
    proxy: ProxySetup | None = None
    ca: CaInstall | None = None
    flows: int = 0
    stale_restore: RestoreReport | None = None
    restore: RestoreReport | None = None


def _install_ca(session: DeviceSession, pem: bytes, choice: str) -> CaInstall | None:
    if choice == "none":
        return None
    device = session.device
    if choice == "auto":
        sdk = device.getprop("ro.build.version.sdk")
        choice = "user" if choose_method(int(sdk) if sdk.isdigit() else 0,
                                         device.root_method is not None) == "user-manual" else "system"
    if choice == "system":
        return install_system_ca(session, pem)
    if choice == "user":
        return install_user_ca(session, pem)
    raise UsageError(f"unknown CA method {choice!r}", fix=f"use one of {', '.join(CA_CHOICES)}")


def _geo(opts: InterceptOptions) -> GeoResolver:
    """Override tables (the lab's first, so it wins over the world's for the same network) → mmdb
    → iptocc."""
    overrides: list[Override] = []
    if opts.geo_overrides is not None:
        overrides += load_overrides(opts.geo_overrides)
    if opts.world is not None:
        overrides += load_overrides(opts.world.files.geo_file)
    return GeoResolver(overrides, opts.mmdb)


def run_intercept(device: Device, home: Path, opts: InterceptOptions, emit: Callable[[str], None],
                  stop: threading.Event | None = None) -> InterceptResult:
    from harness.capture.session import CaptureSession, new_run_dir

    stop = stop or threading.Event()
    geo = _geo(opts)
    live = LiveLines(emit, geo, opts.policy)
    addons, proxy_options = list(opts.addons), dict(opts.proxy_options)
    meta: dict[str, Any] = {"kind": "intercept", "device": device.serial}
    world = opts.world
    if world is not None:
        addons.insert(0, world.files.addon())
        proxy_options = {**world.files.proxy_options(), **proxy_options}
        meta["world"] = {"name": world.name, "state_dir": str(world.files.state_dir)}
    run_dir = Path(opts.out) if opts.out else new_run_dir()
    listen = lab_listen(opts.lab_proxy) if opts.lab_proxy else {}  # listen there, or refuse
    capture = CaptureSession(run_dir, addons=addons, options=proxy_options, meta=meta, **listen)
    result = InterceptResult(run_dir)
    try:
        capture.start()
    except BaseException:
        geo.close()
        raise
    assert capture.recorder is not None
    capture.recorder.on_flow = live.on_flow
    if capture.proxy is not None and capture.proxy.access is not None:
        from harness.capture.exposure import exposed_warning

        emit(exposed_warning(f"{capture.address[0]}:{capture.address[1]}" if capture.address else "?",
                             capture.proxy.access))
    status, reason = "complete", None
    try:
        assert capture.address is not None and capture.store is not None
        if world is not None:
            capture.store.add_artifact("world-geo.json", world.files.geo_file, kind="geo_overrides")
            emit(f"virtual world {world.name}: {len(world.files.addresses)} host names routed to its "
                 f"servers, its CA trusted upstream, its geo table in artifacts/world-geo.json")
        with DeviceSession(device, home, run=run_dir.name) as session:
            result.stale_restore = session.stale_report
            if session.stale_report is not None:
                emit(f"restored changes left by an earlier run on {device.serial}")
            facts = collect_facts(device)
            save_facts(facts, capture.store)
            result.proxy = setup_proxy(session, capture.address[1], device_port=opts.device_port,
                                       lab_address=opts.lab_proxy)
            emit(f"device proxy: {result.proxy.device_address}"
                 + (f" -> host 127.0.0.1:{result.proxy.host_port} (adb reverse)" if result.proxy.reverse else ""))
            result.ca = _install_ca(session, capture.ca.cert.read_bytes(), opts.ca)
            if result.ca is not None:
                emit(f"CA {result.ca.file_name}: {result.ca.method}"
                     + (f", visible at {', '.join(result.ca.verified_paths)}" if result.ca.verified else ""))
                if result.ca.instructions:
                    emit(result.ca.instructions)
            if opts.frida_server is not None:
                from harness.device.frida_server import deploy

                st = deploy(session, opts.frida_server, check_answers=False)
                emit(f"frida-server {st.version} running (pid {', '.join(map(str, st.pids))})")
            emit("intercepting; press Ctrl-C to stop")
            deadline = time.monotonic() + opts.duration if opts.duration else None
            try:
                while not stop.is_set():
                    live.drain()
                    if capture.wait(0.25):  # the proxy stopped by itself: recording failed
                        break
                    if deadline is not None and time.monotonic() >= deadline:
                        break
            except KeyboardInterrupt:
                emit("stopping")
            live.drain()
            report = session.restore()
            result.restore = report
            for line in report.lines():
                emit(f"restore: {line}")
    except BaseException as exc:
        status, reason = "incomplete", str(exc) or type(exc).__name__
        raise
    finally:
        try:
            capture.stop(status, reason)
        finally:
            live.drain()
            result.flows = live.count
            geo.close()
    return result
