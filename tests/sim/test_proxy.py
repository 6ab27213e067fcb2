"""The probe app through the recording proxy (harness.capture + mitmproxy), reached the way a lab
reaches a phone: ``adb reverse tcp:8080 tcp:PROXY`` and ``settings put global http_proxy
127.0.0.1:8080``. Without the proxy CA the handshake fails on the device and the capture layer
records a ``tls_failure``; with the CA in the system store the exchange is recorded."""

from __future__ import annotations

import pytest

from harness.sim.handset import VirtualHandset
from harness.testing.sim import wait_for_log

from .test_apps import PROBE, install_system_ca, start_probe

SERVER_NAME = "probe.server.test"


class _ResolveTestNames:
    """Resolve ``*.server.test`` to loopback inside the proxy (the flow keeps its host name)."""

    def server_connect(self, data) -> None:
        host, port = data.server.address
        if host.endswith(".server.test"):
            data.server.address = ("127.0.0.1", port)


def test_probe_through_recording_proxy(sim_handset: VirtualHandset, sim_device, tls_server, tmp_path):
    capture = pytest.importorskip("harness.capture.session")
    from harness.capture.store import RunStore

    server = tls_server()
    run_dir = tmp_path / "run"
    with capture.CaptureSession(run_dir, confdir=tmp_path / "ca", addons=[_ResolveTestNames()]) as cap:
        assert cap.address is not None
        sim_device.reverse("tcp:8080", f"tcp:{cap.address[1]}")
        try:
            sim_device.shell("settings put global http_proxy 127.0.0.1:8080")
            start_probe(sim_device, server.url)
            wait_for_log(sim_handset, lambda m: m.startswith(f"TLS failure for {server.url}"), tag="Probe")
            install_system_ca(sim_device, cap.ca.cert.read_bytes())
            sim_device.shell(f"am force-stop {PROBE}")
            start_probe(sim_device, server.url)
            wait_for_log(sim_handset, lambda m: m.startswith(f"GET {server.url} -> 200"), tag="Probe")
            cap.flush()
        finally:
            sim_device.reverse_remove_all()
    flows = list(RunStore.open(run_dir).iter_flows())
    failures = [f for f in flows if f.kind == "tls_failure"]
    assert failures and failures[0].sni == SERVER_NAME, flows
    ok = [f for f in flows if f.kind == "http" and f.status_code == 200]
    assert ok and ok[0].server_host == SERVER_NAME and ok[0].sni == SERVER_NAME and ok[0].path == "/probe"
    assert ok[0].server_ip == "127.0.0.1" and ok[0].server_port == server.port
    assert server.requests == ["/probe"]
