"""The one lab builder: ``open_lab(spec)`` for a virtual handset or a real phone.

    from harness.scenario import LabSpec, VirtualTarget, open_lab

    with open_lab(LabSpec(VirtualTarget("ncsc-2021"))) as lab:
        with lab.step("security-first-start") as step:
            lab.launch("security")
            step.expect_flow("ad_config")
        lab.assert_no_config_list()          # raises ScenarioAssertion with the evidence

Order in (each undone in reverse on every exit path, by one :class:`contextlib.ExitStack`):
signal handlers (SIGINT/SIGTERM/SIGHUP → :class:`~harness.scenario.signals.Interrupted`) →
target (world + handset for a virtual target; a check of the serial for a phone) → capture
session (proxy + recorder + run store) → device session (restore journal, stale restore,
snapshot) → facts into the run → streaming logcat → proxy (``adb reverse``) → CA → frida-server
(optional) → the door other processes join it by (:mod:`harness.scenario.join`). On the way out:
Frida detached, apps stopped, logcat and the target's evidence saved into the run, the device
restored through its journal (while the proxy still runs), the run closed ``complete`` — or
``incomplete`` with the reason when anything raised — and the target stopped. The run directory
is always kept. The device side (facts to frida-server on the way in, apps to restore on the way
out) is :mod:`harness.scenario.labdevice`.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import CaptureError, ScenarioError, UsageError
from harness.fsutil import private_dir
from harness.report.versions import tool_versions
from harness.scenario.actions import LabActions
from harness.scenario.labdevice import close_apps, prepare_device, report_restore
from harness.scenario.logwatch import LogWatcher
from harness.scenario.signals import handled
from harness.scenario.spec import LabSpec, home_of
from harness.scenario.steps import Step
from harness.scenario.waits import Pulse, wait_for

if TYPE_CHECKING:
    from harness.capture.records import AgentEvent, FlowRecord
    from harness.capture.session import CaptureSession
    from harness.device.adb import Device
    from harness.device.session import DeviceSession
    from harness.scenario.target import Attached


class AppDied(ScenarioError):
    """An app the lab started exited while a step was waiting for it."""


def _home(spec: LabSpec) -> Path:
    return home_of(spec.home)


class Lab(LabActions):
    """An open lab: the capture, the prepared device, the profile, steps and actions.

    Attributes: ``capture`` (CaptureSession), ``device`` (harness.device.adb.Device), ``session``
    (DeviceSession), ``attached`` (what the target gave), ``profile``, ``logs`` (LogWatcher),
    ``facts`` (DeviceFacts), ``proxy``/``ca`` (what was set up), ``steps`` (StepResult list),
    ``status``/``reason`` (how the run is closed), ``restore`` (RestoreReport once restored)."""

    def __init__(self, spec: LabSpec, attached: Attached, profile: Any, capture: CaptureSession,
                 device: Device, session: DeviceSession, home: Path, emit: Callable[[str, str], None]) -> None:
        super().__init__()
        self.spec = spec
        self.attached = attached
        self.profile = profile
        self.capture = capture
        self.device = device
        self.session = session
        self.home = home
        self.emit = emit
        self.timeout = spec.timeout
        self.pulse = Pulse()
        self.logs = LogWatcher(device, self.pulse)
        self.facts: Any = None
        self.proxy: Any = None
        self.ca: Any = None
        self.status = "incomplete"
        self.reason: str | None = None
        self.restore: Any = None
        #: why the device was not restored (the journal is kept), when it was not
        self.restore_problem: str | None = None
        self.steps: list[Any] = []
        self._current: Step | None = None

    # -- basics ----------------------------------------------------------------------------------

    @property
    def serial(self) -> str:
        return self.device.serial

    @property
    def run_dir(self) -> Path:
        return self.capture.run_dir

    @property
    def world(self) -> Any:
        """The virtual vendor world (ground truth), or None on a phone."""
        return self.attached.world

    def check(self) -> None:
        """Raise at once when waiting is pointless: the proxy stopped, the device went away, an
        app under Frida died."""
        if self.capture.wait(0):
            raise CaptureError("the proxy stopped during the run (recording failed)",
                               fix="see the run's status reason; free disk space and rerun")
        if self.logs.ended is not None:
            from harness.device.adb import check_state

            check_state(self.device.client, self.serial, attempted="watch the device")
            raise CaptureError(self.logs.ended, fix="check `adb devices`; rerun", serial=self.serial)
        for hook in list(self.hooks.values()):
            hook.check()
        self._check_apps()

    def _check_apps(self) -> None:
        """An app the lab started that died since (``ActivityManager: Process PKG (pid N) has died``,
        as Android logs it) ends the step at once: waiting for it is pointless."""
        for package, pid in list(self.alive.items()):
            prefix = f"Process {package} (pid {pid})"
            died = next((ln for ln in self.logs.lines("ActivityManager")
                         if ln.message.startswith(prefix) and "has died" in ln.message), None)
            if died is not None:
                del self.alive[package]
                where = f"step {self._current.id}" if self._current else None  # outside a step: no "step -"
                raise AppDied(f"the app process {died.message.split(' has died')[0][8:]} exited "
                              f"{f'during {where}' if where else 'outside any step'} "
                              f"({died.message.split('has died')[-1].strip(': ') or 'no reason'})",
                              serial=self.serial, attempted=where or "watch the lab's apps",
                              fix="see artifacts/logcat.txt in the run for the crash; rerun the scenario")

    def wait(self, probe: Callable[[], Any], what: str, timeout: float | None = None) -> Any:
        """The lab's bounded wait (:func:`harness.scenario.waits.wait_for`), woken by log lines,
        flows and agent events; raises StepTimeout with the last log lines."""
        return wait_for(probe, self.timeout if timeout is None else timeout, what, pulse=self.pulse,
                        check=self.check, serial=self.serial, context=lambda: "last log: " + self.logs.tail(8))

    def flows(self, predicate: Callable[[FlowRecord], bool] = lambda f: True) -> list[FlowRecord]:
        store = self.capture.store
        assert store is not None
        self.capture.flush()
        return [f for f in store.iter_flows() if predicate(f)]

    def events(self, type_prefix: str | None = None,
               predicate: Callable[[AgentEvent], bool] = lambda e: True) -> list[AgentEvent]:
        store = self.capture.store
        assert store is not None
        store.flush()
        return [e for e in store.iter_events(type_prefix) if predicate(e)]

    def hosts(self, role: str) -> list[str]:
        """The host patterns of a host role in the lab's profile (``ad_config``, ``search``, ...)."""
        return list(self.profile.host_role(role).patterns)

    # -- steps -----------------------------------------------------------------------------------

    def new_step_id(self, base: str) -> str:
        taken = {s.id for s in self.capture.timeline.steps()}
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    @contextlib.contextmanager
    def step(self, name: str, *, action: str | None = None, info: dict[str, Any] | None = None,
             quiet: float | None = None, **subject: Any) -> Iterator[Step]:
        """A step on the timeline with a unique id (``name``, ``name-2``, ...): flows and agent
        events started inside carry it. On leaving, the step settles: it waits (bounded by the
        lab's timeout) until everything expected inside arrived (``step.expect_*``, and what the
        actions expect), or, with no expectation, until nothing new (flow, log line) came for
        ``quiet`` seconds. ``subject`` (e.g. ``term="Free Tibet"``) is kept in the step's info."""
        if self._current is not None:
            raise UsageError(f"step {name!r} started inside step {self._current.id!r}",
                             fix="end a step before starting the next one")
        self.check()
        step_id = self.new_step_id(name)
        step = Step(self, step_id, name, subject, quiet=self.spec.quiet if quiet is None else quiet)
        self.capture.timeline.begin(step_id, name, action=action, info={**(info or {}), **subject})
        self.emit("step", f"{step_id}: {name}" + (f" {subject}" if subject else ""))
        self._current = step
        ok = False
        try:
            yield step
            ok = True
        finally:
            self._current = None
            try:
                if ok:
                    step.settle()
            finally:
                result = step.finish()
                self.steps.append(result)
        flows = len(result.flow_ids)
        self.emit("step", f"{step_id}: done, {flows} flows, settled by {result.settled_by}"
                  + (f"; rendered {', '.join(f'{k} {len(v)}' for k, v in result.rendered.items())}"
                     if result.rendered else ""))

    def mark(self, name: str) -> str:
        """A manual step mark (``harness intercept``): begin step ``name`` (made unique) now; the
        previous manual step ends. Flows and agent events from here on carry it. Its id."""
        from harness.scenario.marks import valid_name

        if self._current is not None:
            raise UsageError(f"cannot mark {name!r} inside the scripted step {self._current.id!r}",
                             fix="marks are for manual sessions")
        step_id = self.new_step_id(valid_name(name))
        self.capture.timeline.begin(step_id, name, action="manual")
        self.emit("step", f"{step_id}: marked")
        return step_id

    @property
    def current_step(self) -> Step | None:
        return self._current

    # -- assertions (harness.scenario.assertions, bound to this lab) ------------------------------

    def analyse(self) -> Any:
        from harness.scenario.assertions import analyse

        return analyse(self)

    def assert_no_config_list(self, steps: list[str] | None = None, host_role: str | None = None) -> Any:
        from harness.scenario.assertions import assert_no_config_list

        return assert_no_config_list(self, steps, host_role)

    def assert_no_pii_to(self, jurisdiction: str | None = "third_country", steps: list[str] | None = None) -> Any:
        from harness.scenario.assertions import assert_no_pii_to

        return assert_no_pii_to(self, jurisdiction=jurisdiction, steps=steps)

    def assert_not_filtered(self, experiment: str, control: str) -> Any:
        from harness.scenario.assertions import assert_not_filtered

        return assert_not_filtered(self, experiment, control)

    def assert_config_not_enforced(self, experiment: str, control: str) -> Any:
        from harness.scenario.assertions import assert_config_not_enforced

        return assert_config_not_enforced(self, experiment, control)


