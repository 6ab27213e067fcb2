"""The app host: runs virtual apps as real JVM processes, as the activity manager would.

See docs/dev/contracts.md section 2 for the launch line and the stdin/stdout protocol. When the
handset runs as root, each app runs as its own unprivileged uid in a folder of its own
(:mod:`.sandbox`). App
processes are launched from one long-lived thread with ``PR_SET_PDEATHSIG`` (the kernel kills them
if the handset process dies, even by SIGKILL) in their own process group (``am force-stop`` kills
the whole tree).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import SimError
from harness.fsutil import private_dir, write_private
from harness.sim.android.appspec import AppSpec
from harness.sim.android.fs import APEX_CACERTS, SYSTEM_CACERTS, USER_CACERTS
from harness.sim.android.javabuild import app_classpath, java_bin
from harness.sim.android.logcat import parse_app_line
from harness.sim.android.playservices import ADID_PROP
from harness.sim.android.sandbox import AppSandbox, host_uid, owner_tag, remove_leftovers, sandbox_wanted
from harness.sim.android.truststore import PASSWORD, build_truststore, load_ca_folder

if TYPE_CHECKING:
    from harness.sim.android.device import AndroidDevice

READY_TIMEOUT = 30.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except Exception:
        pass


@dataclass
class RunningApp:
    spec: AppSpec
    proc: subprocess.Popen
    started: float
    ready: threading.Event = field(default_factory=threading.Event)
    waiting_debugger: bool = False
    launch_args: list[str] = field(default_factory=list)
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    #: where the app runs as its own uid when the handset runs as root (None: not sandboxed)
    sandbox: AppSandbox | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, message: dict) -> bool:
        line = (json.dumps(message) + "\n").encode()
        with self.write_lock:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(line)
                self.proc.stdin.flush()
                return True
            except (BrokenPipeError, OSError, ValueError):
                return False


def parse_proxy(value: str | None) -> tuple[str, int] | None:
    """``settings global http_proxy`` -> (host, port); None when unset or ``:0``."""
    if not value or value in ("null", ":0"):
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or int(port) == 0:
        return None
    return host.strip("[]"), int(port)


class AppHost:
    def __init__(
        self,
        device: AndroidDevice,
        apps: dict[str, AppSpec],
        cache_dir: Path,
        run_dir: Path,
        hosts_file: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.device = device
        self.apps = apps
        self.cache = cache_dir
        self.run_dir = private_dir(run_dir)
        self.sandbox_tag = owner_tag(device.state.dir)
        if sandbox_wanted():
            remove_leftovers(self.sandbox_tag)
        self.hosts_file = hosts_file
        self.extra_env = dict(extra_env or {})
        self.running: dict[str, RunningApp] = {}
        self.foreground: str | None = None
        self.lock = threading.RLock()
        # one long-lived thread starts every app: PR_SET_PDEATHSIG fires when the *thread* that
        # forked the child exits, so the launcher must outlive the apps
        self._launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vsim-launcher")
        #: compiles every app while the handset boots and the harness sets it up, so a launch does
        #: not wait for ``javac`` (about 3-5 s per app on 2 shared cores, most of a first launch)
        self._wanted: list[str] = []  # packages a launch asked for: compiled next
        self.precompile = threading.Thread(target=self._precompile, daemon=True, name="vsim-precompile")
        self.precompile.start()

    def _precompile(self) -> None:
        """Compile the runtime and each app into the cache (what :meth:`launch` would compile first).
        A launch that needs an app being compiled waits on the compile's lock (``javabuild``), never
        on a timer; a compile that fails here is left to the launch, which reports it. System apps
        (the vendor's, which a lab usually starts first) come before the others."""
        pending = sorted(self.apps, key=lambda p: not self.apps[p].system)
        while pending:
            name = next((p for p in reversed(self._wanted) if p in pending), pending[0])
            pending.remove(name)
            try:
                app_classpath(self.apps[name], self.cache)
            except Exception:  # noqa: BLE001, S112 - the launch of that app raises the same error
                continue

    # -- launching -----------------------------------------------------------------------------
    def proxy_for_apps(self) -> tuple[str, int] | None:
        proxy = parse_proxy(self.device.state.settings_get("global", "http_proxy"))
        if proxy is None:
            return None
        host, port = proxy
        if host in ("127.0.0.1", "localhost", "::1"):
            mapped = self.device.reverse.get(port)
            if mapped is not None:
                return "127.0.0.1", mapped
            self.device.logcat.add("W", "vsim", f"proxy {host}:{port} is device-local and has no adb reverse"
                                   " mapping; apps will reach the host port directly")
        return host, port

    def trust_anchors(self, spec: AppSpec):
        fs = self.device.fs
        system_folder = APEX_CACERTS if self.device.personality.apex_cacerts else SYSTEM_CACERTS
        certs = load_ca_folder(fs.host_path(system_folder))
        if spec.trust_user_cas:
            certs += load_ca_folder(fs.host_path(USER_CACERTS))
        return certs

    def command_line(self, spec: AppSpec, wait_debugger: bool) -> tuple[list[str], Path]:
        classpath = app_classpath(spec, self.cache)
        truststore = build_truststore(self.trust_anchors(spec), self.cache)
        data_dir = self.device.fs.host_path(f"/data/data/{spec.package}")
        private_dir(data_dir)
        run = private_dir(self.run_dir / spec.package)
        props = dict(self.device.state.props)
        props["settings.secure.android_id"] = self.device.state.settings_get("secure", "android_id") or ""
        props[ADID_PROP] = self.device.advertising_id  # what AdvertisingIdClient would return
        props_file = write_private(run / "props.json", json.dumps(props, indent=1, sort_keys=True))
        cmd = [
            java_bin(), "-XX:+UseSerialGC", "-Xmx128m", "-Xshare:auto",
            "-cp", os.pathsep.join(classpath),
            f"-Dvapp.package={spec.package}", f"-Dvapp.props={props_file}", f"-Dvapp.data={data_dir}",
        ]
        if self.hosts_file is not None:
            cmd.append(f"-Djdk.net.hosts.file={self.hosts_file}")
        cmd += [f"-Djavax.net.ssl.trustStore={truststore}", "-Djavax.net.ssl.trustStoreType=PKCS12",
                f"-Djavax.net.ssl.trustStorePassword={PASSWORD}"]
        proxy = self.proxy_for_apps()
        if proxy is not None:
            host, port = proxy
            cmd += [f"-Dhttp.proxyHost={host}", f"-Dhttp.proxyPort={port}",
                    f"-Dhttps.proxyHost={host}", f"-Dhttps.proxyPort={port}"]
        if wait_debugger:
            cmd.append("-Dvapp.waitForDebugger=true")
        cmd.append(spec.main)
        return cmd, data_dir

    def _spawn(self, cmd: list[str], cwd: Path, uid: int | None = None) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "JAVA_HOME", "TZ")}
        env.update(self.extra_env)
        # the uid is changed before preexec_fn runs, so the parent-death signal (cleared by a
        # credential change) is set for the app's own uid
        return subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, preexec_fn=_die_with_parent,  # noqa: PLW1509 - needed for pdeathsig
            user=uid, group=uid, extra_groups=None if uid is None else [],
        )

    def launch(self, package: str, wait_debugger: bool = False) -> RunningApp:
        """Start ``package`` unless it runs; with ``wait_debugger`` restart it waiting (``am start -D``)."""
        spec = self.apps.get(package)
        if spec is None:
            raise SimError(f"{package} is not a runnable app")
        self._wanted.append(package)
        with self.lock:
            app = self.running.get(package)
            if app is not None and app.proc.poll() is None and not wait_debugger:
                return app
            if app is not None:
                self.force_stop(package)
            cmd, data_dir = self.command_line(spec, wait_debugger)
            sandbox, uid, cwd = None, None, data_dir
            if sandbox_wanted():  # root: the app gets a uid and a folder of its own
                uid = host_uid(self.app_user(spec))
                sandbox = AppSandbox(package, uid, self.sandbox_tag)
                cmd, cwd = sandbox.prepare(cmd, data_dir), sandbox.data
            try:
                proc = self._launcher.submit(self._spawn, cmd, cwd, uid).result(timeout=30)
            except OSError as exc:
                if sandbox is not None:
                    sandbox.remove()
                raise SimError(f"cannot start {package}: {exc}", fix="check the JDK installation") from exc
            app = RunningApp(spec, proc, time.time(), waiting_debugger=wait_debugger, launch_args=cmd,
                             sandbox=sandbox)
            self.running[package] = app
            self.device.procs.add_app(proc.pid, package, self.app_user(spec))
            self.device.logcat.add("I", "ActivityManager",
                                   f"Start proc {proc.pid}:{package}/{self.app_user(spec)} for activity"
                                   f" {{{package}/{spec.main}}}", pid=1210)
            threading.Thread(target=self._pump_stdout, args=(app,), daemon=True, name=f"vsim-out-{package}").start()
            threading.Thread(target=self._pump_stderr, args=(app,), daemon=True, name=f"vsim-err-{package}").start()
            return app

    @staticmethod
    def app_user(spec: AppSpec) -> str:
        return "system" if spec.system and spec.package.startswith("android") else \
            f"u0_a{100 + (sum(spec.package.encode()) % 200)}"

    def _pump_stdout(self, app: RunningApp) -> None:
        assert app.proc.stdout is not None
        for raw in app.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            parsed = parse_app_line(line)
            if parsed is None:
                self.device.logcat.add("I", app.spec.package, line, pid=app.pid)
                continue
            level, tag, msg = parsed
            if tag == "vapp" and msg.startswith("ready "):
                app.waiting_debugger = False
                app.ready.set()
            self.device.logcat.add(level, tag, msg, pid=app.pid)
        code = app.proc.wait()
        app.ready.set()
        with self.lock:
            if self.running.get(app.spec.package) is app:  # it died by itself (not force-stopped)
                del self.running[app.spec.package]
                if self.foreground == app.spec.package:
                    self.foreground = None
                self._close_sandbox(app)
        self.device.procs.remove(app.pid)
        self.device.logcat.add("I", "ActivityManager",
                               f"Process {app.spec.package} (pid {app.pid}) has died: exit {code}", pid=1210)

    def _pump_stderr(self, app: RunningApp) -> None:
        assert app.proc.stderr is not None
        for raw in app.proc.stderr:
            self.device.logcat.add("W", "System.err", raw.decode(errors="replace").rstrip("\r\n"), pid=app.pid)

    # -- control -------------------------------------------------------------------------------
    def deliver(self, package: str, message: dict) -> bool:
        app = self.running.get(package)
        return app.send(message) if app else False

    def start_activity(self, package: str, intent: dict, *, wait_debugger: bool = False) -> RunningApp:
        app = self.launch(package, wait_debugger=wait_debugger)
        app.send({"type": "intent", **intent})
        self.foreground = package
        return app

    def release(self, package: str) -> bool:
        app = self.running.get(package)
        if app is None:
            return False
        return app.send({"type": "release"})

    def force_stop(self, package: str, timeout: float = 5.0) -> bool:
        with self.lock:
            app = self.running.pop(package, None)
            if self.foreground == package:
                self.foreground = None
        if app is None:
            return False
        self._kill(app, timeout)
        self._close_sandbox(app)
        self.device.procs.remove(app.pid)
        return True

    @staticmethod
    def _close_sandbox(app: RunningApp) -> None:
        if app.sandbox is not None:
            try:
                app.sandbox.save_data()
            finally:
                app.sandbox.remove()

    @staticmethod
    def _kill(app: RunningApp, timeout: float) -> None:
        try:
            os.killpg(app.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            app.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            app.proc.kill()
        try:
            if app.proc.stdin is not None:
                app.proc.stdin.close()
        except OSError:
            pass

    def stop_all(self) -> None:
        for package in list(self.running):
            self.force_stop(package)

    def close(self) -> None:
        self.stop_all()
        self._launcher.shutdown(wait=False)

    def pid_of(self, package: str) -> int | None:
        app = self.running.get(package)
        return app.pid if app and app.proc.poll() is None else None
