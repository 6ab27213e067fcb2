"""Clients that complete the TLS handshake with the proxy and then close without a request
(issue 5; issue 10 item 14: pinning needs positive evidence).

* With evidence — a rejecting TLS alert from the client (``user_canceled`` right behind its
  ``Finished`` as a JDK client sends when OkHttp's ``CertificatePinner`` rejects the session; a
  certificate alert such as ``bad_certificate``), or the third close from one client to one host
  with no successful request — the row is ``tls_failure`` and analysis reports ``pinning_failure``.
* Without — a browser's spare (preconnected) connection, a client that just closes — the row is
  ``idle`` and analysis reports nothing.

The JDK-style abort (``Finished`` + ``user_canceled`` + ``close_notify`` in one segment, then FIN)
is the case mitmproxy 11 itself swallows: the connection stays in CLOSE-WAIT and no hook fires.
The client here is Python (``tlsclose``) sending those exact bytes; the same case with a real
OkHttp ``CertificatePinner`` in a JVM is ``tests/world/test_apps_ncsc.py``. The spare connections
come from a real headless Chromium (Debian's ``chromium``).
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from tlsclose import (
    ALERT_BAD_CERTIFICATE,
    ALERT_CLOSE_NOTIFY,
    ALERT_USER_CANCELED,
    connect_tunnel,
    handshake_then_abort,
)

from harness.analysis import Options, analyze
from harness.analysis.loaders import Source
from harness.capture.tlsevidence import AFTER_HANDSHAKE_ERROR, IDLE_ERROR, REPEATED_CLOSES

HOST = "collector.test"  # routed to the h2 test server by the capture fixture's resolver
#: one host per test where closes are counted (the proxy counts closes per client and host)
ALERT_HOST, SPARE_HOST, IDLE_HOST = "alert.world.test", "spare.world.test", "idle.world.test"


def _closed_by_proxy(sock: socket.socket, timeout: float = 5.0) -> bool:
    """True if the proxy ends the connection (EOF or reset) within ``timeout``."""
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass  # (session tickets and such)
    except TimeoutError:
        return False
    except OSError:
        return True
    return True


def _check(flow, step: str, close: str, *, kind: str, host: str = HOST) -> None:
    assert flow.kind == kind and flow.error == (AFTER_HANDSHAKE_ERROR if kind == "tls_failure" else IDLE_ERROR)
    assert flow.sni == host and flow.server_host == host and flow.tls_version == "TLSv1.3"
    assert flow.step_id == step and flow.method is None and flow.status_code is None
    assert flow.extra["after_handshake"] is True and flow.extra["client_close"] == close
    assert flow.server_port is not None


def _pinning(flows) -> list:
    """The pinning findings analysis draws from ``flows``."""
    a = analyze(Source("test", Path("memory"), iter(flows)), Options())
    return [f for f in a.finding_list if f.kind == "pinning_failure"]


def test_jdk_style_abort_after_handshake_is_a_pinning_failure(capture, recorded):
    capture.timeline.begin("pin-jdk", "pinned telemetry")
    with connect_tunnel(capture.address, HOST) as sock:
        handshake_then_abort(sock, capture.ca.cert, HOST)
        capture.timeline.begin("later", "a later step")  # the row keeps the step its connection started in
        [flow] = recorded.wait(1)
        _check(flow, "pin-jdk", "close_notify+eof", kind="tls_failure")
        assert flow.extra["evidence"] == "client_alert"
        assert flow.extra["client_alerts"] == ["user_canceled", "close_notify"]
        assert _closed_by_proxy(sock)  # not left half-open (CLOSE-WAIT) by the proxy
    [pin] = _pinning([flow])
    assert pin.flow_ids == [flow.id] and pin.details["client_alerts"] == ["user_canceled"]


def test_certificate_alert_after_handshake_is_a_pinning_failure(capture, recorded):
    """Firefox on Android completes the handshake, then sends ``bad_certificate`` (mitmproxy's tls.py)."""
    capture.timeline.begin("pin-alert", "certificate alert")
    with connect_tunnel(capture.address, ALERT_HOST) as sock:
        handshake_then_abort(sock, capture.ca.cert, ALERT_HOST, alerts=(ALERT_BAD_CERTIFICATE,))
        assert _closed_by_proxy(sock)
    [flow] = recorded.wait(1)
    assert flow.kind == "tls_failure" and flow.extra["client_alerts"] == ["bad_certificate"]
    assert flow.extra["evidence"] == "client_alert"


def test_close_notify_alone_is_an_idle_connection(capture, recorded):
    """A clean close (``close_notify`` in its own segment) is no evidence of pinning."""
    capture.timeline.begin("spare-py", "python client")
    with connect_tunnel(capture.address, SPARE_HOST) as sock:
        handshake_then_abort(sock, capture.ca.cert, SPARE_HOST, alerts=(ALERT_CLOSE_NOTIFY,), with_finished=False)
        assert _closed_by_proxy(sock)
    [flow] = recorded.wait(1)
    _check(flow, "spare-py", "close_notify+eof", kind="idle", host=SPARE_HOST)
    assert flow.extra["client_alerts"] == ["close_notify"] and "evidence" not in flow.extra
    assert _pinning([flow]) == []


def test_alerts_without_fin_are_recorded_and_the_proxy_closes(capture, recorded):
    """The client sends the alerts but keeps its socket open: the proxy must not wait forever."""
    capture.timeline.begin("pin-nofin", "no FIN")
    with connect_tunnel(capture.address, HOST) as sock:
        handshake_then_abort(sock, capture.ca.cert, HOST, alerts=(ALERT_USER_CANCELED, ALERT_CLOSE_NOTIFY),
                             fin=False)
        [flow] = recorded.wait(1)
        _check(flow, "pin-nofin", "close_notify", kind="tls_failure")
        assert _closed_by_proxy(sock)


def test_idle_client_after_handshake_is_not_recorded_until_it_closes(capture, recorded):
    capture.timeline.begin("idle", "idle client")
    with connect_tunnel(capture.address, IDLE_HOST) as sock:
        ctx = ssl.create_default_context(cafile=str(capture.ca.cert))
        tls = ctx.wrap_socket(sock, server_hostname=IDLE_HOST)
        time.sleep(1.0)  # several watch intervals
        assert recorded.wait(0, timeout=0.1, settle=0.1) == []
        tls.close()
    [flow] = recorded.wait(1)
    _check(flow, "idle", "eof", kind="idle", host=IDLE_HOST)


def test_repeated_closes_without_success_are_a_pinning_failure(capture, recorded):
    """A client that pins without an alert (Conscrypt on Android closes with ``close_notify``)
    shows as closes that repeat with no request ever answered: the third one is the evidence."""
    host = "quiet.world.test"
    capture.timeline.begin("pin-quiet", "quiet pinning")
    for _ in range(REPEATED_CLOSES):
        with connect_tunnel(capture.address, host) as sock:
            handshake_then_abort(sock, capture.ca.cert, host, alerts=(ALERT_CLOSE_NOTIFY,), with_finished=False)
            assert _closed_by_proxy(sock)
    flows = recorded.wait(REPEATED_CLOSES)
    assert [f.kind for f in flows] == ["idle"] * (REPEATED_CLOSES - 1) + ["tls_failure"]
    last = flows[-1]
    assert last.extra["evidence"] == "repeated_closes" and last.extra["repeated_closes"] == REPEATED_CLOSES
    assert last.extra["earlier_ids"] == [f.id for f in flows[:-1]]
    [pin] = _pinning(flows)
    assert pin.flow_ids == [f.id for f in flows] and pin.details["evidence"] == ["repeated_closes"]


def test_closes_after_a_success_are_spare_connections(capture, recorded):
    host = "busy.world.test"
    capture.timeline.begin("spare", "spare connections")
    with connect_tunnel(capture.address, host) as sock:
        ctx = ssl.create_default_context(cafile=str(capture.ca.cert))
        with ctx.wrap_socket(sock, server_hostname=host) as tls:
            tls.sendall(f"GET /hello HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            while tls.recv(65536):
                pass
    for _ in range(REPEATED_CLOSES):
        with connect_tunnel(capture.address, host) as sock:
            handshake_then_abort(sock, capture.ca.cert, host, alerts=(ALERT_CLOSE_NOTIFY,), with_finished=False)
            assert _closed_by_proxy(sock)
    flows = recorded.wait(1 + REPEATED_CLOSES)
    assert [f.kind for f in flows] == ["http"] + ["idle"] * REPEATED_CLOSES
    assert _pinning(flows) == []


def test_handshake_then_request_is_an_http_flow_only(capture, recorded):
    capture.timeline.begin("ok", "normal request")
    with connect_tunnel(capture.address, HOST) as sock:
        ctx = ssl.create_default_context(cafile=str(capture.ca.cert))
        with ctx.wrap_socket(sock, server_hostname=HOST) as tls:
            tls.sendall(f"GET /hello HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := tls.recv(65536):
                data += chunk
    assert data.startswith(b"HTTP/1.1 200")
    flows = recorded.wait(1, settle=1.0)  # past the watch intervals: no extra tls_failure row
    assert [(f.kind, f.path) for f in flows] == [("http", "/hello")]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/setup.sh installs it)")
def test_headless_chromium_spare_connections_beside_a_pinning_client(capture, recorded, tmp_path):
    """A real browser: the page on ``www.world.test`` fetches ``/json`` five times over HTTP/2 and
    preconnects to ``cdn.world.test`` without ever using it; Chromium also opens a spare
    connection to the page's own host. Beside it a pinning client aborts as a JDK does. Only the
    pinning client is a ``pinning_failure``."""
    page = "https://www.world.test/page?preconnect=https://cdn.world.test&fetch=5"
    capture.timeline.begin("browse", "browser and pinned app")
    proc = subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--proxy-server={capture.proxy_url}", "--ignore-certificate-errors",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000", "--dump-dom", page],
        capture_output=True, text=True, timeout=120)
    assert "<title>done</title>" in proc.stdout, proc.stderr[-2000:]  # all five fetches answered
    with connect_tunnel(capture.address, HOST) as sock:
        handshake_then_abort(sock, capture.ca.cert, HOST)
    flows = recorded.wait(8)
    deadline = time.monotonic() + 20
    while not any(f.sni == HOST for f in flows) and time.monotonic() < deadline:
        flows = recorded.wait(len(flows) + 1, timeout=1)
    by_host: dict[str, list[str]] = {}
    for f in flows:
        by_host.setdefault(f.server_host or "?", []).append(f.kind)
    assert by_host["www.world.test"].count("http") >= 6 and "tls_failure" not in by_host["www.world.test"]
    preconnected = [f for f in flows if f.server_host == "cdn.world.test" and f.extra.get("after_handshake")]
    assert preconnected and all(f.kind == "idle" for f in preconnected)  # handshake done, never used
    assert by_host[HOST] == ["tls_failure"]
    assert [p.details["host"] for p in _pinning(flows)] == [HOST]
