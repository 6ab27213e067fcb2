"""pytest plugin of the harness (entry point ``pytest11``): scenario packs as tests; docs/scenarios.md.

Options (group ``harness``): ``--harness-target virtual|SERIAL[,SERIAL...]`` (``--harness-device``
is an alias), ``--harness-world NAME|FILE``, ``--harness-profile NAME|FILE``, ``--harness-out DIR``,
``--harness-geo-db FILE``, ``--harness-policy FILE``, ``--harness-adb HOST:PORT``, the lab network's
``--harness-hosts FILE``, ``--harness-upstream-ca FILE`` and ``--harness-geo-overrides FILE``
(harness.scenario.labnet),
``--harness-frida usb|remote|forward|local``, ``--harness-frida-address HOST:PORT``,
``--harness-progress FILE`` (harness.scenario.plugin_progress).

Markers (harness.scenario.plugin_markers): ``claim(text)`` (one sentence; a bare ``claim`` claims
the first line of the test's docstring, else its name; other arguments are a usage error), ``app(role)`` (skipped when the
profile lacks the role), ``needs_root`` (skipped on a device without root), ``world(name)`` (skipped
on a phone or in another virtual world).

Fixtures: ``harness_session`` (session: the lab factory, :class:`HarnessSession`), ``lab``
(module: one lab per test module in ``OUT/<session id>/<worker>/<module>/``), ``verdict``
(function: harness.scenario.plugin_verdict). A failed test's flows, logcat slice, screenshot and
agent events are kept in the run dir (harness.scenario.plugin_artifacts). At session end
``OUT/<session id>/findings.json`` merges every lab's findings (per device; under xdist the
controller merges its workers' labs, a crashed worker's included: harness.scenario.plugin_crash)
and the terminal summary prints its path; pytest's ``--junitxml`` file is amended with the claims'
verdicts and devices (harness.scenario.plugin_junit).

Errors of the options (unknown world or profile, bad target, a marker with a wrong argument) are
:class:`pytest.UsageError` (one line; pytest exit status 4).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from harness.errors import HarnessError
from harness.scenario.plugin_markers import claim_text, marker_problem, place
from harness.scenario.plugin_session import DEFAULT_OUT, HarnessSession, new_session_id
from harness.scenario.plugin_verdict import STATE_KEY, TestState, VerdictRecorder, inconclusive
from harness.scenario.results import Inconclusive
from harness.scenario.spec import DEFAULT_WORLD
from harness.scenario.target import FRIDA_TRANSPORTS

SESSION = pytest.StashKey[HarnessSession]()
FINDINGS = pytest.StashKey["str | None"]()
#: the xdist controller's record of its workers' tests and crashes (harness.scenario.plugin_crash)
CRASHES = pytest.StashKey[Any]()
MARKERS = (
    "claim(text): the sentence the test checks (one str; bare: the first line of the test's docstring, else "
    "its name); kept in claims.jsonl and JUnit properties",
    "app(role): the app role of the profile the test drives; skipped when the profile lacks it",
    "needs_root: skipped on a device without root",
    "world(name): needs this virtual vendor world; skipped on a phone or in another world",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "Android interception harness")
    group.addoption("--harness-target", "--harness-device", dest="harness_target", default="virtual",
                    metavar="virtual|SERIAL[,SERIAL...]",
                    help="a virtual handset per lab (default), or the adb serial(s) of phones; under -n N "
                         "worker i takes serial i")
    group.addoption("--harness-world", dest="harness_world", default=DEFAULT_WORLD, metavar="NAME|FILE",
                    help="virtual vendor world of the virtual handset: compliant, ncsc-2021, list-not-enforced "
                         f"or a world YAML file (default: {DEFAULT_WORLD})")
    group.addoption("--harness-profile", dest="harness_profile", default=None, metavar="NAME|FILE",
                    help="app profile (default: virtual-vendor on a virtual handset, xiaomi-miui12-global on "
                         "a phone)")
    group.addoption("--harness-out", dest="harness_out", default=DEFAULT_OUT, metavar="DIR",
                    help=f"where sessions are recorded: DIR/<session id>/ (default: ./{DEFAULT_OUT})")
    group.addoption("--harness-geo-db", dest="harness_geo_db", default=None, metavar="FILE",
                    help="MaxMind GeoIP2/GeoLite2 .mmdb database for the server countries (`harness run` and "
                         "`harness analyze`: --mmdb)")
    group.addoption("--harness-policy", dest="harness_policy", default=None, metavar="FILE",
                    help="policy YAML (adequacy countries, PII rules) for the analysis (`harness run`: --policy)")
    group.addoption("--harness-adb", dest="harness_adb", default=None, metavar="HOST:PORT",
                    help="adb server of the phones (default: the local one)")
    group.addoption("--harness-hosts", dest="harness_hosts", default=None, metavar="FILE",
                    help="the lab network's host names: a hosts file (ADDRESS NAME...) the proxy connects by")
    group.addoption("--harness-upstream-ca", dest="harness_upstream_ca", default=None, metavar="FILE",
                    help="CA certificate (PEM) of the lab's own servers, trusted for upstream TLS")
    group.addoption("--harness-geo-overrides", dest="harness_geo_overrides", default=None, metavar="FILE",
                    help="the lab's CIDR -> country table (YAML, JSON or CSV, as for `harness analyze`)")
    group.addoption("--harness-frida", dest="harness_frida", default="usb", choices=FRIDA_TRANSPORTS,
                    help="how Frida reaches a phone's apps (default: usb)")
    group.addoption("--harness-frida-address", dest="harness_frida_address", default=None, metavar="HOST:PORT",
                    help="frida-server address for --harness-frida remote")
    group.addoption("--harness-progress", dest="harness_progress", default=None, metavar="FILE",
                    help="append progress as JSON lines to FILE (read by `harness run`)")


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    from harness.scenario.plugin_warnings import ignore_mitmproxy_warnings

    ignore_mitmproxy_warnings(config)  # mitmproxy's internals, not the lab's tests
    try:
        session = HarnessSession.from_config(config)
        n = config.getoption("numprocesses", None) if not hasattr(config, "workerinput") else None
        if session.serials and isinstance(n, int) and n > len(session.serials):
            raise pytest.UsageError(f"-n {n} xdist workers but {len(session.serials)} serial(s) in "
                                    "--harness-target (fix: give one serial per worker)")
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SESSION] = session
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(session), "harness-xdist")


class XdistHooks:
    """Hands the controller's session id to each worker (``workerinput``); the controller says
    ``session-start`` when a worker starts the first test (its collection went through: a worker
    stopped by a marker problem still reports its collection finished), and watches for workers
    that die (harness.scenario.plugin_crash: their labs are closed and claims kept at session end)."""

    def __init__(self, session: HarnessSession) -> None:
        from harness.scenario.plugin_crash import CrashWatch

        self.session = session
        self.crashes = CrashWatch()
        #: worker id -> index of its target (its serial of --harness-target S1,S2)
        self.indexes: dict[str, int] = {}
        session.config.stash[CRASHES] = self.crashes

    def pytest_configure_node(self, node: Any) -> None:
        """The session id, and the worker's target index: ``gwN`` takes serial N; xdist's
        replacement of a crashed worker (``gw2`` of ``-n 2``) takes the serial its dead one freed."""
        from harness.scenario.plugin_crash import worker_id

        node.workerinput["harness_session"] = self.session.session_id
        name = worker_id(node)
        wanted = int("".join(c for c in name if c.isdigit()) or 0)
        taken = set(self.indexes.values())
        index = wanted if wanted not in taken and wanted < int(node.workerinput.get("workercount", 1)) \
            else next(i for i in range(len(taken) + 1) if i not in taken)
        self.indexes[name] = node.workerinput["harness_index"] = index

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if self.session.controller:
            announce(self.session)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.session.controller:
            self.crashes.seen(report)

    def pytest_handlecrashitem(self, crashitem: str, report: pytest.TestReport, sched: Any) -> None:
        """A worker died running ``crashitem``: the test's report names the verdict ``error`` and
        its device; the progress stream ends that test ``error``."""
        from harness.scenario.plugin_junit import crash_properties

        facts = self.crashes.crashed(report)
        crash_properties(self.session.config, report)
        self.session.progress.emit("test-end", nodeid=crashitem, claim=facts.get("text"), verdict="error",
                                   evidence=0)

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        from harness.scenario.plugin_crash import worker_id

        self.crashes.down(node, error)
        self.indexes.pop(worker_id(node), None)  # its serial is free for a replacement


def announce(hs: HarnessSession) -> None:
    """Make the session's folder ``OUT/<session id>`` and say ``session-start`` (progress stream),
    once, after collection found no error: bad input in a scenario file (a marker, an import)
    stops the session before it names a folder that would never be made."""
    if hs.announced or hs.progress.path is None:
        return
    from harness.fsutil import private_dir

    hs.announced = True
    private_dir(hs.session_dir)
    hs.progress.emit("session-start", target=hs.describe_target(), world=hs.world_name, profile=hs.profile,
                     out=str(hs.session_dir))


def pytest_collection_finish(session: pytest.Session) -> None:
    """In each process that collects (not xdist's controller: XdistHooks); pytest calls it also
    after a marker problem stopped the collection (then nothing is said)."""
    hs = session.config.stash.get(SESSION, None)
    if hs is None or not session.items or session.testsfailed:
        return
    if not any(marker_problem(item) for item in session.items):
        announce(hs)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A marker with a wrong argument stops the session at collection, before any lab starts: one
    line naming the file, line and test, and the fix (harness.scenario.plugin_markers)."""
    for item in items:
        problem = marker_problem(item)
        if problem is not None:
            file, line = place(item)
            raise pytest.UsageError(f"{file}:{line}: {item.name}: {problem[0]} (fix: {problem[1]})")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    hs = item.config.stash.get(SESSION, None)
    if hs is None:
        return
    world = item.get_closest_marker("world")
    if world is not None:
        wanted = world.args[0]
        if hs.serial is not None and hs.world_name is None:
            pytest.skip(f"needs the virtual world {wanted!r}; running on the phone {hs.serial}")
        if wanted not in ((hs.world, hs.world_name) if hs.serial is None else (hs.world_name,)):
            pytest.skip(f"needs the virtual world {wanted!r}; this session runs {hs.world_name!r}")
    app = item.get_closest_marker("app")
    if app is not None and app.args[0] not in hs.loaded_profile.apps:
        pytest.skip(f"the profile {hs.loaded_profile.name!r} has no app role {app.args[0]!r}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    hs = item.config.stash.get(SESSION, None)
    if hs is not None and hs.interrupted is not None:
        raise KeyboardInterrupt  # the session saw a stop signal (held back while a lab closed): no new test
    if hs is not None:
        hs.nodeid = item.nodeid
        hs.started.add(item.nodeid)
        hs.progress.emit("test-start", nodeid=item.nodeid, claim=claim_text(item))
    try:
        return (yield)
    except KeyboardInterrupt as exc:  # Ctrl-C, or harness.scenario.signals.Interrupted
        if hs is not None:
            hs.interrupted = hs.interrupted or getattr(exc, "name", None) or "SIGINT"
        raise
    finally:
        if hs is not None:
            from harness.scenario.cutoff import record_cut
            from harness.scenario.plugin_artifacts import outcome_of

            record_cut(item, item.stash.get(STATE_KEY, None))  # a claim the signal cut off: not run
            verdict, evidence = outcome_of(item)
            hs.progress.emit("test-end", nodeid=item.nodeid, claim=claim_text(item), verdict=verdict,
                             evidence=evidence)
            hs.nodeid = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """A claim that could not be observed: the test is skipped ``inconclusive: ...``."""
    try:
        return (yield)
    except Inconclusive as exc:
        reason = inconclusive(item, item.stash.get(STATE_KEY, None), exc)
        pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                               ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    from harness.scenario.plugin_artifacts import after_report
    from harness.scenario.plugin_verdict import crashed

    after_report(item, call, report)
    state = item.stash.get(STATE_KEY, None)
    if report.when == "setup" and state is not None:  # for xdist's controller, should this worker die
        from harness.scenario.plugin_crash import FACTS_ATTR, setup_facts

        setattr(report, FACTS_ATTR, setup_facts(item, state))
    if report.when == "call" and report.failed:
        try:
            crashed(item, item.stash.get(STATE_KEY, None), report)
        except (HarnessError, OSError) as exc:  # a report hook must not raise (pytest INTERNALERROR)
            report.sections.append(("harness", f"the claim's error record was not kept: {str(exc)[:200]}"))
    return report


@pytest.hookimpl(trylast=True)  # after pytest's own finish tore the labs down (after Ctrl-C too)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    hs = config.stash.get(SESSION, None)
    if hs is None:
        return
    findings = None
    hs.closing += 1  # a stop signal now is recorded: the session's documents are written first
    try:
        hs.settle_interrupted()
        if hs.worker == "main":
            from harness.scenario.plugin_findings import merge_session, not_run

            try:
                if CRASHES in config.stash:  # workers that died: their labs closed, claims kept
                    from harness.scenario.plugin_crash import settle

                    settle(hs, config.stash[CRASHES])
                if hs.interrupted is not None and not hs.controller:
                    not_run(hs, [item for item in session.items if item.nodeid not in hs.started], claim_text)
                path = merge_session(hs.session_dir)
                findings = str(path) if path is not None else None
            except (HarnessError, OSError, ValueError, ImportError) as exc:
                hs.warn(f"the session's findings.json was not written: {str(exc)[:200]}")
            config.stash[FINDINGS] = findings
            junit(hs)
            hs.progress.emit("session-end", findings=findings, exitstatus=int(exitstatus))
    finally:
        hs.closing -= 1
        hs.progress.close()


def junit(hs: HarnessSession) -> None:
    """pytest's ``--junitxml`` file told the claims' verdicts and devices (harness.scenario.plugin_junit)."""
    import xml.etree.ElementTree as ET

    from harness.scenario.plugin_junit import amend, junit_path

    path = junit_path(hs.config)
    if path is None:
        return
    try:
        amend(path)
    except (OSError, ET.ParseError) as exc:
        hs.warn(f"{path}: the claims' verdicts were not added: {str(exc)[:200]}")


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    hs = config.stash.get(SESSION, None)
    if hs is None or hs.worker != "main":
        return
    findings = config.stash.get(FINDINGS, None)
    if findings:
        terminalreporter.write_line(f"harness: findings of session {hs.session_id} in {findings}")
    elif hs.session_dir.is_dir():
        terminalreporter.write_line(f"harness: session {hs.session_id} recorded in {hs.session_dir}")


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def harness_session(pytestconfig: pytest.Config) -> HarnessSession:
    """The session's lab factory: ``with harness_session.open("name") as lab: ...``."""
    return pytestconfig.stash[SESSION]


def module_key(request: pytest.FixtureRequest) -> str:
    """The run directory's name of a module's lab: the module's import name
    (``harness.packs.ncsc_2021.test_claims``, ``scenarios.ncsc_2021.test_claims``, ``test_x``)."""
    name = getattr(request.module, "__name__", "") or request.node.path.stem
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "module"  # never "..", never absolute


@pytest.fixture(scope="module")
def lab(request: pytest.FixtureRequest, harness_session: HarnessSession) -> Iterator[Any]:
    """One :class:`~harness.scenario.Lab` per test module (one proxy per process), restored after."""
    key = module_key(request)
    with harness_session.open(key, scenario=str(request.node.nodeid)) as opened:
        yield opened


@pytest.fixture(autouse=True)
def _harness_test(request: pytest.FixtureRequest) -> None:
    """A test of a lab: remember where its steps and log lines begin; ``needs_root``."""
    if "lab" not in request.fixturenames:
        return
    from harness.scenario.lab import Lab

    opened = request.getfixturevalue("lab")
    if not isinstance(opened, Lab):  # a project's own fixture named lab
        return
    item = request.node
    from harness.report.provenance import record_test_module

    record_test_module(opened.capture.store, item.path)  # the code deciding this lab's verdicts, for its bundle (once per lab)
    item.stash[STATE_KEY] = TestState(opened, len(opened.steps), opened.logs.count, claim_text(item))
    item.user_properties.append(("device", opened.serial))  # JUnit: which device (a farm has several)
    if item.get_closest_marker("needs_root") is not None:
        root = getattr(opened.facts, "root_method", None)
        if not root or root == "none":
            pytest.skip(f"needs root; the device {opened.serial} has none")


@pytest.fixture
def verdict(request: pytest.FixtureRequest, lab: Any) -> VerdictRecorder:  # noqa: ARG001 - opens the lab
    """``verdict.record(result)``: keep the claim, fail the test when it is violated."""
    return VerdictRecorder(request.node, request.node.stash[STATE_KEY])


__all__ = ["HarnessSession", "harness_session", "lab", "new_session_id", "verdict"]
