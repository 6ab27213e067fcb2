"""``harness demo``: the virtual handset end to end.

Stages: world + virtual handset (adb) → capture session → device session through the device layer
(journal, facts, proxy via adb reverse, harness CA in the system store) → the browser under Frida
through a timeline of steps → stop capture, restore and verify the device → analysis, findings.json,
a comparison with the world's ground truth. Every stage prints a progress line with the elapsed
time. On a harness error the run keeps what was recorded (status ``incomplete``), the device is
still restored and the handset, its apps, the proxy and the world are still stopped.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.demo.progress import Progress
from harness.errors import HarnessError, UsageError
from harness.fsutil import private_dir

DEFAULT_WORLD = "ncsc-2021"
SENSITIVE_TERM = "Free Tibet"
CONTROL_TERM = "fresh bread recipes"
PERSONALITY = "miui-android10"


@dataclass
class DemoOptions:
    world: str = DEFAULT_WORLD
    out: Path | None = None
    sensitive_term: str = SENSITIVE_TERM
    control_term: str = CONTROL_TERM
    #: bound of every single wait (seconds)
    timeout: float = 30.0


@dataclass
class DemoResult:
    run_dir: Path
    world: str
    serial: str | None = None
    status: str = "incomplete"
    error: HarnessError | None = None
    restore_ok: bool | None = None
    restore_lines: list[str] = field(default_factory=list)
    findings_path: Path | None = None
    #: the findings.json document (None when the demo stopped before analysis)
    document: dict[str, Any] | None = None
    elapsed: float = 0.0


@dataclass
class DeviceRun:
    """What the device stages produced, for the findings document."""

    facts: dict[str, Any]
    outcomes: list[Any]
    proxy: str
    ca_method: str
    restore_ok: bool
    restore_lines: list[str]


def _imei(rng: random.Random) -> str:
    """A Luhn-valid 15-digit IMEI for the virtual phone's radio (TAC prefix 86: a Xiaomi-like range)."""
    digits = [8, 6] + [rng.randint(0, 9) for _ in range(12)]
    total = 0
    for i, d in enumerate(digits):
        if i % 2 == 1:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


class _Once:
    """Cleanup callbacks run once each, newest first, on every exit path; failures are collected."""

    def __init__(self) -> None:
        self._items: list[tuple[str, Callable[[], Any]]] = []
        self.errors: list[str] = []

    def push(self, name: str, fn: Callable[[], Any]) -> None:
        self._items.append((name, fn))

    def run(self, name: str) -> None:
        for i in range(len(self._items) - 1, -1, -1):
            if self._items[i][0] == name:
                _, fn = self._items.pop(i)
                fn()
                return

    def run_all(self) -> None:
        while self._items:
            name, fn = self._items.pop()
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - cleanup must go on
                self.errors.append(f"{name}: {exc}")


def run_demo(home: Path, opts: DemoOptions, emit: Callable[[str], None]) -> DemoResult:
    """Run the demo. Bad options raise :class:`UsageError` before anything starts; any later
    :class:`HarnessError` is in ``result.error`` after everything was cleaned up."""
    from harness.capture.session import CaptureSession, new_run_dir
    from harness.sim.world import World, load_world

    progress = Progress(emit)
    home = Path(home)
    config = load_world(opts.world)  # a bad world name or file is a usage error before anything starts
    run_dir = Path(opts.out) if opts.out else new_run_dir(home / "runs")
    if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())):
        raise UsageError(f"--out {run_dir} already exists and is not an empty folder",
                         fix="give a new run directory (a demo never writes into an earlier run)")
    result = DemoResult(run_dir=run_dir, world=config.name)
    cleanup = _Once()
    work = Path(tempfile.mkdtemp(prefix="demo-", dir=private_dir(home / "demo")))
    cleanup.push("work dir", lambda: shutil.rmtree(work, ignore_errors=True))
    capture: CaptureSession | None = None
    state: dict[str, Any] = {"status": "incomplete", "reason": None}
    try:
        # 1. world and handset
        world = World(config, work / "world")
        world.start()

        def stop_world() -> None:
            world.stop()
            progress("world", "stopped")

        cleanup.push("world", stop_world)
        progress("world", f"{config.name}: {len(world.addresses)} services on {_block(world)} port {world.port}")
        handset = _start_handset(world, work, cleanup, progress)
        result.serial = handset.serial
        progress("handset", f"virtual {PERSONALITY} attached to the adb server as {handset.serial}")

        # 2. capture
        capture = CaptureSession(run_dir, confdir=home / "ca", addons=[world.addon()],
                                 options=world.proxy_options(),
                                 meta={"kind": "demo", "world": config.name, "device": handset.serial})
        capture.start()
        assert capture.address is not None and capture.store is not None
        cap = capture
        cleanup.push("capture", lambda: cap.stop(state["status"], state["reason"]))
        progress("capture", f"proxy on {capture.address[0]}:{capture.address[1]}, recording into {run_dir}")

        # 3.-4. device session and the scenario
        device_run = _device_and_scenario(home, opts, world, handset.serial, capture, progress, cleanup,
                                               result)
        state["status"] = "complete"
        cleanup.run("capture")
        progress("capture", f"stopped; run complete ({capture.store.count_flows()} flows)")

        # 6.-7. analysis, findings.json, ground truth
        from harness.demo.report import build_document, write_document

        doc = build_document(run_dir, world, device_run, home)
        result.document = doc
        result.findings_path = write_document(run_dir, doc)
        result.status = "complete"
        progress("analysis", f"{len(doc['findings'])} findings written to {result.findings_path}")
    except HarnessError as exc:
        result.error = exc
        state["reason"] = str(exc)
    except BaseException as exc:
        state["reason"] = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        cleanup.run_all()
        for problem in cleanup.errors:
            emit(f"cleanup: {problem}")
        result.elapsed = progress.elapsed
        if result.error is not None:
            progress("demo", f"stopped by an error; what was recorded is in {run_dir} (run {run_status(run_dir)})")
    return result


