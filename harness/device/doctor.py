"""Preflight checks (``harness doctor``): one pass/fail line with a fix hint each.

A check is *blocking* when an interception run cannot work without it; any blocking failure makes
``harness doctor`` exit non-zero.
"""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.device.adb import NO_DEVICE_HINT, AdbServer, Device, check_state, ensure_server, server_reachable
from harness.device.adbbin import adb_binary
from harness.device.cacert import choose_method
from harness.device.frida_server import client_version, device_version, find_binary, server_pids
from harness.device.paths import FRIDA_SERVER
from harness.device.proxy import add_reverse
from harness.device.root import adb_root_possible, selinux_mode
from harness.device.session import DeviceSession
from harness.errors import DeviceError, HarnessError, JournalError

MIN_API = 24
MAX_CLOCK_SKEW = 5.0
SUPPORTED_ABIS = ("arm64-v8a", "armeabi-v7a", "x86_64", "x86")


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None
    blocking: bool = True

    @property
    def line(self) -> str:
        mark = "PASS" if self.ok else ("FAIL" if self.blocking else "WARN")
        text = f"{mark}  {self.name}: {self.detail}"
        if not self.ok and self.fix:
            text += f"  -> {self.fix}"
        return text

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DoctorReport:
    serial: str | None
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok or not c.blocking for c in self.checks)


def _probe_proxy(device: Device, home: Path, timeout: float = 10.0) -> Check:
    """A request from the device through a loopback probe proxy (via adb reverse) to prove the
    device can reach a proxy on this host. Uses ``curl`` or toybox ``nc`` on the device; the probe
    answers any request itself, so nothing leaves this host.

    The reverse port is a device change like any other: it is made inside a
    :class:`~harness.device.session.DeviceSession`, so it is journaled before it is made and a
    doctor killed mid-probe leaves a journal that ``harness restore`` (or the next run) replays."""
    seen = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            seen.set()
            body = b"harness-probe-ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    tools = [t for t in ("curl", "nc") if device.sh(f"which {t}").ok]
    if not tools:
        return Check("proxy reachable", False, "cannot probe: the device has neither curl nor nc",
                     fix="run `harness intercept` and watch for flows instead", blocking=False)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # a device port unlike the host port, so only a working reverse can carry the probe
    device_port = 20000 + (port % 9000) if port >= 29000 or port < 20000 else port + 1000
    try:
        with DeviceSession(device, home, run="doctor: proxy probe") as session:
            add_reverse(session, device_port, port)
            url = "http://probe.harness.invalid/"
            if tools[0] == "curl":
                cmd = f"curl -s -m {int(timeout)} -x 127.0.0.1:{device_port} {url}"
            else:  # an HTTP proxy request written by hand through toybox nc
                cmd = f"echo -ne 'GET {url} HTTP/1.0\\r\\n\\r\\n' | nc -w {int(timeout)} 127.0.0.1 {device_port}"
            res = device.sh(cmd, timeout=timeout + 5)
            deadline = time.monotonic() + 1.0
            while not seen.is_set() and time.monotonic() < deadline:
                time.sleep(0.05)
        if session.report is not None and not session.report.ok:
            return Check("proxy reachable", False, "the probe's adb reverse could not be undone: "
                         + "; ".join(session.report.failed + session.report.differences),
                         fix=f"run `harness restore --device {device.serial}`")
    except JournalError as exc:
        if "another harness run" in exc.reason:
            return Check("proxy reachable", False, "not probed: " + exc.reason, fix=exc.fix, blocking=False)
        raise
    finally:
        server.shutdown()
        server.server_close()
    stale = session.stale_report
    restored = f" (first undid {len(stale.undone)} change(s) a killed run left)" if stale and stale.undone else ""
    if seen.is_set() and "harness-probe-ok" in res.stdout:
        return Check("proxy reachable", True,
                     f"device port {device_port} reached the host's 127.0.0.1:{port} via adb reverse{restored}")
    return Check("proxy reachable", False, "no probe request arrived through adb reverse",
                 fix="update platform-tools (adb reverse needs Android 5+); check USB debugging")


def _adb_binary_check() -> Check:
    """Which adb binary runs (path, version, why), informational; a broken choice is a FAIL."""
    try:
        chosen = adb_binary()
    except HarnessError as exc:
        return Check("adb binary", False, exc.reason, fix=exc.fix)
    if chosen.version is None:
        return Check("adb binary", False, f"{chosen.path} does not answer `adb version`",
                     fix="give a working adb with --adb-path FILE or HARNESS_ADB")
    return Check("adb binary", True, f"{chosen.path} (version {chosen.version}, from {chosen.source})")


def _java_bridge() -> Check:
    try:
        from harness.instrument.bundles import bundle_for, load_bundle

        bundle = load_bundle(bundle_for("unpin"))  # the Java hooks' bundle
    except (ImportError, HarnessError, OSError) as exc:
        return Check("java bridge", False, f"agent bundle missing: {exc}",
                     fix="run `make agents` (needs node/npm and frida-java-bridge)", blocking=False)
    if "Java" not in bundle.source:
        return Check("java bridge", False, "agent bundles lack frida-java-bridge",
                     fix="run `make agents` after `npm install` in agents/", blocking=False)
    return Check("java bridge", True, "frida-java-bridge compiled into the agent bundles")


def _guard(name: str, fn: Callable[[], Check]) -> Check:
    try:
        return fn()
    except HarnessError as exc:
        return Check(name, False, exc.reason, fix=exc.fix)


