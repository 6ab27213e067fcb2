"""Interception coverage end to end: the netwatch agent on an app (a HotSpot 17 JVM app, and a
Python process) that makes one call
through the real mitmproxy, one direct TCP call and one UDP/443 datagram; the analysis pipeline
(``harness.analysis.coverage``, rule ``coverage.netwatch``) reports exactly the two escapes, per
step. With ``block_udp_443`` the datagram is refused and the run says so."""

from __future__ import annotations

import subprocess

import pytest

from harness.analysis.pipeline import analyze
from harness.instrument.session import HookSession, store_sink
from harness.testing.pki import make_ca
from tests.instrument.conftest import HERE, flows_for
from tests.instrument.servers import start_origin

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def plain_origin(tmp_path):
    server = start_origin(make_ca(), tmp_path, tls=False)
    yield server
    server.close()


@pytest.fixture
def jvm_child(tmp_path):
    """The JVM coverage app (tests/instrument/java/CoverageApp.java), like the virtual handset's apps."""
    procs: list[subprocess.Popen] = []
    classes = tmp_path / "classes"
    subprocess.run(["javac", "--release", "17", "-d", str(classes), str(HERE / "java" / "CoverageApp.java")],
                   check=True, timeout=120, capture_output=True)

    def start(proxy: str, origin: str) -> subprocess.Popen:
        proc = subprocess.Popen(["java", "-Xmx64m", f"-XX:ErrorFile={tmp_path}/hs_err_pid%p.log", "-cp", str(classes),
                                 f"-Dapp.proxy={proxy}", f"-Dapp.origin={origin}", "CoverageApp"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def run_child(frida_device, start, capture, origin, step: str, config: dict) -> list[str]:
    proxy_host, proxy_port = capture.address
    child = start(proxy_host, proxy_port, origin.host, origin.port)
    assert child.stdout.readline().strip() == "ready"
    capture.timeline.begin(step, "one proxied call, one direct call, one UDP/443 datagram")
    with HookSession.attach(frida_device, child.pid, timeline=capture.timeline,
                            sinks=[store_sink(capture.store)]) as session:
        session.load("netwatch", config)
        child.stdin.write("go\n")
        child.stdin.flush()
        lines = [child.stdout.readline().strip() for _ in range(3)]
        if config.get("block_udp_443"):
            session.wait_for("netwatch:udp443-blocked")
        else:
            session.wait_for("netwatch:sendto", lambda e: e.payload["port"] == 443)
        session.flush()
    capture.timeline.end()
    capture.store.flush()
    assert flows_for(capture, lambda f: f.path == "/coverage/proxied" and f.step_id == step)
    return lines


def step_findings(capture, step: str):
    result = analyze(capture.run_dir)
    return result, [f for f in result.finding_list if f.kind == "coverage_gap" and f.step_id == step]


@pytest.fixture(params=["jvm", "python"])
def app(request, python_child, jvm_child):
    """Start the coverage app: ``start(proxy_host, proxy_port, origin_host, origin_port)``."""
    if request.param == "jvm":
        return lambda ph, pp, oh, op: jvm_child(f"{ph}:{pp}", f"{oh}:{op}")
    return lambda ph, pp, oh, op: python_child("coverage_child.py", ph, str(pp), oh, str(op))


def test_analysis_reports_exactly_the_two_escapes(frida_device, app, capture, plain_origin, request):
    step = f"coverage-{request.node.callspec.id}"
    lines = run_child(frida_device, app, capture, plain_origin, step, {})
    assert lines[0].split()[-1] in ("200", "OK") and lines[0].startswith("proxied")
    assert lines[1].startswith("direct HTTP/1.1 200")
    assert lines[2] == "udp sent"
    _, gaps = step_findings(capture, step)
    origin = f"{plain_origin.host}:{plain_origin.port}"
    assert sorted((f.verdict, f.details["destination"]) for f in gaps) == [
        ("direct_tcp", origin), ("quic", f"{plain_origin.host}:443")]
    assert all(f.rule == "coverage.netwatch" and f.event_ids for f in gaps)


def test_block_udp_443_refuses_quic_and_says_so(frida_device, python_child, capture, plain_origin):
    def start(ph, pp, oh, op):
        return python_child("coverage_child.py", ph, str(pp), oh, str(op))

    lines = run_child(frida_device, start, capture, plain_origin, "coverage-2", {"block_udp_443": True})
    assert lines[2].startswith("udp blocked")
    result, gaps = step_findings(capture, "coverage-2")
    assert [(f.verdict) for f in gaps] == ["direct_tcp"]
    assert result.meta["coverage"]["netwatch"]["udp_443_blocked"] >= 1
    loaded = [e for e in result.agent_events.itertuples() if e.type == "session:agent-loaded" and e.step_id == "coverage-2"]
    assert loaded and '"block_udp_443": true' in str(loaded[0].payload)
