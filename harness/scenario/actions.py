"""What a scenario does to the handset, by app role: launch, search, open a URL, trigger, clear
data, set the region. Mixed into :class:`harness.scenario.lab.Lab`.

Each action resolves the role through the lab's app profile (package, activity, how the app
searches, its log tags), goes through ``harness.device`` (adb) and ``harness.instrument`` (Frida)
as on any phone, and tells the current step what it waits for. Raises
:class:`~harness.errors.UsageError` naming the profile and key for a role the profile lacks.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from harness.errors import DeviceError, UsageError
from harness.scenario.logwatch import renders, search_failures
from harness.scenario.results import Inconclusive

if TYPE_CHECKING:
    from harness.instrument.session import HookSession
    from harness.scenario.lab import Lab

#: how long an app released under Frida may take to log anything before it is started again
#: (frida-java-bridge on HotSpot occasionally stalls a freshly released virtual app), and how often
START_GRACE = 10.0
START_ATTEMPTS = 3
WEB_SEARCH = "android.intent.action.WEB_SEARCH"
VIEW = "android.intent.action.VIEW"


class LabActions:
    """Actions by role; ``self`` is a :class:`~harness.scenario.lab.Lab`."""

    def __init__(self) -> None:
        #: Frida sessions by app role (closed when the app is stopped or the lab closes)
        self.hooks: dict[str, HookSession] = {}
        #: packages the lab started (stopped on close)
        self.started: set[str] = set()
        self._tags: dict[str, tuple[str, ...]] = {}
        #: package -> pid of the app the lab launched and expects alive (cleared at stop)
        self.alive: dict[str, int] = {}

    # -- helpers ---------------------------------------------------------------------------------

    def app(self: Lab, role: str) -> Any:  # type: ignore[misc]
        app = self.profile.app(role)
        self._tags[app.package] = tuple(app.log_tags or ())
        step = self.current_step
        if step is not None and app.package not in step.packages:
            step.packages.append(app.package)
        return app

    def app_tags(self, package: str) -> tuple[str, ...]:
        return self._tags.get(package, ())

    def pidof(self: Lab, package: str) -> int | None:  # type: ignore[misc]
        from harness.device import apps

        pids = apps.pid_of(self.device, package)
        return pids[0] if pids else None

    def _sinks(self: Lab) -> list[Any]:  # type: ignore[misc]
        from harness.instrument import store_sink

        assert self.capture.store is not None
        return [store_sink(self.capture.store), lambda event: self.pulse.notify()]

    # -- launch / stop ---------------------------------------------------------------------------

    def launch(self: Lab, role: str, agents: tuple[str, ...] | list[str] = (),  # type: ignore[misc]
               configs: dict[str, dict[str, Any]] | None = None) -> int:
        """Start the role's app (stopped first); with ``agents``, under Frida from its very first
        instruction where the target allows it (wait-for-debugger on the virtual handset, Frida
        spawn through frida-server on a phone), else attached right after start. The app's pid."""
        from harness.device import apps

        app = self.app(role)
        self.stop(role)
        self.started.add(app.package)
        if not agents:
            apps.launch(self.device, app.package, app.activity, wait=True)
            pid: int = self.wait(lambda: self.pidof(app.package), f"{app.package} running")
            self.alive[app.package] = pid
            self.emit("app", f"{role}: {app.package} started (pid {pid})")
            return pid
        for attempt in range(1, START_ATTEMPTS + 1):
            hook = self._launch_hooked(app, list(agents), configs or {})
            self.hooks[role] = hook
            self.alive[app.package] = hook.pid
            if self.attached.start_suspended is None:
                break
            try:  # the virtual handset: a released app logs at once; a stalled one is restarted
                started = hook.pid
                self.wait(partial(self.logs.lines, None, started), f"{app.package} start", timeout=START_GRACE)
                break
            except DeviceError:
                raise
            except Exception:
                self.emit("frida", f"{app.package} did not come up within {START_GRACE:g}s of its release "
                                   f"(attempt {attempt}; a known frida-java-bridge/HotSpot stall)")
                self.stop(role)
                if attempt == START_ATTEMPTS:
                    raise
        self.emit("frida", f"{role}: {app.package} (pid {self.hooks[role].pid}) under {' + '.join(agents)}")
        return self.hooks[role].pid

    def _launch_hooked(self: Lab, app: Any, agents: list[str],  # type: ignore[misc]
                       configs: dict[str, dict[str, Any]]) -> HookSession:
        from harness.device import apps
        from harness.instrument import HookSession

        frida = self.attached.frida_device(self.device)
        common: dict[str, Any] = dict(timeline=self.capture.timeline, sinks=self._sinks(), serial=self.serial,
                                      timeout=self.timeout)
        if self.attached.start_suspended is not None:
            release = self.attached.start_suspended(self.device, app.package, app.activity)
            hook = HookSession.attach_package(frida, app.package, self.pidof, wait=self.timeout,
                                              release=release, **common)
        elif self.attached.frida_spawns:
            hook = HookSession.spawn(frida, app.package, **common)
        else:
            apps.launch(self.device, app.package, app.activity, wait=True)
            hook = HookSession.attach_package(frida, app.package, self.pidof, wait=self.timeout, **common)
        try:
            for agent in agents:
                hook.load(agent, configs.get(agent))
            hook.resume()
        except BaseException:
            hook.close()
            raise
        return hook

    def stop(self: Lab, role: str) -> None:  # type: ignore[misc]
        """Detach Frida from the role's app (if hooked) and ``am force-stop`` it."""
        from harness.device import apps

        package = self.profile.app(role).package
        self.alive.pop(package, None)
        hook = self.hooks.pop(role, None)
        if hook is not None:
            try:
                hook.flush(timeout=5.0)
            except Exception:  # noqa: BLE001, S110 - a dead app has nothing left to flush
                pass
            hook.close()
        apps.force_stop(self.device, package)

    # -- searching and browsing ------------------------------------------------------------------

    def search(self: Lab, role: str, term: str, *,  # type: ignore[misc]
               surfaces: tuple[str, ...] = ()) -> dict[str, list[Any]]:
        """Search ``term`` the way the profile says the role's app searches (an intent such as
        ``WEB_SEARCH``, a deep link, or typing into the app). With ``surfaces`` (names of the
        app's ``I/Render`` lines; the virtual browser's are ``suggestions``, ``results`` and
        ``ads``) the action waits until the app rendered each of them for ``term`` and records
        what it showed on those surfaces, and only those, as a ``ui:rendered`` event of the step
        (docs/dev/contracts.md §4: ``count`` is the items of the surfaces asked for); without,
        the step settles on its own and nothing is recorded. Returns the items rendered per
        surface asked for (``{}`` without ``surfaces``). Raises :class:`Inconclusive` when the
        app reports that the search failed; only lines the app logged after the search began
        count (a marker line in the device log: harness.scenario.logwatch), so an earlier
        search's failure or render delivered late is not taken for this one's."""
        from harness.device import apps

        app = self.app(role)
        how = app.search
        if how is None:
            raise UsageError(f"profile {self.profile.name}: app role {role!r} has no 'search' entry",
                             fix=f"add apps.{role}.search (intent, deeplink or input) to the profile")
        step = self.current_step
        mark = self._mark(f"search {app.package}", surfaces)
        if how.kind == "intent":
            target = f"-n {shlex.quote(how.component)}" if how.component else f"-p {shlex.quote(app.package)}"
            self.device.sh(f"am start -W -a {shlex.quote(how.action or WEB_SEARCH)} --es "
                           f"{shlex.quote(how.extra or 'query')} {shlex.quote(term)} {target}", timeout=60,
                           check=True, attempted=f"search {term!r} in {app.package}")
        elif how.kind == "deeplink":
            self.open_url(role, how.deeplink(quote(term)))
        else:
            apps.launch(self.device, app.package, app.activity, wait=True)
            apps.input_text(self.device, term)
            apps.key(self.device, "enter")
        self.started.add(app.package)
        if mark is None:
            return {}

        def failed(lines: list[Any]) -> None:
            if found := search_failures(lines, self.app_tags(app.package), term):
                raise Inconclusive(f"the {role} app's search for {term!r} failed: {found[-1][:200]}",
                                   serial=self.serial, attempted=f"step {step.id if step else '-'}",
                                   fix="the proxy or the server did not answer; see the step's flows")

        return self._rendered(role, app.package, term, surfaces, mark, failed)

    def _mark(self: Lab, what: str, surfaces: tuple[str, ...]) -> tuple[str, int] | None:  # type: ignore[misc]
        """Where in the device log an action reading ``surfaces`` begins: a marker line of its own
        (:meth:`harness.scenario.logwatch.LogWatcher.mark`) and the stream's length before it (where
        to look for it); None without ``surfaces`` (nothing will be read)."""
        if not surfaces:
            return None
        if isinstance(surfaces, str) or not all(isinstance(x, str) and x for x in surfaces):
            raise UsageError(f"surfaces={surfaces!r:.60} is not a tuple of surface names",
                             fix='give the names of the app\'s I/Render surfaces, e.g. surfaces=("ads",)')
        count = self.logs.count
        return self.logs.mark(what), count

    def _rendered(self: Lab, role: str, package: str, subject: str,  # type: ignore[misc]
                  surfaces: tuple[str, ...], mark: tuple[str, int],
                  failed: Callable[[list[Any]], None] | None = None) -> dict[str, list[Any]]:
        """Wait until ``package`` rendered each of ``surfaces`` for ``subject`` in its ``I/Render``
        lines after the action's ``mark`` (:meth:`_mark`; ``failed(lines)`` may raise on the way),
        record them as one ``ui:rendered`` event (:meth:`record_rendered`) and return them: the one
        implementation of ``surfaces=`` for :meth:`search` and :meth:`trigger`."""
        message, count = mark

        def probe() -> dict[str, list[Any]] | None:
            start = self.logs.after(message, since=count)
            if start is None:
                return None  # the marker is not read yet: nothing after it can be either
            lines = self.logs.lines(since=start)
            if failed is not None:
                failed(lines)
            shown = {d["surface"]: d.get("items") or [] for d in renders(lines, package, subject)}
            # only the surfaces asked for: others may or may not have rendered yet (a race)
            return {s: shown[s] for s in surfaces} if all(s in shown for s in surfaces) else None

        shown: dict[str, list[Any]] = self.wait(probe, f"what the {role} app rendered for {subject!r}")
        self.record_rendered(package, subject, shown)
        return shown

    def record_rendered(self: Lab, package: str, subject: str, shown: dict[str, list[Any]]) -> None:  # type: ignore[misc]
        """What an app showed, as a ``ui:rendered`` harness event of the current step: payload
        ``package``, ``subject`` (the search term or URL), ``count`` (items on all of ``shown``'s
        surfaces), ``surfaces`` (items per surface) and ``items`` (``shown`` itself)."""
        from harness.capture.records import AgentEvent

        step = self.current_step
        if step is not None:
            step.rendered.update(shown)
        assert self.capture.store is not None
        self.capture.store.add_event(AgentEvent(
            type="ui:rendered", source="harness.scenario:logcat", timestamp=time.time(),
            step_id=step.id if step else None, pid=self.pidof(package),
            payload={"package": package, "subject": subject, "count": sum(len(v) for v in shown.values()),
                     "surfaces": {k: len(v) for k, v in shown.items()}, "items": shown}))

    def open_url(self: Lab, role: str, url: str) -> None:  # type: ignore[misc]
        """Open ``url`` in the role's app (``am start -a VIEW -d URL``)."""
        app = self.app(role)
        self.device.sh(f"am start -W -a {VIEW} -d {shlex.quote(url)} -p {shlex.quote(app.package)}",
                       timeout=60, check=True, attempted=f"open {url[:80]} in {app.package}")
        self.started.add(app.package)

    # -- Frida triggers, data, region ------------------------------------------------------------

    def trigger(self: Lab, role: str, name: str, *, surfaces: tuple[str, ...] = (),  # type: ignore[misc]
                subject: str | None = None, **args: Any) -> Any:
        """Call the app's own code through Frida (an action of its trigger map, e.g. ``load_ads``;
        ``args`` are its parameters) and return what the app's method returned. With ``surfaces``
        (as for :meth:`search`), also wait until the app rendered each of them for ``subject``
        (default: the trigger's one argument, e.g. ``query=``) after the call began, and record what
        it showed there, and only there, as a ``ui:rendered`` event of the step (its items also in
        the step's ``rendered``). Raises :class:`~harness.errors.UsageError` when the app is not
        under Frida, has no trigger map, or ``surfaces`` is given with no ``subject`` to wait for."""
        from harness.instrument.triggers import load_map

        app = self.app(role)
        hook = self.hooks.get(role)
        if hook is None:
            raise UsageError(f"trigger {name!r}: the {role} app is not running under Frida",
                             fix=f"launch it with agents first: lab.launch({role!r}, agents=[...])")
        path = self.spec.triggers.get(role)
        mapping = load_map(path) if path else self.attached.trigger_map(app.package)
        if mapping is None:
            raise UsageError(f"no trigger map for the {role} app ({app.package})",
                             fix=f"give one in LabSpec(triggers={{{role!r}: 'map.yaml'}}) (docs/agents.md)")
        if surfaces and subject is None:
            given = [v for v in args.values() if isinstance(v, str)]
            if len(given) != 1:
                raise UsageError(f"trigger {name!r} with surfaces: which subject did the app render?",
                                 fix="give subject=..., the I/Render 'subject' to wait for (e.g. the query)")
            subject = given[0]
        mark = self._mark(f"trigger {name}", surfaces)
        result = hook.trigger(mapping, name, timeout=self.timeout, **args)
        if mark is not None and subject is not None:
            self._rendered(role, app.package, subject, surfaces, mark)
        return result

    def clear_data(self: Lab, role: str) -> None:  # type: ignore[misc]
        """``pm clear`` the role's app (its first start happens again). Not undone by restore:
        the app's data is gone, as after a fresh install."""
        from harness.device import apps

        app = self.app(role)
        self.stop(role)
        apps.clear_data(self.device, app.package)
        self.emit("app", f"{role}: data of {app.package} cleared")

    def set_region(self: Lab, code: str) -> None:  # type: ignore[misc]
        """Set the device's country (``persist.sys.country``, journaled and restored), for region
        A/B experiments; apps read it at their next start."""
        from harness.device.props import set_prop

        if not (len(code) == 2 and code.isalpha()):
            raise UsageError(f"bad region code {code[:20]!r}", fix="give an ISO 3166 alpha-2 code, e.g. LT or SG")
        set_prop(self.session, "persist.sys.country", code.upper())
        self.emit("device", f"region set to {code.upper()} (persist.sys.country)")

    def search_pair(self: Lab, role: str, term: str, control: str, *, name: str = "search",  # type: ignore[misc]
                    surfaces: tuple[str, ...] = ()) -> tuple[str, str]:
        """The same search with ``term`` (experiment) and ``control``, each in its own step marked as
        a filtering probe (OONI web_connectivity style, docs/analysis.md): steps ``NAME-sensitive``
        and ``NAME-control`` (``NAME-2-...`` when taken). Their ids, for :meth:`assert_not_filtered`."""
        from harness.scenario.steps import is_literal

        # a pair id of its own (the probe pairs of the analysis are keyed by it): NAME, else NAME-2, ...
        taken = {s.id for s in self.capture.timeline.steps()}
        pair, n = name, 2
        while f"{pair}-sensitive" in taken or f"{pair}-control" in taken:
            pair, n = f"{name}-{n}", n + 1
        literal = [h for h in self.hosts("search") if is_literal(h)] if self.profile_has_host("search") else []
        ids = []
        for probe_role, suffix, t in (("experiment", "sensitive", term), ("control", "control", control)):
            probe = {"role": probe_role, "pair": pair, "term": t, "host": literal[0] if len(literal) == 1 else None}
            with self.step(f"{pair}-{suffix}", action="search", info={"probe": probe}, term=t) as step:
                self.search(role, t, surfaces=surfaces)
                ids.append(step.id)
        return ids[0], ids[1]

    def profile_has_host(self: Lab, role: str) -> bool:  # type: ignore[misc]
        from harness.scenario.profile import ProfileError

        try:
            self.profile.host_role(role)
        except (ProfileError, UsageError):
            return False
        return True
