"""A complete lab on one host for tests: the virtual vendor world, the virtual handset, the capture
proxy, and the handset prepared through the device layer (restore journal, proxy via ``adb
reverse``, the harness CA in the system store), as a lab technician prepares a rooted phone.

    with start_lab(tmp / "lab", world="ncsc-2021") as lab:
        hook = lab.launch_hooked("com.vendor.browser", ["unpin", "crypto"])
        ...
        lab.flows(lambda f: f.server_host == "tracking.intl.vendor.test")

In pytest (``pytest_plugins = ["harness.testing.lab"]`` or import the fixtures): ``vendor_lab``
(module scope) is a started :class:`Lab` in the world named by the ``lab_world`` fixture
(default ``ncsc-2021``; override it in a module or conftest). Everything is stopped and the
device restored when the module ends, also after a failure.
"""

from __future__ import annotations

import contextlib
import shlex
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.errors import SimError

if TYPE_CHECKING:
    from harness.capture.records import AgentEvent, FlowRecord
    from harness.capture.session import CaptureSession
    from harness.device.adb import Device
    from harness.device.cacert import CaInstall
    from harness.device.logcat import LogLine
    from harness.device.proxy import ProxySetup
    from harness.device.session import DeviceSession
    from harness.instrument.session import HookSession
    from harness.sim.handset import VirtualHandset
    from harness.sim.world import World

DEFAULT_WORLD = "ncsc-2021"
PERSONALITY = "miui-android10"


class LabTimeout(SimError):
    """Something the virtual lab always produces did not appear in time."""


@dataclass
class Lab:
    """World + handset + proxy, with the handset prepared through ``harness.device``."""

    world: World
    handset: VirtualHandset
    capture: CaptureSession
    device: Device
    session: DeviceSession
    proxy: ProxySetup
    ca: CaInstall
    home: Path
    #: how long each wait of the helpers may take (seconds)
    timeout: float = 30.0

    @property
    def serial(self) -> str:
        return self.device.serial

    # -- apps -------------------------------------------------------------------------------------

    def pidof(self, package: str) -> int | None:
        from harness.device import apps

        pids = apps.pid_of(self.device, package)
        return pids[0] if pids else None

    def start_app(self, package: str, activity: str | None = None) -> int:
        """``am force-stop`` then ``am start -W``; the app's pid."""
        from harness.device import apps

        apps.force_stop(self.device, package)
        apps.launch(self.device, package, activity, wait=True)
        return apps.wait_running(self.device, package, timeout=self.timeout)[0]

    def launch_hooked(self, package: str, agents: Iterable[str],
                      configs: dict[str, dict[str, Any]] | None = None, *,
                      activity: str | None = None, before_release: Callable[[HookSession], None] | None = None,
                      ) -> HookSession:
        """Start ``package`` waiting for a debugger (``am start -D``), attach Frida (local device:
        the handset's apps are host JVMs), load ``agents``, then release it (``am sim-release``),
        so the agents see the app's very first action. Events go to the run store, stamped with
        the capture timeline's step."""
        from harness.device import apps
        from harness.instrument import HookSession, store_sink
        from harness.instrument.devices import local_device

        assert self.capture.store is not None
        apps.force_stop(self.device, package)
        apps.launch(self.device, package, activity, wait=False, debug=True)

        def release() -> None:
            self.device.sh(f"am sim-release {shlex.quote(package)}", check=True,
                           attempted="release wait-for-debugger")

        hook = HookSession.attach_package(
            local_device(), package, self.pidof, wait=self.timeout, release=release,
            timeline=self.capture.timeline, sinks=[store_sink(self.capture.store)], serial=self.serial,
            timeout=self.timeout)
        try:
            for agent in agents:
                hook.load(agent, (configs or {}).get(agent))
            if before_release is not None:
                before_release(hook)
            hook.resume()
        except BaseException:
            hook.close()
            raise
        return hook

    def stop_app(self, package: str) -> None:
        from harness.device import apps

        apps.force_stop(self.device, package)

    def log(self, tag: str | None = None, pid: int | None = None) -> list[LogLine]:
        """The device log (``logcat -d`` through adb), optionally one tag and one pid."""
        from harness.device.logcat import read_log

        return [ln for ln in read_log(self.device, (tag,) if tag else ())
                if (tag is None or ln.tag == tag) and (pid is None or ln.pid == pid)]

    def wait_log(self, tag: str, predicate: Callable[[str], bool], *, pid: int | None = None,
                 what: str = "log line") -> str:
        """The first log message of ``tag`` (and ``pid``) matching ``predicate``, bounded."""
        try:
            return wait_until(lambda: next((ln.message for ln in self.log(tag, pid) if predicate(ln.message)),
                                           None), self.timeout, f"{what} ({tag})", serial=self.serial)
        except LabTimeout as exc:
            recent = "\n".join(f"{ln.level}/{ln.tag}({ln.pid}): {ln.message}" for ln in self.log()[-25:])
            raise LabTimeout(f"{exc.reason}; last log lines:\n{recent}", fix=exc.fix, serial=exc.serial,
                             attempted=exc.attempted) from None

    # -- the run store ----------------------------------------------------------------------------

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

    def wait_flows(self, predicate: Callable[[FlowRecord], bool], what: str = "flow") -> list[FlowRecord]:
        return wait_until(lambda: self.flows(predicate), self.timeout, what, serial=self.serial)

    @contextlib.contextmanager
    def step(self, step_id: str, name: str | None = None, action: str | None = None,
             info: dict[str, Any] | None = None) -> Iterator[str]:
        """A scenario step on the capture timeline: flows and agent events started inside carry it.
        ``info`` is kept with the step (e.g. a filtering probe, docs/dev/contracts.md section 4)."""
        self.capture.timeline.begin(step_id, name or step_id, action=action, info=info)
        try:
            yield step_id
        finally:
            self.capture.timeline.end()