def run_status(run_dir: Path) -> str:
    """The run store's status (``complete``, ``incomplete``), or ``not created``."""
    from harness.capture.store import RunStore

    try:
        return RunStore.open(run_dir).status
    except HarnessError:
        return "not created"


def _block(world: Any) -> str:
    ips = sorted(world.addresses.values())
    return ips[0].rsplit(".", 1)[0] + ".0/24" if ips else "?"


def _start_handset(world: Any, work: Path, cleanup: _Once, progress: Progress) -> Any:
    from harness.device.adb import AdbServer, ensure_server
    from harness.sim.handset import HandsetConfig, VirtualHandset

    ensure_server(AdbServer.parse(None))
    props = {**world.props(), "persist.radio.imei": _imei(random.Random())}
    handset = VirtualHandset(HandsetConfig(
        state_dir=work / "phone", personality=PERSONALITY, hosts_file=world.hosts_file,
        extra_props=props, extra_system_cas=[world.ca_cert_path]))
    handset.start()

    def stop() -> None:
        serial = handset.serial
        try:
            handset.disconnect()
        finally:
            handset.stop()
        progress("handset", f"{serial} disconnected and stopped with its apps")

    cleanup.push("handset", stop)
    handset.connect()
    return handset


def _device_and_scenario(home: Path, opts: DemoOptions, world: Any, serial: str, capture: Any,
                         progress: Progress, cleanup: _Once, result: DemoResult) -> DeviceRun:
    """Stages 3-5 on the device: everything through harness.device, as with a physical phone."""
    from harness.demo.scenario import BROWSER, BrowserScenario
    from harness.device import apps
    from harness.device.adb import Device
    from harness.device.cacert import install_system_ca
    from harness.device.facts import collect_facts, save_facts
    from harness.device.journal import journal_path
    from harness.device.proxy import setup_proxy
    from harness.device.session import DeviceSession
    from harness.instrument import builtin_map
    from harness.instrument.devices import local_device

    device = Device.open(serial)
    session = DeviceSession(device, home, run=capture.run_dir.name)
    session.__enter__()

    def restore() -> None:
        try:
            report = session.report if session.report is not None else session.restore()
            result.restore_ok = report.ok
            result.restore_lines = report.lines()
        finally:
            session.__exit__(None, None, None)
        if result.restore_ok:
            progress("device", f"restored through the journal ({len(report.undone)} changes undone); "
                               "it matches the snapshot taken before the run")
        else:
            progress("device", "NOT fully restored: " + "; ".join(result.restore_lines)
                     + f" (run `harness restore --device {serial}`)")

    cleanup.push("device restore", restore)
    progress("device", f"session opened; restore journal {journal_path(home, serial)}")
    facts = collect_facts(device)
    save_facts(facts, capture.store)
    ids = facts.identifiers()
    progress("device", f"facts saved: {facts.model} ({facts.manufacturer}), Android {facts.android_version}, "
                       f"region {facts.miui_region}, root {facts.root_method}; identifiers {', '.join(ids)}")
    proxy = setup_proxy(session, capture.address[1])
    progress("device", f"proxy {proxy.device_address} -> 127.0.0.1:{proxy.host_port} via adb reverse")
    ca = install_system_ca(session, capture.ca.cert.read_bytes())
    progress("device", f"harness CA {ca.file_name} in the system store ({ca.method}"
                       + (f", visible at {', '.join(ca.verified_paths)})" if ca.verified else ")"))

    scenario = BrowserScenario(device, capture, opts.timeout, progress)
    cleanup.push("app", lambda: apps.force_stop(device, BROWSER))
    cleanup.push("frida", lambda: scenario.hook.close() if scenario.hook else None)
    triggers = builtin_map(BROWSER)
    assert triggers is not None, f"{BROWSER} ships a trigger map"
    try:
        scenario.first_start(local_device(), world.host("adconfig"))
        scenario.search("search-sensitive", opts.sensitive_term, "experiment", "search", world.host("search"))
        scenario.search("search-control", opts.control_term, "control", "search", world.host("search"))
        scenario.load_ads(triggers, opts.sensitive_term, world.host("ads"))
        scenario.telemetry(triggers)
    finally:
        _keep_evidence(device, capture, world)
    scenario.finish()
    cleanup.run("frida")
    cleanup.run("app")
    cleanup.run("device restore")
    return DeviceRun(facts=facts.to_json(), outcomes=scenario.outcomes, proxy=proxy.device_address,
                     ca_method=ca.method, restore_ok=bool(result.restore_ok), restore_lines=result.restore_lines)


def _keep_evidence(device: Any, capture: Any, world: Any) -> None:
    """Logcat and the world's ground truth and geo table into the run (also after a failure)."""
    from harness.device import apps

    with contextlib.suppress(HarnessError, OSError):  # evidence is best effort: never hide the real error
        apps.save_logcat(device, capture.store)
        for name, path, kind in (("world-truth.jsonl", world.truth_log, "ground_truth"),
                                 ("world-geo.json", world.geo_file, "geo_overrides")):
            if Path(path).is_file():
                capture.store.add_artifact(name, Path(path), kind=kind)