@contextlib.contextmanager
def open_lab(spec: LabSpec) -> Iterator[Lab]:
    """Open the lab described by ``spec``; see the module docstring. Raises
    :class:`~harness.errors.UsageError` for a bad spec (unknown profile, existing run dir, a
    profile missing a role the target needs) before the device is touched, and any
    :class:`~harness.errors.HarnessError` of set-up after cleaning up."""
    from harness.capture.exposure import exposed_warning
    from harness.capture.session import CaptureSession, new_run_dir
    from harness.device.adb import Device, ensure_server
    from harness.device.proxy import lab_listen
    from harness.device.session import DeviceSession
    from harness.scenario.join import open_door
    from harness.scenario.labnet import keep_lab_files, lab_network
    from harness.scenario.profile import load_profile

    emit = spec.emit or (lambda stage, text: None)
    home = _home(spec)
    run_dir = Path(spec.run_dir) if spec.run_dir else new_run_dir(home / "runs")
    if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())):
        raise UsageError(f"run directory {run_dir} already exists and is not an empty folder",
                         fix="give a new run directory (a run never writes into an earlier one)")
    # a profile given by name or path is read before anything starts
    profile = load_profile(spec.profile) if isinstance(spec.profile, str | Path) else spec.profile
    net_addons, net_options = lab_network(spec)  # hosts file, upstream CA, geo table (harness.scenario.labnet)
    with contextlib.ExitStack() as stack:
        if spec.handle_signals:
            stack.enter_context(handled())
        if spec.root is not None:
            root = private_dir(Path(spec.root))
        else:
            root = Path(tempfile.mkdtemp(prefix="lab-", dir=private_dir(home / "labs")))
            stack.callback(shutil.rmtree, root, True)
        attached = spec.target.open(stack, root, emit)
        if profile is None:
            profile = load_profile(attached.default_profile)
        options = {**attached.proxy_options, **net_options, **spec.proxy_options}
        # --lab-proxy: listen exactly where the phone is told to connect, or refuse (issue 11 item 7)
        listen = lab_listen(spec.lab_proxy) if spec.lab_proxy else {}
        capture = CaptureSession(run_dir, confdir=home / "ca", addons=[*attached.addons, *net_addons, *spec.addons],
                                 options=options, meta={"kind": "lab", **attached.meta, **spec.meta,
                                                        "profile": getattr(profile, "name", None),
                                                        "tool_versions": tool_versions()}, **listen)
        capture.start()
        assert capture.address is not None and capture.store is not None
        keep_lab_files(spec, capture.store)
        attached.keep_inputs(capture.store)  # the world's geo table: in the run from the start
        capture.store.flush()  # committed now: a run cut by SIGKILL still has what places its flows
        emit("capture", f"proxy on {capture.address[0]}:{capture.address[1]}, recording into {run_dir}")
        if capture.proxy is not None and capture.proxy.access is not None:
            emit("capture", exposed_warning(f"{capture.address[0]}:{capture.address[1]}", capture.proxy.access))
        device = Device(ensure_server(attached.server), attached.serial, attached.server)
        session = DeviceSession(device, home, run=run_dir.name, handle_sigterm=False)
        lab = Lab(spec, attached, profile, capture, device, session, home, emit)

        def close_capture(exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
            if exc is not None and lab.status != "incomplete":
                # raised while the lab closed (a stop signal during the restore): the run is not complete
                lab.status, lab.reason = "incomplete", stop_reason(exc)
            capture.stop(lab.status, lab.reason)
            emit("capture", f"stopped; run {lab.status} in {run_dir}")
            return False

        stack.push(close_capture)
        previous = spec.on_flow

        def on_flow(record: Any) -> None:
            if previous is not None:
                previous(record)
            lab.pulse.notify()

        assert capture.recorder is not None
        capture.recorder.on_flow = on_flow
        try:
            stack.enter_context(session)
            stack.push(lambda exc_type, exc, tb: report_restore(lab, exc))
            stack.callback(close_apps, lab)
            if session.stale_report is not None:
                emit("device", f"restored changes an earlier run left on {device.serial}")
            prepare_device(lab)  # facts, logcat, proxy, CA, frida-server (harness.scenario.labdevice)
            stack.enter_context(open_door(lab))  # `harness hook` joins here (harness.scenario.join)
            lab.status = "running"
            yield lab
            lab.status = "complete"
        except BaseException as exc:
            lab.status = "incomplete"
            lab.reason = stop_reason(exc)
            raise


def stop_reason(exc: BaseException) -> str:
    """A run's ``status_reason`` for what ended it: ``interrupted by SIGINT`` for Ctrl-C (a
    ``KeyboardInterrupt``, or :class:`~harness.scenario.signals.Interrupted` naming its signal),
    else the error's text (its class name when it has none)."""
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted by {getattr(exc, 'name', None) or 'SIGINT'}"
    return str(exc) or type(exc).__name__
