"""A recorder that cannot write stops the proxy instead of letting traffic through unrecorded."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from harness.capture.session import CaptureSession
from harness.capture.store import RunStore
from harness.errors import StoreError


def test_disk_full_stops_the_proxy(tmp_path, pki, h1_server):
    """flows.mitm is a symlink to /dev/full, so the kernel answers every write with ENOSPC — a real
    "disk full". (Tests run as root here, so read-only permissions would not stop the writer.)"""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    (run / "flows.mitm").symlink_to("/dev/full")
    cap = CaptureSession(run, confdir=tmp_path / "ca",
                         options={"ssl_verify_upstream_trusted_ca": str(pki.ca_cert)}).start()
    address = cap.address
    try:
        with httpx.Client(verify=ssl.create_default_context(cafile=cap.ca.cert), proxy=cap.proxy_url, timeout=20) as client:
            try:
                client.get(h1_server.url("/hello?first=1"))
            except httpx.HTTPError:
                pass  # killed if the failure was already known: also fine
        assert cap.wait(timeout=10), "the proxy kept running after a write failure"
        with pytest.raises(OSError):
            socket.create_connection(address, timeout=2).close()
    finally:
        with pytest.raises(StoreError, match="No space left on device"):
            cap.stop()
    store = RunStore.open(run)
    assert store.status == "incomplete"
    assert "No space left on device" in store.meta()["status_reason"]
    # what reached the SQLite store before the failure is kept
    assert [f.path for f in store.iter_flows()] == ["/hello?first=1"]


def test_record_that_cannot_be_built_stops_the_store(tmp_path):
    """Rows built in the writer thread (``add_flow_from``): a builder that raises is a store
    failure (so the recorder stops the proxy), never a flow dropped without a trace."""
    from harness.testing.flows import http_flow

    errors: list[StoreError] = []
    store = RunStore.create(tmp_path / "run", meta={}, on_error=errors.append)
    shown: list[str] = []
    store.add_flow_from(lambda: http_flow("https://a.test/"), lambda rec: shown.append(rec.id))
    store.flush()
    assert len(shown) == 1 and store.get_flow(shown[0]) is not None

    def broken():
        raise KeyError("no such header")

    store.add_flow_from(broken)
    with pytest.raises(StoreError):
        store.flush()
    assert len(errors) == 1 and "build a flow record" in errors[0].reason and "no such header" in errors[0].reason
    with pytest.raises(StoreError):
        store.add_flow_from(lambda: http_flow("https://b.test/"))
    store.close("incomplete", reason=errors[0].reason)
    assert [f.id for f in RunStore.open(tmp_path / "run").iter_flows()] == shown
