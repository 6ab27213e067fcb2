"""Every pinning mechanism the unpin agent defeats, proven on a real HotSpot 17 JVM through the real
mitmproxy (issue 16): the pinned request fails WITHOUT the agent and succeeds WITH it, and the
agent's ``unpin:bypassed`` event names the mechanism and the host.

One JVM (``tests/instrument/java/unpin/UnpinApp.java``) runs every mechanism in turn, first with no
agent, then under one Frida session with ``unpin``; each mechanism is then checked by its own
parametrised test. Android-only classes are stand-ins with the real fully-qualified names and
method signatures (see each stand-in's comment); the real ones are OkHttp 3 (Debian's
libokhttp-java), the JDK's ``X509TrustManagerImpl``, ``SSLContext.init`` and ``HttpsURLConnection``."""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.instrument.session import HookSession, store_sink
from tests.instrument.conftest import HERE, OKHTTP_CP, JavaApp, _reader, flows_for, spki_pin

pytestmark = pytest.mark.timeout(600)

#: the mechanisms proven here (docs/agents.md's table marks them "proven here")
MECHANISMS = [
    "okhttp3-pinner", "okhttp4-pinner", "okhttp-android-pinner", "okhttp2-pinner",
    "okhttp2-hostname-verifier", "okhttp-android-hostname-verifier", "okhttp3-custom-hostname-verifier",
    "jdk-trust-manager", "conscrypt-check-server-trusted", "conscrypt-verify-chain",
    "conscrypt-check-trusted-recursive", "conscrypt-unbundled-verify-chain", "conscrypt-cert-pin-manager",
    "conscrypt-socket-verify-chain", "nsc-check-pins", "nsc-root-trust-manager", "x509-trust-manager-extensions",
    "sslcontext-custom-trust-manager", "https-default-hostname-verifier", "https-hostname-verifier",
    "apache-abstract-verifier", "boye-abstract-verifier", "trustkit-trust-manager", "trustkit-hostname-verifier",
    "appcelerator-trust-manager", "fabric-trust-manager", "cwac-netsecurity-cert-pin-manager",
    "worklight-hostname-verifier", "webview-ssl-error", "cronet-public-key-pins",
]


#: the app's own trust manager / hostname verifier classes (loaded before the agent came) are
#: found by their interface; the event names that mechanism
EVENT_MECHANISM = {
    "sslcontext-custom-trust-manager": "custom-trust-manager",
    "https-default-hostname-verifier": "custom-hostname-verifier",
    "https-hostname-verifier": "custom-hostname-verifier",
    "okhttp3-custom-hostname-verifier": "custom-hostname-verifier",
}


def event_mechanism(name: str) -> str:
    return EVENT_MECHANISM.get(name, name)


@dataclass
class Results:
    without: dict[str, str] = field(default_factory=dict)
    with_agent: dict[str, str] = field(default_factory=dict)
    events: dict[str, list] = field(default_factory=dict)
    flows: dict[str, list] = field(default_factory=dict)
    ready: list[str] = field(default_factory=list)


def _compile(out: Path) -> tuple[Path, Path]:
    classes, okhttp4 = out / "classes", out / "okhttp4"
    base = HERE / "java"
    subprocess.run(["javac", "--release", "17", "-d", str(okhttp4), *map(str, (base / "okhttp4").rglob("*.java"))],
                   check=True, timeout=120, capture_output=True)
    subprocess.run(["javac", "--release", "17", "-d", str(classes), "-cp", ":".join(OKHTTP_CP),
                    *map(str, (base / "unpin").rglob("*.java"))], check=True, timeout=180, capture_output=True)
    return classes, okhttp4


def run(app: JavaApp, name: str) -> str:
    app.send(f"run {name}")
    return app.expect(rf"run {name} (ok|failed)", timeout=30).string


@pytest.fixture(scope="module")
def results(java_classes, java_truststore, capture, origin, origin_ca, frida_device, tmp_path_factory) -> Results:
    work = tmp_path_factory.mktemp("unpin-mechanisms")
    classes, okhttp4 = _compile(work)
    (work / "origin-ca.pem").write_bytes(origin_ca.cert_pem)
    host, port = capture.address
    proc = subprocess.Popen(
        ["java", "-XX:+UseSerialGC", "-Xmx128m", f"-XX:ErrorFile={work}/hs_err_pid%p.log",
         "-cp", ":".join([str(classes), *OKHTTP_CP]),
         f"-Djavax.net.ssl.trustStore={java_truststore}", "-Djavax.net.ssl.trustStoreType=PKCS12",
         "-Djavax.net.ssl.trustStorePassword=changeit", f"-Dhttps.proxyHost={host}", f"-Dhttps.proxyPort={port}",
         f"-Dapp.origin=https://{origin.host}:{origin.port}", f"-Dapp.pin={spki_pin(origin.leaf)}",
         f"-Dapp.originCa={work / 'origin-ca.pem'}", f"-Dapp.okhttp4={okhttp4}", "UnpinApp"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    app = JavaApp(proc)
    threading.Thread(target=_reader, args=(app,), daemon=True).start()
    out = Results()
    try:
        out.ready = app.expect(r"ready (\S+)", timeout=60).group(1).split(",")
        for name in MECHANISMS:
            out.without[name] = run(app, name)
        with HookSession.attach(frida_device, proc.pid, timeline=capture.timeline,
                                sinks=[store_sink(capture.store)]) as session:
            session.load("unpin")
            for name in MECHANISMS:
                capture.timeline.begin(f"unpin-{name}", f"pinned request via {name}")
                out.with_agent[name] = run(app, name)
                if " ok " in out.with_agent[name]:
                    session.wait_for("unpin:bypassed", lambda e, n=name: e.payload.get("mechanism") == event_mechanism(n)
                                     and e.step_id == f"unpin-{n}", timeout=10)
                capture.timeline.end()
            session.flush()
            for event in session.events("unpin:bypassed"):  # by the step (= the app's mechanism) it came in
                out.events.setdefault(str(event.step_id).removeprefix("unpin-"), []).append(event)
        for name in MECHANISMS:
            if " ok " in out.with_agent[name]:
                out.flows[name] = flows_for(capture, lambda f, n=name: f.path == f"/pin/{n}", timeout=5)
        assert proc.poll() is None, "the app died"
    finally:
        if proc.poll() is None:
            app.send("stop")
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return out


def test_the_app_offers_exactly_these_mechanisms(results):
    assert results.ready == MECHANISMS
    assert len({event_mechanism(n) for n in MECHANISMS}) >= 25


@pytest.mark.parametrize("name", MECHANISMS)
def test_mechanism_fails_without_agent_and_passes_with_it(results, origin, name):
    assert f"run {name} failed" in results.without[name], results.without[name]
    assert f"run {name} ok 200" in results.with_agent[name], results.with_agent[name]
    events = results.events.get(name, [])
    assert events, f"no unpin:bypassed event in step unpin-{name}"
    assert {e.payload["mechanism"] for e in events} == {event_mechanism(name)}
    assert {e.payload["host"] for e in events} == {origin.host}
    assert all(e.step_id == f"unpin-{name}" for e in events)
    flows = results.flows.get(name, [])
    assert [f.status_code for f in flows] == [200] and flows[0].step_id == f"unpin-{name}"