def wait_until(probe: Callable[[], Any], timeout: float, what: str, *, interval: float = 0.25,
               serial: str | None = None) -> Any:
    """Poll ``probe`` until it returns something truthy; :class:`LabTimeout` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise LabTimeout(f"{what}: nothing within {timeout:g}s", serial=serial, attempted="wait",
                             fix="look at the handset's logcat and the run store; a very busy machine "
                                 "may need a longer timeout")
        time.sleep(interval)


@contextlib.contextmanager
def start_lab(root: Path, world: str = DEFAULT_WORLD, *, personality: str = PERSONALITY,
              extra_props: dict[str, str] | None = None, timeout: float = 30.0) -> Iterator[Lab]:
    """World, handset, capture and device preparation; all undone on exit (device restored through
    its journal, apps stopped, proxy and world stopped), also when set-up fails half way."""
    from harness.capture.session import CaptureSession
    from harness.device.adb import AdbServer, Device, ensure_server
    from harness.device.cacert import install_system_ca
    from harness.device.proxy import setup_proxy
    from harness.device.session import DeviceSession
    from harness.sim.handset import HandsetConfig
    from harness.sim.world import World, load_world
    from harness.testing.sim import start_handset, stop_handset

    root = Path(root)
    with contextlib.ExitStack() as stack:
        world_ = World(load_world(world), root / "world")
        world_.start()
        stack.callback(world_.stop)
        client = ensure_server(AdbServer.parse(None))
        handset = start_handset(HandsetConfig(
            state_dir=root / "phone", personality=personality, hosts_file=world_.hosts_file,
            extra_props={**world_.props(), **(extra_props or {})}, extra_system_cas=[world_.ca_cert_path]))
        stack.callback(stop_handset, handset)
        capture = CaptureSession(root / "run", confdir=root / "proxy-ca", addons=[world_.addon()],
                                 options=world_.proxy_options(), meta={"kind": "lab", "world": world})
        capture.start()
        stack.callback(capture.stop)
        assert capture.address is not None
        device = Device(client, handset.serial)
        home = root / "home"
        session = DeviceSession(device, home, run=capture.run_dir.name, handle_sigterm=False)
        session.__enter__()
        stack.callback(session.__exit__, None, None, None)
        assert handset.device is not None
        stack.callback(handset.device.apps.stop_all)  # before the restore: no app keeps running
        ca = install_system_ca(session, capture.ca.cert.read_bytes())
        proxy = setup_proxy(session, capture.address[1])
        yield Lab(world=world_, handset=handset, capture=capture, device=device, session=session,
                  proxy=proxy, ca=ca, home=home, timeout=timeout)


@pytest.fixture(scope="module")
def lab_world() -> str:
    """The world ``vendor_lab`` runs; override in a test module to choose another."""
    return DEFAULT_WORLD


@pytest.fixture(scope="module")
def vendor_lab(lab_world: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A started :class:`Lab` for one test module (per xdist worker)."""
    with start_lab(tmp_path_factory.mktemp("lab"), lab_world) as lab:
        yield lab
