"""Clients that complete the TLS handshake with the proxy and then close without a request are
recorded as ``tls_failure`` (issue 5: "pinning makes the telemetry connection fail through the
proxy, recorded as a TLS failure").

The JDK-style abort (``Finished`` + ``user_canceled`` + ``close_notify`` in one segment, then FIN)
is the case mitmproxy 11 itself swallows: the connection stays in CLOSE-WAIT and no hook fires.
The client here is Python (``tlsclose``) sending those exact bytes; the same case with a real
OkHttp ``CertificatePinner`` in a JVM is ``tests/world/test_apps_ncsc.py``.
"""

from __future__ import annotations

import socket
import ssl
import time

from tlsclose import ALERT_CLOSE_NOTIFY, ALERT_USER_CANCELED, connect_tunnel, handshake_then_abort

from harness.capture.recorder import AFTER_HANDSHAKE_ERROR

HOST = "collector.test"  # routed to the h2 test server by the capture fixture's resolver


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


def _check_failure(flow, step: str, close: str) -> None:
    assert flow.kind == "tls_failure" and flow.error == AFTER_HANDSHAKE_ERROR
    assert flow.sni == HOST and flow.server_host == HOST and flow.tls_version == "TLSv1.3"
    assert flow.step_id == step and flow.method is None and flow.status_code is None
    assert flow.extra["after_handshake"] is True and flow.extra["client_close"] == close
    assert flow.server_port is not None


def test_jdk_style_abort_after_handshake_is_recorded_and_closed(capture, recorded):
    capture.timeline.begin("pin-jdk", "pinned telemetry")
    with connect_tunnel(capture.address, HOST) as sock:
        handshake_then_abort(sock, capture.ca.cert, HOST)
        capture.timeline.begin("later", "a later step")  # the row keeps the step its connection started in
        [flow] = recorded.wait(1)
        _check_failure(flow, "pin-jdk", "close_notify+eof")
        assert _closed_by_proxy(sock)  # not left half-open (CLOSE-WAIT) by the proxy


def test_close_notify_in_its_own_segment_is_recorded(capture, recorded):
    """mitmproxy handles this close itself; the recorder still names it a TLS failure."""
    capture.timeline.begin("pin-py", "python client")
    with connect_tunnel(capture.address, HOST) as sock:
        handshake_then_abort(sock, capture.ca.cert, HOST, alerts=(ALERT_CLOSE_NOTIFY,), with_finished=False)
        assert _closed_by_proxy(sock)
    [flow] = recorded.wait(1)
    _check_failure(flow, "pin-py", "close_notify+eof")


def test_alerts_without_fin_are_recorded_and_the_proxy_closes(capture, recorded):
    """The client sends the alerts but keeps its socket open: the proxy must not wait forever."""
    capture.timeline.begin("pin-nofin", "no FIN")
    with connect_tunnel(capture.address, HOST) as sock:
        handshake_then_abort(sock, capture.ca.cert, HOST, alerts=(ALERT_USER_CANCELED, ALERT_CLOSE_NOTIFY),
                             fin=False)
        [flow] = recorded.wait(1)
        _check_failure(flow, "pin-nofin", "close_notify")
        assert _closed_by_proxy(sock)


def test_idle_client_after_handshake_is_not_recorded_until_it_closes(capture, recorded):
    capture.timeline.begin("idle", "idle client")
    with connect_tunnel(capture.address, HOST) as sock:
        ctx = ssl.create_default_context(cafile=str(capture.ca.cert))
        tls = ctx.wrap_socket(sock, server_hostname=HOST)
        time.sleep(1.0)  # several watch intervals
        assert recorded.wait(0, timeout=0.1, settle=0.1) == []
        tls.close()
    [flow] = recorded.wait(1)
    _check_failure(flow, "idle", "eof")


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
