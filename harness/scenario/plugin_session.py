"""The pytest plugin's session: its options read once, its target, and the lab factory.

:class:`HarnessSession` is made in ``pytest_configure`` (``config.stash[SESSION]``). It knows the
session id (a run id, ``YYYYMMDDTHHMMSSZ-xxxxxx``: :mod:`harness.runid`; handed by the xdist controller to its workers), the worker
(``main`` or ``gw0``, ``gw1``, ...), the worker's target (a :class:`~harness.scenario.VirtualTarget`
per lab — its own world root and handset, free ports — or the worker's serial of
``--harness-target S1,S2``: ``gw0`` takes S1, ``gw1`` S2, a handset of ``harness sim start --world W``
with its world as ``harness intercept --device`` finds it: harness.scenario.virtual.serial_target) and opens labs: :meth:`HarnessSession.open`
runs :func:`~harness.scenario.open_lab` into ``OUT/<session id>/<worker>/<module>/`` and, once the
lab is closed, writes that run's ``findings.json``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.errors import HarnessError, UsageError
from harness.runid import new_run_id
from harness.scenario.plugin_findings import lab_findings, restore_of
from harness.scenario.plugin_progress import FlowTicker, Progress
from harness.scenario.plugin_workers import parse_target, worker_of
from harness.scenario.spec import DEFAULT_WORLD
from harness.scenario.target import check_frida_options

if TYPE_CHECKING:
    from harness.scenario.lab import Lab

#: the profile of a phone when ``--harness-profile`` names none (PhoneTarget's default)
PHONE_PROFILE = "xiaomi-miui12-global"
#: ``--harness-out`` default: a folder of the current directory
DEFAULT_OUT = "harness-runs"


def new_session_id() -> str:
    """A fresh session id: a run id (:func:`harness.runid.new_run_id`, ``20261201T101530Z-3f9a1c``)."""
    return new_run_id()


class SessionInterrupted(Exception):
    """Raised into a lab closing after the session was interrupted, so that the lab closes its run
    ``incomplete`` with the reason (caught by :meth:`HarnessSession.open`)."""


@dataclass
class LabRun:
    """A lab this process opened: its module, device, run dir and how it ended."""

    module: str
    run_dir: Path
    device: str | None = None
    status: str = "incomplete"
    findings: Path | None = None
    problem: str | None = None
    home: Path | None = None
    #: the scenario name its findings are written under
    scenario: str | None = None
    #: the findings' ``restore`` record once the lab closed (harness.device.restore.restore_record)
    restore: dict[str, Any] | None = None


@dataclass
class HarnessSession:
    """What one pytest process of a harness session knows (see the module docstring)."""

    config: pytest.Config
    serials: list[str]
    world: str
    profile: str | None
    out: Path
    session_id: str
    worker: str
    worker_index: int
    progress: Progress
    labs: list[LabRun] = field(default_factory=list)
    #: the test running now (progress lines of its steps name it)
    nodeid: str | None = None
    #: the loaded --harness-policy (None: the analysis default) and --harness-geo-db
    policy: Any = None
    mmdb: Path | None = None
    #: --harness-hosts, --harness-upstream-ca, --harness-geo-overrides (harness.scenario.labnet)
    network: dict[str, Path | None] = field(default_factory=dict)
    #: the stop signal's name once the session was interrupted (Ctrl-C, or `harness run` passing
    #: on SIGINT/SIGTERM): labs closed afterwards are closed ``incomplete``
    interrupted: str | None = None
    #: ``session-start`` said (harness.scenario.pytest_plugin.announce: after collection)
    announced: bool = False
    #: labs closing now (and the session's findings being merged): a stop signal then is recorded,
    #: not raised, so the lab restores its device and closes its run ``incomplete`` first
    closing: int = 0
    #: a stop signal arrived while closing: raised once the lab is closed
    deferred: bool = False
    #: node ids of the tests that started (the others are ``not run`` when the session is stopped)
    started: set[str] = field(default_factory=set)
    #: :meth:`own_sigint` installed the session's SIGINT handler
    owns_sigint: bool = False
    _profile: Any = None
    _world_name: str | None = None
    _serial_target: Any = None

    @classmethod
    def from_config(cls, config: pytest.Config) -> HarnessSession:
        """Read and check the options; raises UsageError (bad target, world, profile, policy)."""
        from harness.scenario.profile import load_profile

        opt = config.getoption
        serials = parse_target(opt("harness_target"))
        worker, index, count = worker_of(config)
        wi = getattr(config, "workerinput", None) or {}
        session_id = str(wi.get("harness_session") or new_session_id())
        if serials and count > len(serials):
            raise UsageError(f"{count} xdist workers but {len(serials)} serial(s) in --harness-target",
                             fix="give one serial per worker (--harness-target S1,S2) or fewer workers (-n)")
        world = str(opt("harness_world"))
        profile = opt("harness_profile")
        progress = Progress(opt("harness_progress"), worker)
        session = cls(config, serials, world, profile, Path(opt("harness_out")).absolute(), session_id, worker,
                      index, progress)
        # what the user named is checked now (one line, before anything starts); the defaults when needed
        check_frida_options(opt("harness_frida"), opt("harness_frida_address"), "--harness-frida")
        if profile:
            session.loaded_profile = load_profile(profile)
        if serials:
            session.target()  # a bad Frida transport or address fails here
        if not serials and world != DEFAULT_WORLD:
            session.world_name  # noqa: B018 - a bad world fails here
        if opt("harness_policy"):
            from harness.analysis.policy import load_policy

            session.policy = load_policy(opt("harness_policy"))
        if opt("harness_geo_db"):
            session.mmdb = Path(opt("harness_geo_db"))
            if not session.mmdb.is_file():
                raise UsageError(f"--harness-geo-db {str(session.mmdb)[:80]}: no such file",
                                 fix="give a MaxMind GeoIP2/GeoLite2 .mmdb file")
        session.network = {key: Path(opt(f"harness_{key}")) if opt(f"harness_{key}") else None
                           for key in ("hosts", "upstream_ca", "geo_overrides")}
        session.check_network()
        return session

    def check_network(self) -> None:
        """The lab network's files are read now (one line naming the file and option on error)."""
        from harness.scenario.labnet import check_file

        for key, value in self.network.items():
            if value is None:
                continue
            try:
                check_file(key, value)
            except HarnessError as exc:
                raise UsageError(f"--harness-{key.replace('_', '-')}: {exc.reason}", fix=exc.fix) from None

    @property
    def loaded_profile(self) -> Any:
        """The session's profile (for ``app(role)``), loaded once."""
        if self._profile is None:
            from harness.scenario.profile import load_profile

            default = getattr(self.target(), "profile", PHONE_PROFILE) if self.serials else "virtual-vendor"
            self._profile = load_profile(self.profile or default)
        return self._profile

    @loaded_profile.setter
    def loaded_profile(self, value: Any) -> None:
        self._profile = value

    @property
    def world_name(self) -> str | None:
        """The virtual world's name (for ``world(name)``): of ``--harness-world``, or of the handset
        ``harness sim start --world W`` started under this worker's serial; None on phones."""
        if self.serials:
            return getattr(self.target(), "world_name", None)
        if self._world_name is None:
            from harness.scenario.virtual import VirtualTarget

            self._world_name = VirtualTarget(self.world).world_name
        return self._world_name

    # -- the target ------------------------------------------------------------------------------

    @property
    def serial(self) -> str | None:
        """This worker's phone serial, or None on virtual handsets."""
        return self.serials[self.worker_index] if self.serials else None

    @property
    def session_dir(self) -> Path:
        return self.out / self.session_id

    def target(self) -> Any:
        opt = self.config.getoption
        if self.serial is None:
            from harness.scenario.virtual import VirtualTarget

            return VirtualTarget(self.world)
        if self._serial_target is None:  # a sim handset's world found as `harness intercept --device` does
            from harness.scenario.spec import home_of
            from harness.scenario.virtual import serial_target

            self._serial_target = serial_target(home_of(None), self.serial, opt("harness_adb"),
                                                frida=opt("harness_frida"), frida_address=opt("harness_frida_address"),
                                                profile=PHONE_PROFILE)
        return self._serial_target

    @property
    def controller(self) -> bool:
        """True in the xdist controller (it runs no test; its workers take the serials)."""
        return self.worker == "main" and bool(self.config.getoption("numprocesses", None))

    def describe_target(self) -> str:
        """``virtual``, this worker's serial, or (the xdist controller) every serial."""
        if not self.serials:
            return "virtual"
        return ",".join(self.serials) if self.controller else str(self.serial)

    def spec(self, run_dir: Path, ticker: FlowTicker) -> Any:
        """The LabSpec of a lab recording into ``run_dir`` (``OUT/<session>/<worker>/<module>``);
        its run id ``<session>.<worker>.<module>`` is unique across workers and sessions."""
        from harness.scenario.spec import LabSpec

        return LabSpec(self.target(), profile=self.profile, run_dir=run_dir, handle_signals=False,
                       mmdb=self.mmdb, policy=self.policy, hosts_file=self.network.get("hosts"),
                       upstream_ca=self.network.get("upstream_ca"), geo_overrides=self.network.get("geo_overrides"),
                       meta={"run_id": f"{self.session_id}.{self.worker}.{run_dir.name}",
                             "pytest": {"session": self.session_id, "worker": self.worker}},
                       on_flow=ticker.count)

    # -- labs ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def open(self, module: str, scenario: str | None = None) -> Iterator[Lab]:
        """A lab for ``module`` in ``OUT/<session id>/<worker>/<module>/``; on close, the run's
        ``findings.json`` (a failure to build it is reported as a warning, the run is kept)."""
        from harness.scenario.lab import open_lab

        run_dir = self.session_dir / self.worker / module
        record = LabRun(module, run_dir, scenario=scenario or module)
        self.labs.append(record)
        ticker = FlowTicker(self.progress)
        spec = self.spec(run_dir, ticker)
        spec.emit = self._emitter(ticker)
        ticker.start()
        self.own_sigint()
        first = all(lab_run.device is None for lab_run in self.labs)
        closing = raised = False
        lab = None
        try:
            with contextlib.ExitStack() as stack:
                lab = self._enter(stack, open_lab(spec), first)
                record.device, record.home = lab.serial, lab.home
                self.progress.emit("lab-open", module=module, device=lab.serial, run_dir=str(run_dir))
                try:
                    yield lab
                finally:
                    closing = True
                    self.closing += 1  # a stop signal from here on waits until the lab closed
                if self.interrupted:  # pytest tears fixtures down normally after Ctrl-C: say why here
                    raise SessionInterrupted(f"the session was interrupted by {self.interrupted}")
            record.status = "complete"
        except SessionInterrupted as exc:  # the lab closed its run incomplete, with this reason
            record.problem = str(exc)
        except BaseException as exc:
            raised = True
            record.problem = str(exc)[:200] or type(exc).__name__
            raise
        finally:
            ticker.stop()
            record.restore = restore_of(lab)
            try:
                if self.interrupted is not None:  # a signal while the lab closed: one status everywhere
                    self._stopped(record)
                # the restore's one line (harness.report.labels.restore_text), so the console says it (trial 6b N7)
                self.progress.emit("lab-close", module=module, status=record.status, device=record.device,
                                   restore=(record.restore or {}).get("text"))
                if run_dir.is_dir():
                    self._findings(record, scenario or module)
            finally:
                self.closing -= closing
                if self.deferred and not self.closing and not raised:
                    self.deferred = False
                    raise KeyboardInterrupt  # the signal that came while the lab closed stops the session

    def settle_interrupted(self) -> None:
        """After a stop signal: the labs this process closed ``complete`` before it came are made
        ``incomplete`` too (their stores and findings), so the whole session says so."""
        if self.interrupted is None:
            return
        for record in self.labs:
            if record.status == "complete" and record.run_dir.is_dir():
                self._stopped(record)
                self._findings(record, record.scenario or record.module)

    def _stopped(self, record: LabRun) -> None:
        """The lab's run, closed ``complete`` before the session's stop signal was seen, becomes
        ``incomplete`` (``interrupted by SIG...``): the lab, its findings and the session agree."""
        from harness.capture.store import RunStore

        record.status = "incomplete"
        record.problem = record.problem or f"the session was interrupted by {self.interrupted}"
        with contextlib.suppress(HarnessError, OSError):
            RunStore.mark_incomplete(record.run_dir, f"interrupted by {self.interrupted}")

    def own_sigint(self) -> None:
        """From the first lab on, SIGINT (Ctrl-C, or ``harness run`` passing a stop signal on) is
        seen by the session at once (:meth:`on_stop_signal`): a signal while a lab closes does not
        race the run's status. The previous handler comes back when pytest unconfigures."""
        import signal
        import threading

        if self.owns_sigint or threading.current_thread() is not threading.main_thread():
            return
        previous = signal.signal(signal.SIGINT, self.on_stop_signal)
        self.owns_sigint = True

        def give_back() -> None:
            signal.signal(signal.SIGINT, previous)

        self.config.add_cleanup(give_back)

    def on_stop_signal(self, signum: int, frame: Any) -> None:
        """The pytest process's SIGINT handler: remember the signal at once; raise
        ``KeyboardInterrupt`` (pytest's Ctrl-C) unless a lab is closing — then the lab finishes
        closing (device restored, run ``incomplete``) and :meth:`open` raises it."""
        import signal

        from harness.scenario.cutoff import announced_stop

        # harness run's word first: under xdist the controller stops each worker with SIGINT
        self.interrupted = self.interrupted or announced_stop(self.config) or signal.Signals(signum).name
        if self.closing:
            self.deferred = True
            return
        raise KeyboardInterrupt

    def _enter(self, stack: contextlib.ExitStack, opening: Any, first: bool) -> Lab:
        """Open the lab. A phone the adb server does not know (or refuses) when this process opens
        its first lab stops the session with one line and pytest's usage-error status (4) instead of
        one error per module; later the same error is that module's (a phone unplugged mid-session)."""
        from harness.errors import DeviceError

        try:
            return stack.enter_context(opening)
        except DeviceError as exc:
            if first and self.serial is not None:
                pytest.exit(f"harness: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
            raise

    def _findings(self, record: LabRun, scenario: str) -> None:
        try:
            record.findings = lab_findings(record.run_dir, scenarios=[scenario],
                                           world=self.world_name,
                                           profile=getattr(self.loaded_profile, "name", self.profile),
                                           home=record.home, policy=self.policy, mmdb=self.mmdb,
                                           extra={"restore": record.restore} if record.restore else None)
        except (HarnessError, OSError, ValueError, ImportError) as exc:
            record.problem = f"findings of {record.run_dir} not written: {str(exc)[:200]}"
            self.warn(record.problem)

    def warn(self, text: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"harness: {text}", yellow=True)

    def _emitter(self, ticker: FlowTicker) -> Any:
        """The lab's ``emit``: step lines become ``step-start`` / ``step-end`` progress lines."""
        session = self

        def emit(stage: str, text: str) -> None:
            if stage != "step":
                return
            step_id, _, rest = text.partition(": ")
            if rest.startswith("done,"):
                m = re.match(r"done, (\d+) flows, settled by (\w+)", rest)
                ticker.tick()
                session.progress.emit("step-end", step_id=step_id, flows=int(m.group(1)) if m else None,
                                      settled_by=m.group(2) if m else None)
            elif rest != "marked":
                session.progress.emit("step-start", nodeid=session.nodeid, step_id=step_id,
                                      name=rest.split(" {", 1)[0])

        return emit