def _started_virtual(home: Path, serial: str) -> bool:
    """Whether ``serial`` is a virtual handset started by ``harness sim start`` (its record in
    ``HOME/sim/NAME/handset.json``, matched by serial, never guessed from a port)."""
    from harness.sim import service

    root = home / "sim"
    if not root.is_dir():
        return False
    for folder in root.iterdir():
        if folder.is_dir():
            record = service.status(folder)
            if record is not None and record.serial == serial:
                return True
    return False


def run_doctor(server: AdbServer, serial: str | None = None, probe_proxy: bool = True,
               home: Path | None = None) -> DoctorReport:
    """All checks; the proxy probe journals its device change under ``home`` (HARNESS_HOME)."""
    checks: list[Check] = []
    state_home = home or Path(os.environ.get("HARNESS_HOME", Path.home() / ".harness"))
    checks.append(_adb_binary_check())
    if not server_reachable(server) and not server.is_default:
        checks.append(Check("adb server", False, f"nothing answers at {server}",
                            fix="check the host and port (--adb HOST:PORT); omit --adb for the local server"))
        return DoctorReport(serial, checks)
    try:
        client = ensure_server(server)
        version = client.server_version()
        checks.append(Check("adb server", True, f"{server} (protocol {version})"))
    except (HarnessError, OSError) as exc:
        checks.append(Check("adb server", False, str(exc), fix="run `adb start-server` and read its output"))
        return DoctorReport(serial, checks)

    if serial is None:
        ready = [i.serial for i in client.list() if i.state == "device"]
        if len(ready) != 1:
            checks.append(Check("device", False, f"{len(ready)} devices ready",
                                fix="pass --device SERIAL (see `harness devices`)" if ready else NO_DEVICE_HINT))
            return DoctorReport(serial, checks)
        serial = ready[0]
    try:
        check_state(client, serial, attempted="doctor")
    except DeviceError as exc:
        checks.append(Check("device state", False, exc.reason, fix=exc.fix))
        return DoctorReport(serial, checks)
    checks.append(Check("device state", True, f"{serial} is online and authorized"))
    device = Device(client, serial, server)

    def api_check() -> Check:
        sdk = device.getprop("ro.build.version.sdk")
        api = int(sdk) if sdk.isdigit() else 0
        release = device.getprop("ro.build.version.release")
        if api < MIN_API:
            return Check("API level", False, f"Android {release} (API {api})",
                         fix=f"the harness needs API {MIN_API}+ (Android 7)")
        return Check("API level", True, f"Android {release} (API {api})")

    def abi_check() -> Check:
        abi = device.getprop("ro.product.cpu.abi")
        if abi not in SUPPORTED_ABIS:
            return Check("ABI", False, abi or "unknown", fix="frida-server exists for arm, arm64, x86, x86_64")
        return Check("ABI", True, abi)

    def root_check() -> Check:
        method = device.root_method
        if method:
            return Check("root", True, method)
        hint = ("`adb root` is possible on this build: run it and retry" if adb_root_possible(device)
                else "root with Magisk for system-store CA and frida-server; without root only the "
                     "user CA store (Settings UI) works")
        return Check("root", False, "no root (no adb root, no su)", fix=hint, blocking=False)

    def selinux_check() -> Check:
        mode = selinux_mode(device)
        return Check("SELinux", True, mode, blocking=False)

    def frida_check() -> Check:
        if _started_virtual(state_home, serial):
            return Check("frida-server", True, "not needed: the virtual handset's apps are host processes, "
                                               "which Frida instruments directly (--frida local)")
        want = client_version()
        if not device.exists(FRIDA_SERVER):
            abi = device.getprop("ro.product.cpu.abi") or "unknown"
            try:
                binary = find_binary(state_home, abi, want)
            except HarnessError as exc:
                return Check("frida-server", False, f"not installed, and {exc.reason}", fix=exc.fix,
                             blocking=False)
            return Check("frida-server", True, f"not installed; the harness will push {binary}", blocking=False)
        have = device_version(device)
        running = "running" if server_pids(device) else "stopped"
        if have != want:
            return Check("frida-server", False, f"device has {have}, client is {want} ({running})",
                         fix=f"put frida-server {want} in the cache; the harness replaces it", blocking=False)
        return Check("frida-server", True, f"{have} = client {want} ({running})")

    def ca_check() -> Check:
        sdk = device.getprop("ro.build.version.sdk")
        api = int(sdk) if sdk.isdigit() else 0
        method = choose_method(api, device.root_method is not None)
        if method == "user-manual":
            return Check("CA install", False, "only the user store via the Settings UI (no root)",
                         fix="root the phone to install into the system store; many apps ignore user CAs",
                         blocking=False)
        where = "tmpfs over the system store, bound into the Conscrypt APEX" if method == "system+apex" \
            else "tmpfs over /system/etc/security/cacerts"
        return Check("CA install", True, f"{method}: {where}")

    def clock_check() -> Check:
        before = time.time()
        text = device.sh("date +%s").stdout.strip()
        after = time.time()
        if not text.isdigit():
            return Check("clock skew", False, f"cannot read the device clock ({text!r})", blocking=False)
        skew = int(text) - (before + after) / 2
        ok = abs(skew) <= MAX_CLOCK_SKEW
        return Check("clock skew", ok, f"{skew:+.1f}s",
                     fix="enable automatic date & time; TLS and timelines need a correct clock",
                     blocking=False)

    for name, fn in [("API level", api_check), ("ABI", abi_check), ("root", root_check),
                     ("SELinux", selinux_check), ("frida-server", frida_check),
                     ("CA install", ca_check), ("clock skew", clock_check)]:
        checks.append(_guard(name, fn))
    checks.append(_java_bridge())
    if probe_proxy:
        checks.append(_guard("proxy reachable", lambda: _probe_proxy(device, state_home)))
    return DoctorReport(serial, checks)
