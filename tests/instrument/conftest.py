"""Fixtures for the instrument tests: real Frida (local device), real mitmproxy (the capture
layer's in-process proxy with a SOCKS5 listener beside the regular one), a loopback HTTPS origin,
and a JVM test app (OkHttp 3 with certificate pinning). Expensive things start once per worker
session (proxy) or module (JVM)."""

from __future__ import annotations

import base64
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import frida
import pytest

from harness.capture.session import CaptureSession
from harness.testing.pki import KeyPair, make_ca
from tests.instrument.servers import Origin, start_origin

HERE = Path(__file__).parent
OKHTTP_CP = ["/usr/share/java/okhttp.jar", "/usr/share/java/okio.jar"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def frida_device():
    return frida.get_local_device()


@pytest.fixture(scope="session")
def origin_ca() -> KeyPair:
    return make_ca("Instrument Test Origin CA")


@pytest.fixture(scope="session")
def origin(origin_ca, tmp_path_factory) -> Origin:
    workdir = tmp_path_factory.mktemp("origin")
    (workdir / "ca.pem").write_bytes(origin_ca.cert_pem)
    server = start_origin(origin_ca, workdir)
    yield server
    server.close()


@pytest.fixture(scope="module")
def capture(origin_ca, tmp_path_factory):
    """The capture layer's proxy and run store: regular listener + SOCKS5 listener (for redirect)."""
    workdir = tmp_path_factory.mktemp("capture")
    (workdir / "origin-ca.pem").write_bytes(origin_ca.cert_pem)
    socks_port = free_port()
    session = CaptureSession(
        workdir / "run",
        confdir=workdir / "ca",
        options={
            "mode": ["regular", f"socks5@127.0.0.1:{socks_port}"],
            "ssl_verify_upstream_trusted_ca": str(workdir / "origin-ca.pem"),
        },
    )
    session.start()
    session.socks_port = socks_port  # type: ignore[attr-defined]
    yield session
    session.stop("complete")


def flows_for(capture, predicate, timeout: float = 10.0):
    """Flows recorded so far that match ``predicate``, waiting up to ``timeout`` for at least one."""
    from harness.capture import RunStore

    deadline = time.monotonic() + timeout
    while True:
        capture.flush()
        reader = RunStore.open(capture.run_dir)
        try:
            found = [f for f in reader.iter_flows() if predicate(f)]
        finally:
            reader.close()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


# ---- the JVM test app -------------------------------------------------------------------------


@dataclass
class JavaApp:
    proc: subprocess.Popen
    lines: queue.Queue = field(default_factory=queue.Queue)
    log: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def expect(self, pattern: str, timeout: float = 20.0) -> re.Match:
        """The next log line matching ``pattern`` (bounded wait)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line matching {pattern!r} within {timeout}s; log: {self.log[-10:]}")
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            m = re.search(pattern, line)
            if m:
                return m

    def run(self, command: str, timeout: float = 20.0) -> str:
        """Send a command and return its outcome line (ok or failed)."""
        verb = command.split(" ", 1)[0]
        self.send(command)
        return self.expect(rf"{verb} (ok|failed|sent)", timeout).string


def _reader(app: JavaApp) -> None:
    assert app.proc.stdout is not None
    for line in app.proc.stdout:
        line = line.rstrip("\n")
        app.log.append(line)
        app.lines.put(line)


@pytest.fixture(scope="session")
def java_classes(tmp_path_factory) -> Path:
    if shutil.which("javac") is None:
        pytest.skip("javac (OpenJDK 17) is not installed")
    if not all(Path(p).exists() for p in OKHTTP_CP):
        pytest.skip("Debian libokhttp-java is not installed")
    out = tmp_path_factory.mktemp("java-classes")
    subprocess.run(
        ["javac", "--release", "17", "-d", str(out), "-cp", ":".join(OKHTTP_CP), str(HERE / "java" / "PinnedApp.java")],
        check=True, timeout=120, capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def java_truststore(capture, tmp_path_factory) -> Path:
    """A PKCS12 trust store holding the proxy's CA (the phone trusts the proxy, the pin does not)."""
    store = tmp_path_factory.mktemp("trust") / "trust.p12"
    subprocess.run(
        ["keytool", "-importcert", "-noprompt", "-alias", "proxy", "-file", str(capture.ca.cert),
         "-keystore", str(store), "-storetype", "PKCS12", "-storepass", "changeit"],
        check=True, timeout=60, capture_output=True,
    )
    return store


def spki_pin(keypair: KeyPair) -> str:
    return "sha256/" + base64.b64encode(keypair.spki_sha256()).decode()


@pytest.fixture
def java_app(java_classes, java_truststore, capture, origin, tmp_path):
    """A fresh JVM per test (tests stay independent; detaching from a busy JVM is covered by
    test_detach.py). Crash reports go to the test's tmp dir, not the working directory."""
    host, port = capture.address
    proc = subprocess.Popen(
        ["java", "-XX:+UseSerialGC", "-Xmx128m", f"-XX:ErrorFile={tmp_path}/hs_err_pid%p.log", "-cp", ":".join([str(java_classes), *OKHTTP_CP]),
         f"-Djavax.net.ssl.trustStore={java_truststore}", "-Djavax.net.ssl.trustStoreType=PKCS12",
         "-Djavax.net.ssl.trustStorePassword=changeit",
         f"-Dhttps.proxyHost={host}", f"-Dhttps.proxyPort={port}",
         f"-Dapp.origin=https://{origin.host}:{origin.port}", f"-Dapp.pinHost={origin.host}",
         f"-Dapp.pin={spki_pin(origin.leaf)}", "PinnedApp"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    app = JavaApp(proc)
    threading.Thread(target=_reader, args=(app,), daemon=True).start()
    try:
        app.expect("ready", timeout=60)
        yield app
    finally:
        if proc.poll() is None:
            try:
                app.send("stop")
                proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait(5)


# ---- host processes for the native agents -----------------------------------------------------


@pytest.fixture
def python_child():
    """Start ``python -I -S tests/instrument/<script> ARGS`` with pipes; killed after the test."""
    procs: list[subprocess.Popen] = []

    def start(script: str, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", str(HERE / script), *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)


# ---- the virtual lab: world + virtual handset + proxy, device prepared (test_vendor_apps.py) ----

from harness.testing.lab import lab_world, vendor_lab  # noqa: E402, F401 - fixtures (module scope)
