"""Interactive interception (``harness intercept``) on the one lab builder.

``open_lab`` prepares the device exactly as for a scenario (journal, stale restore, snapshot,
facts, proxy via ``adb reverse`` or a lab address, CA, optional frida-server) with, in front of
the recorder, a live line per flow (:mod:`harness.device.intercept_live`) and the step-mark
addon (:mod:`harness.scenario.marks`). It then records until a stop signal (SIGINT, SIGTERM or
SIGHUP, whatever was inherited; the caller's ``stop`` event), the duration, a recording error, or
the device leaving the adb server's list (:class:`~harness.device.presence.Presence`, within about
3 s: a line at once, then DeviceOffline after the teardown kept the journal);
the device is restored while the proxy still runs (apps never point at a dead proxy) and the run
is closed: ``complete`` when stopped on purpose, ``incomplete`` with the reason otherwise.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.analysis.geo import GeoResolver, Override, load_overrides
from harness.analysis.geodata import try_load as try_load_location_data
from harness.analysis.policy import Policy
from harness.device.cacert import CA_CHOICES as CA_CHOICES
from harness.device.intercept_live import LiveLines
from harness.device.presence import Presence
from harness.fsutil import write_private

__all__ = ["CA_CHOICES", "InterceptOptions", "InterceptResult", "run_intercept"]


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
    #: a lab's CIDR -> country table (YAML/JSON/CSV, as for ``harness analyze --geo-overrides``)
    geo_overrides: Path | None = None
    #: a MaxMind GeoIP2/GeoLite2 database
    mmdb: Path | None = None
    policy: Policy | None = None
    #: the lab network's host names (a hosts file) and the CA of its servers (LabSpec)
    hosts_file: Path | None = None
    upstream_ca: Path | None = None
    #: read step marks typed in the terminal (a line: that name; Enter alone: step-N)
    keyboard_marks: bool = False
    #: written (0600, JSON ``{"run_dir", "serial", "proxy"}``) once the proxy records and the CA is
    #: installed, just before the ``intercepting`` line; removed when the session ends
    ready_file: Path | None = None


@dataclass
class InterceptResult:
    run_dir: Path
    proxy: Any = None
    ca: Any = None
    flows: int = 0
    stale_restore: Any = None
    restore: Any = None
    steps: list[str] = field(default_factory=list)
    #: the stop signal's name when one ended the session
    signal: str | None = None


def _geo(opts: InterceptOptions, target_geo: Sequence[Path]) -> GeoResolver:
    """Override tables (the lab's first, so it wins over the world's for the same network) → mmdb
    → location data."""
    overrides: list[Override] = []
    if opts.geo_overrides is not None:
        overrides += load_overrides(opts.geo_overrides)
    for path in target_geo:
        overrides += load_overrides(path)
    # the embedded location data if installed: a live display does not stop for it (`harness analyze` says how to install it)
    return GeoResolver(overrides, opts.mmdb, location_db=try_load_location_data() or False)


def run_intercept(target: Any, home: Path, opts: InterceptOptions, emit: Callable[[str], None],
                  stop: threading.Event | None = None) -> InterceptResult:
    """Record ``target`` (a :class:`~harness.scenario.PhoneTarget` or a running virtual handset)
    until stopped; see the module docstring. Raises HarnessError after restoring the device."""
    from harness.capture.session import new_run_dir
    from harness.scenario import LabSpec, open_lab
    from harness.scenario.marks import MarkAddon, write_control
    from harness.scenario.signals import handled

    stop = stop or threading.Event()
    run_dir = Path(opts.out) if opts.out else new_run_dir(Path(home) / "runs")
    result = InterceptResult(run_dir)
    live_holder: dict[str, LiveLines] = {}
    marks: dict[str, Any] = {}

    def on_flow(record: Any) -> None:
        if "live" in live_holder:
            live_holder["live"].on_flow(record)

    def mark(name: str) -> str:
        lab = marks.get("lab")
        if lab is None:
            from harness.errors import UsageError

            raise UsageError("the session is not recording yet", fix="wait for 'intercepting'")
        step = str(lab.mark(name))
        result.steps.append(step)
        return step

    import secrets

    token = secrets.token_urlsafe(16)
    spec = LabSpec(target, run_dir=run_dir, home=Path(home), ca=opts.ca, lab_proxy=opts.lab_proxy,
                   device_port=opts.device_port, frida_server=opts.frida_server,
                   addons=[*opts.addons, MarkAddon(mark, token)], proxy_options=dict(opts.proxy_options),
                   geo_overrides=opts.geo_overrides, mmdb=opts.mmdb, policy=opts.policy,
                   hosts_file=opts.hosts_file, upstream_ca=opts.upstream_ca, meta={"kind": "intercept"}, emit=lambda stage, text: emit(text), handle_signals=False,
                   on_flow=on_flow)
    with handled(raise_=False) as guard, open_lab(spec) as lab:
        geo = _geo(opts, lab.attached.geo_files)
        live = LiveLines(emit, geo, opts.policy)
        live_holder["live"] = live
        marks["lab"] = lab
        result.proxy, result.ca, result.stale_restore = lab.proxy, lab.ca, lab.session.stale_report
        assert lab.capture.address is not None
        control, _ = write_control(Path(home), lab.serial, lab.capture.address, run_dir, token=token)
        try:
            if opts.keyboard_marks:
                _keyboard(mark, emit)
            if opts.ready_file is not None:  # a script's signal to start the app (docs/lab-guide.md §4)
                host, port = lab.capture.address
                write_private(opts.ready_file, json.dumps(ready_info(run_dir, lab.serial, f"{host}:{port}")) + "\n")
            emit("intercepting; press Ctrl-C to stop" + ("; type a step name + Enter to mark a step"
                                                         if opts.keyboard_marks else "")
                 + "; `harness mark NAME` marks a step from another shell")
            deadline = time.monotonic() + opts.duration if opts.duration else None
            presence = Presence(lab.device)
            while not stop.is_set() and not guard.is_set():
                live.drain()
                if lab.capture.wait(0.25):  # the proxy stopped by itself: recording failed
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    break
                if (why := presence.check()) is not None:
                    live.drain()
                    _gone(lab.serial, why, emit)
            result.signal = guard.name
            if guard.is_set():
                emit(f"stopping ({guard.name})")
            live.drain()
            report = lab.session.restore()
            result.restore = report
            for line in report.lines():
                emit(f"restore: {line}")
        finally:
            with contextlib.suppress(OSError):
                control.unlink()
            if opts.ready_file is not None:
                with contextlib.suppress(OSError):
                    opts.ready_file.unlink()
            live.drain()
            geo.close()
    live.drain()
    result.flows = live.count
    return result


def ready_info(run_dir: Path, serial: str, proxy: str) -> dict[str, Any]:
    """The ``--ready-file`` record (docs/lab-guide.md section 4): ``run_dir``, ``serial``, ``proxy``
    (``HOST:PORT``), ``pid`` (this process, so a file a ``kill -9`` left behind is told from a live
    session with ``kill -0 PID``) and ``pid_namespace`` (``readlink /proc/self/ns/pid``, e.g.
    ``pid:[4026531836]``; None where unreadable): the pid is as that namespace numbers it — ``1``
    under ``unshare -pf`` or a container's init — so a script compares it with its own before
    ``kill -0`` (trial 6b N6)."""
    try:
        namespace: str | None = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = None
    return {"run_dir": str(run_dir), "serial": serial, "proxy": proxy, "pid": os.getpid(),
            "pid_namespace": namespace}


def _gone(serial: str, why: str, emit: Callable[[str], None]) -> None:
    """The device left during the session (unplugged, ``adb disconnect``, a stopped virtual
    handset): say so at once and end the session with DeviceOffline; the lab's teardown then tries
    the restore, keeps the journal when it cannot, and closes the run ``incomplete``."""
    from datetime import UTC, datetime

    from harness.errors import DeviceOffline

    at = datetime.now(UTC).strftime("%H:%M:%SZ")
    emit(f"device {serial} went away at {at} ({why}); stopping: the run is kept as incomplete")
    raise DeviceOffline(f"the device went away at {at} ({why}); recording stopped", serial=serial,
                        attempted="intercept",
                        fix=f"reconnect it, then run `harness restore --device {serial}`")


def _keyboard(mark: Callable[[str], str], emit: Callable[[str], None]) -> None:
    """Read step marks from the terminal on a daemon thread (only when stdin is a terminal)."""
    if not sys.stdin or not sys.stdin.isatty():
        return
    counter = {"n": 0}

    def read() -> None:
        for line in sys.stdin:
            counter["n"] += 1
            name = line.strip() or f"step-{counter['n']}"
            try:
                mark(name)
            except Exception as exc:  # noqa: BLE001 - a bad name must not end the session
                emit(f"mark refused: {exc}")

    threading.Thread(target=read, name="intercept-marks", daemon=True).start()
