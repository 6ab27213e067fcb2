"""The demo's timeline: what it does with the vendor browser, step by step, and how it knows each
step is done (bounded polls of the run store and of logcat, never fixed sleeps).

Everything goes through the device layer (adb) and the instrument layer (Frida), as on a phone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.capture.records import AgentEvent
from harness.demo.waits import DemoStepFailed, wait_until
from harness.device import apps
from harness.device.logcat import LogLine, read_log
from harness.sim.world.rendered import renders

if TYPE_CHECKING:
    from harness.capture.session import CaptureSession
    from harness.device.adb import Device
    from harness.instrument.session import HookSession
    from harness.instrument.triggers import TriggerMap

BROWSER = "com.vendor.browser"
BROWSER_ACTIVITY = ".BrowserApp"
SEARCH_SURFACES = ("suggestions", "results", "ads")
LOG_TAGS = ("Render", "SensorsData", "AdBlacklist", "BrowserSearch", "Browser", "vapp")
#: Frida agents loaded before the app runs (crypto first: see _launch_hooked)
AGENTS = ("crypto", "unpin")
#: how long a released app may take to log its start, and how often it is tried
START_GRACE = 10.0
START_ATTEMPTS = 3


@dataclass
class StepOutcome:
    id: str
    name: str
    #: the query or ad subject of the step, if any
    subject: str | None = None
    #: what the app put on screen in this step, per surface (from its Render log lines)
    rendered: dict[str, list[Any]] = field(default_factory=dict)
    #: telemetry lines the app logged in this step
    telemetry: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class BrowserScenario:
    """Drives ``com.vendor.browser`` on one device through one capture session."""

    def __init__(self, device: Device, capture: CaptureSession, timeout: float,
                 progress: Callable[[str, str], None]) -> None:
        self.device = device
        self.capture = capture
        self.timeout = timeout
        self.progress = progress
        self.hook: HookSession | None = None
        self.outcomes: list[StepOutcome] = []
        self._flow_seq = 0

    # -- checks and probes ------------------------------------------------------------------------

    def check(self) -> None:
        """Raise at once when waiting is pointless: the app (Frida session) or the proxy is gone."""
        if self.hook is not None:
            self.hook.check()
        if self.capture.wait(0):
            from harness.errors import CaptureError

            raise CaptureError("the proxy stopped during the demo (recording failed)",
                               fix="see the run's status reason; free disk space and rerun")

    def log(self) -> list[LogLine]:
        return read_log(self.device, LOG_TAGS)

    def _app_lines(self, tag: str) -> list[LogLine]:
        pid = self.hook.pid if self.hook else None
        return [ln for ln in self.log() if ln.tag == tag and (pid is None or ln.pid == pid)]

    def flows_in_step(self, step_id: str) -> list[tuple[str | None, str, int | None]]:
        """(server host, kind, status) of the flows recorded in ``step_id`` so far."""
        store = self.capture.store
        assert store is not None
        db = store.connect_readonly()
        try:
            rows = db.execute("SELECT server_host, kind, status_code FROM flows WHERE step_id = ?",
                              (step_id,)).fetchall()
        finally:
            db.close()
        return [(r[0], r[1], r[2]) for r in rows]

    def wait_flow(self, step_id: str, host: str, what: str) -> None:
        wait_until(lambda: any(h == host for h, _k, _s in self.flows_in_step(step_id)), self.timeout, what,
                   check=self.check, serial=self.device.serial)

    def wait_telemetry(self, event: str, before: int, what: str) -> list[str]:
        """Wait for the app's analytics module to report ``event`` (sent, refused or failed)."""
        def probe() -> list[str] | None:
            lines = [ln.message for ln in self._app_lines("SensorsData") if f"event {event} " in ln.message]
            return lines[before:] or None

        return wait_until(probe, self.timeout, what, check=self.check, serial=self.device.serial)

    def telemetry_count(self, event: str) -> int:
        return sum(1 for ln in self._app_lines("SensorsData") if f"event {event} " in ln.message)

    def add_rendered_event(self, step_id: str, subject: str, surfaces: dict[str, list[Any]]) -> None:
        """What the app rendered, as a harness event analysis compares (``ui:rendered``, contracts §4)."""
        store = self.capture.store
        assert store is not None
        count = sum(len(items) for items in surfaces.values())
        store.add_event(AgentEvent(
            type="ui:rendered", source="harness.demo:logcat", timestamp=time.time(), step_id=step_id,
            pid=self.hook.pid if self.hook else None,
            payload={"package": BROWSER, "subject": subject, "count": count,
                     "surfaces": {k: len(v) for k, v in surfaces.items()}, "items": surfaces},
        ))

    # -- steps -----------------------------------------------------------------------------------

    def first_start(self, frida_device: Any, world_config_host: str) -> StepOutcome:
        """Launch with wait-for-debugger, attach Frida (crypto + unpin), release; the app downloads
        its config and sends its start event."""
        step = self._begin("first-start", f"first start of {BROWSER}: config download", "launch")
        for attempt in range(1, START_ATTEMPTS + 1):
            if self._launch_hooked(frida_device):
                break
            assert self.hook is not None
            self.progress("frida", f"{BROWSER} did not come up within {START_GRACE:g}s of its release "
                                   f"(attempt {attempt}; a known frida-java-bridge/HotSpot stall)"
                                   + ("; restarting it" if attempt < START_ATTEMPTS else ""))
            self.hook.close()
            self.hook = None
            apps.force_stop(self.device, BROWSER)
        else:
            raise DemoStepFailed(
                f"{BROWSER} did not start after Frida attached ({START_ATTEMPTS} attempts)",
                serial=self.device.serial, attempted="step first-start",
                fix="rerun the demo; if it persists, run `harness hook --package com.vendor.browser "
                    "--agent crypto` on a virtual handset and report the thread dump (jstack PID)")
        self.wait_flow(step.id, world_config_host, "config download (MiAdBlacklistConfig request)")
        config_lines = wait_until(lambda: self._app_lines("AdBlacklist"), self.timeout, "config result in logcat",
                                  check=self.check, serial=self.device.serial)
        step.notes.append(config_lines[-1].message)
        step.telemetry = self.wait_telemetry("app_start", 0, "start event of the analytics module")
        return self._end(step)

    def _launch_hooked(self, frida_device: Any) -> bool:
        """``am start -D``, attach, load the agents, release; True once the app logged its start."""
        from harness.instrument import HookSession, store_sink

        apps.force_stop(self.device, BROWSER)
        apps.launch(self.device, BROWSER, BROWSER_ACTIVITY, wait=False, debug=True)
        self.progress("app", f"{BROWSER} started with wait-for-debugger (am start -D); attaching Frida")

        def pidof(package: str) -> int | None:
            pids = apps.pid_of(self.device, package)
            return pids[0] if pids else None

        def release() -> None:
            self.device.sh(f"am sim-release {BROWSER}", check=True, attempted="release wait-for-debugger")

        store = self.capture.store
        assert store is not None
        self.hook = HookSession.attach_package(
            frida_device, BROWSER, pidof, wait=self.timeout, release=release, timeline=self.capture.timeline,
            sinks=[store_sink(store)], serial=self.device.serial)
        for agent in AGENTS:
            self.hook.load(agent)
        self.progress("frida", f"attached to {BROWSER} (pid {self.hook.pid}): {' + '.join(AGENTS)} loaded; "
                               "releasing it")
        self.hook.resume()
        try:
            wait_until(lambda: self._app_lines("Browser"), START_GRACE, "app start", check=self.check,
                       serial=self.device.serial)
        except DemoStepFailed:
            return False
        return True

    def search(self, step_id: str, term: str, role: str, pair: str, search_host: str) -> StepOutcome:
        """A WEB_SEARCH intent over adb; done when suggestions, results and ads are rendered and the
        search event went to the analytics module."""
        probe = {"role": role, "pair": pair, "term": term, "host": search_host}
        step = self._begin(step_id, f"search {term!r} ({role})", "search", {"probe": probe})
        step.subject = term
        before_renders = len(renders(self.log(), BROWSER, term))
        before_tel = self.telemetry_count("search")
        apps.web_search(self.device, term, package=BROWSER)

        def rendered() -> dict[str, list[Any]] | None:
            lines = self.log()
            failed = [ln.message for ln in lines if ln.tag == "BrowserSearch" and "search failed" in ln.message]
            if failed:
                raise DemoStepFailed(f"the browser's search for {term!r} failed: {failed[-1]}",
                                     serial=self.device.serial, attempted=f"step {step_id}",
                                     fix="the proxy or the world did not answer; see artifacts/logcat.txt")
            docs = renders(lines, BROWSER, term)[before_renders:]
            surfaces = {d["surface"]: d.get("items") or [] for d in docs}
            return surfaces if all(s in surfaces for s in SEARCH_SURFACES) else None

        step.rendered = wait_until(rendered, self.timeout, f"results of the search for {term!r}",
                                   check=self.check, serial=self.device.serial)
        step.telemetry = self.wait_telemetry("search", before_tel, f"search event for {term!r}")
        self.add_rendered_event(step.id, term, step.rendered)
        return self._end(step)

    def load_ads(self, triggers: TriggerMap, term: str, ads_host: str) -> StepOutcome:
        """Paid ads for a query, loaded by calling the app's own ad loader through Frida."""
        assert self.hook is not None
        step = self._begin("ad-load", f"load ads for {term!r} (Frida trigger)", "load_ads")
        step.subject = term
        before = len([d for d in renders(self.log(), BROWSER, term) if d["surface"] == "ads"])
        self.hook.trigger(triggers, "load_ads", timeout=self.timeout, query=term)
        self.wait_flow(step.id, ads_host, "ad request")

        def ads() -> dict[str, list[Any]] | None:
            docs = [d for d in renders(self.log(), BROWSER, term) if d["surface"] == "ads"][before:]
            return {"ads": docs[-1].get("items") or []} if docs else None

        step.rendered = wait_until(ads, self.timeout, "rendered ads", check=self.check, serial=self.device.serial)
        return self._end(step)

    def telemetry(self, triggers: TriggerMap, event: str = "demo_ping") -> StepOutcome:
        """One usage event sent now by the app's analytics module (Frida trigger)."""
        assert self.hook is not None
        step = self._begin("telemetry", f"usage event {event!r} (Frida trigger)", "send_telemetry")
        before = self.telemetry_count(event)
        self.hook.trigger(triggers, "send_telemetry", timeout=self.timeout, event=event)
        step.telemetry = self.wait_telemetry(event, before, f"usage event {event!r}")
        return self._end(step)

    def finish(self) -> None:
        """Let the agents' last events reach the store; stop the app."""
        if self.hook is not None:
            try:
                self.hook.flush(timeout=5.0)
            finally:
                self.hook.close()
        apps.force_stop(self.device, BROWSER)

    # -- timeline --------------------------------------------------------------------------------

    def _begin(self, step_id: str, name: str, action: str, info: dict[str, Any] | None = None) -> StepOutcome:
        self.check()
        self.capture.timeline.begin(step_id, name, action=action, info=info)
        self.progress("step", f"{step_id}: {name}")
        outcome = StepOutcome(step_id, name)
        self.outcomes.append(outcome)
        return outcome

    def _end(self, step: StepOutcome) -> StepOutcome:
        if self.hook is not None:
            self.hook.flush(timeout=5.0)
        self.capture.flush()
        self.capture.timeline.end()
        flows = self.flows_in_step(step.id)
        shown = ", ".join(f"{k} {len(v)}" for k, v in step.rendered.items())
        self.progress("step", f"{step.id}: done, {len(flows)} flows" + (f"; rendered {shown}" if shown else ""))
        return step
