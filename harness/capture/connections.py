"""Client connections that never became an HTTP or TCP flow, for the recorder.

:class:`ClientConnections` keeps per-connection facts (first bytes, the step when it connected, the
``CONNECT`` target, TLS alerts) and records the rows no flow hook gives:

* a failed client TLS handshake (``tls_failed_client``) — kind ``tls_failure``;
* a client that completed the TLS handshake and closed without a request — kind ``tls_failure``
  with positive evidence of pinning, else ``idle`` (rules in :mod:`harness.capture.tlsevidence`).
  JDK clients send ``user_canceled`` and ``close_notify`` right behind their ``Finished``;
  mitmproxy 11 then swallows the close (its TLS layer sees an error, not a clean close, and leaves
  the socket in CLOSE-WAIT without any hook), so such connections are watched
  (:class:`HandshakeWatch`), recorded and closed;
* a ``CONNECT`` the proxy could not complete (unresolvable host, refused, unreachable) — kind
  ``error`` with the requested host and port and the reason (``http_connect_error``);
* a connection that closed without any of the above (e.g. garbage that is not HTTP) — kind
  ``error`` with ``extra.client_connection``, the ``CONNECT`` target if there was one.

The recorder owns one and calls it from its hooks (mitmproxy calls hooks on the addon only).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mitmproxy import connection, http, tls
from OpenSSL import SSL

from harness.capture.records import FlowRecord
from harness.capture.tlsevidence import AFTER_HANDSHAKE_ERROR, IDLE_ERROR, AlertLog, CloseTally, rejecting

if TYPE_CHECKING:
    from harness.capture.recorder import Recorder

logger = logging.getLogger(__name__)

#: flow metadata key of the step id (also in flows.mitm), see docs/dev/contracts.md section 1
STEP_KEY = "harness.step_id"
#: flow metadata key of the harness's own control requests through the proxy (``harness mark``'s
#: ``GET http://harness.mark/step?...``): answered by the proxy, never recorded as the phone's flow
CONTROL_KEY = "harness.control"
#: how much of a connection's first data is kept for connections that never become a flow
FIRST_BYTES = 4096
#: how often connections that finished the client TLS handshake but sent no request are checked
WATCH_INTERVAL = 0.25
#: mitmproxy's 502 text for a CONNECT it could not open ("Cannot connect to HOST:PORT: ERR If you plan ...")
_CONNECT_ERR = re.compile(r"^Cannot connect to (?P<target>.+?): (?P<reason>.*?)(?: If you plan to redirect.*)?$", re.S)


def addr(a: Any) -> tuple[str | None, int | None]:
    """(host, port) of a mitmproxy address tuple, or (None, None)."""
    if not a:
        return None, None
    return str(a[0]), int(a[1])


def alpn(conn: connection.Connection) -> str | None:
    return conn.alpn.decode("ascii", "replace") if conn.alpn else None


@dataclass
class HandshakeWatch:
    """A client connection that completed the TLS handshake with the proxy and sent no request yet.

    ``closed_since`` is set when the client is first seen closed (EOF or ``close_notify``); if
    mitmproxy has not ended the connection by the next check, the recorder does.
    """

    client: connection.Client
    server: connection.Server
    ssl_conn: SSL.Connection
    step_id: str | None
    closed_since: float | None = None

    def client_close(self) -> str | None:
        """How the client closed: ``"eof"``, ``"close_notify"``, both, or None (still open)."""
        how = []
        try:
            if self.ssl_conn.get_shutdown() & SSL.RECEIVED_SHUTDOWN:
                how.append("close_notify")
        except SSL.Error:  # pragma: no cover - a freed connection
            pass
        if not self.client.state & connection.ConnectionState.CAN_READ:
            how.append("eof")
        return "+".join(how) or None


class ClientConnections:
    """Per-client-connection bookkeeping and the rows of connections that are not flows."""

    def __init__(self, recorder: Recorder) -> None:
        self.rec = recorder
        #: client connection id -> number of records made for it (for "nothing recorded" closes)
        self.records: dict[str, int] = {}
        #: client connection id -> first bytes it sent
        self.first_bytes: dict[str, bytes] = {}
        #: client connection id -> step current when it connected
        self.steps: dict[str, str | None] = {}
        #: client connection id -> (host, port) of its CONNECT request
        self.targets: dict[str, tuple[str, int]] = {}
        #: client connection id -> TLS established with the proxy, no request yet
        self.after_handshake: dict[str, HandshakeWatch] = {}
        self.alerts = AlertLog()
        self.closes = CloseTally()
        self._timer: asyncio.TimerHandle | None = None

    def _live(self) -> bool:
        return self.rec.store is not None and self.rec.failure is None

    def count(self, conn_id: str) -> None:
        if conn_id in self.records:
            self.records[conn_id] += 1

    def request_seen(self, client_id: str) -> None:
        """The client sent a request (HTTP or TCP data): it is not an after-handshake close."""
        self.after_handshake.pop(client_id, None)

    def success(self, f: http.HTTPFlow) -> None:
        """The client sent a request inside its TLS session with the proxy: it trusted the proxy's
        certificate for that host (a CONNECT or a plain-HTTP request proves nothing)."""
        if f.request.method == "CONNECT" or not f.client_conn.tls_established:
            return
        ip, _ = addr(f.client_conn.peername)
        for host in {f.client_conn.sni, f.request.pretty_host, f.request.host}:
            self.closes.success(ip or "", host)

    # -- hooks (called by the recorder) ------------------------------------------------------

    def connected(self, client: connection.Client) -> None:
        self.records[client.id] = 0
        self.steps[client.id] = self.rec.timeline.current

    def next_layer(self, nextlayer: Any) -> None:
        cid = nextlayer.context.client.id
        if cid not in self.first_bytes:
            self.first_bytes[cid] = bytes(nextlayer.data_client()[:FIRST_BYTES])

    def http_connect(self, f: http.HTTPFlow) -> None:
        self.targets[f.client_conn.id] = (f.request.host, f.request.port)

    def disconnected(self, client: connection.Client) -> None:
        count = self.records.pop(client.id, 0)
        first = self.first_bytes.pop(client.id, None)
        watch = self.after_handshake.pop(client.id, None)
        target = self.targets.pop(client.id, None)
        step = self.steps.pop(client.id, self.rec.timeline.current)  # the connection's start
        try:
            if count or first is None or not self._live():
                return  # recorded already, or the client never sent anything
            if watch is not None:
                self.record_after_handshake(watch, watch.client_close() or "disconnected")
                return
            ip, port = addr(client.peername)
            host, hport = target or (None, None)
            extra: dict[str, Any] = {"client_connection": True}
            if target:
                extra["connect_target"] = f"{host}:{hport}"
            self.rec.emit(FlowRecord(
                id=client.id, kind="error", started_at=client.timestamp_start, ended_at=time.time(),
                client_ip=ip or "", client_port=port or 0, step_id=step,
                server_host=client.sni or host, server_port=hport,
                sni=client.sni, tls_version=client.tls_version, alpn=alpn(client), body_cap=self.rec.body_cap,
                request_body=first, request_body_size=len(first), request_body_truncated=len(first) >= FIRST_BYTES,
                error=client.error or "client closed the connection without a complete request", extra=extra,
            ), None)
        finally:
            self.alerts.forget(client.id)

    def http_connect_error(self, f: http.HTTPFlow) -> None:
        """A CONNECT the proxy answered with an error (it could not open the server connection)."""
        if not self._live():
            return
        ip, port = addr(f.client_conn.peername)
        req, resp = f.request, f.response
        text = resp.get_text(strict=False) if resp is not None else None
        m = _CONNECT_ERR.match(text or "")
        reason = (m.group("reason").strip() if m else None) or f.server_conn.error or (
            f"{resp.status_code} {resp.reason}" if resp is not None else "CONNECT failed")
        errno = re.search(r"\[Errno (\d+)\]", reason)
        if errno and os.strerror(int(errno.group(1))).lower() not in reason.lower():
            reason += f" ({os.strerror(int(errno.group(1)))})"  # asyncio says "Connect call failed"
        self.count(f.client_conn.id)
        self.rec.emit(FlowRecord(
            id=f.id, kind="error", started_at=req.timestamp_start, ended_at=time.time(),
            client_ip=ip or "", client_port=port or 0, step_id=f.metadata.get(STEP_KEY, self.rec.timeline.current),
            server_host=req.host, server_port=req.port, http_version=req.http_version, method=req.method,
            host=req.host, port=req.port, url=None, body_cap=self.rec.body_cap,
            request_headers=[(k, v) for k, v in req.headers.items(multi=True)],
            error=f"cannot connect to {req.host}:{req.port}: {reason}",
            extra={"connect_failed": True, "proxy_status": resp.status_code if resp is not None else None},
        ), f)

    def tls_start_client(self, data: tls.TlsData) -> None:
        if data.ssl_conn is not None and data.conn is data.context.client:
            self.alerts.watch(data.ssl_conn, data.conn.id)

    def tls_failed_client(self, data: tls.TlsData) -> None:
        if not self._live():
            return
        client = data.context.client
        ip, port = addr(client.peername)
        server = data.context.server
        sip, sport = addr(server.peername)
        host, hport = addr(server.address)
        alerts = self.alerts.alerts(client.id)
        extra: dict[str, Any] = {"alpn_offers": [a.decode("ascii", "replace") for a in client.alpn_offers],
                                 "cipher_list": list(client.cipher_list)[:64], "client_alerts": alerts}
        if rejecting(alerts):
            extra["evidence"] = "client_alert"
        self.count(client.id)
        self.rec.emit(FlowRecord(
            id=data.conn.id, kind="tls_failure", started_at=client.timestamp_start, ended_at=time.time(),
            client_ip=ip or "", client_port=port or 0,
            step_id=self.steps.get(client.id, self.rec.timeline.current),  # the connection's start
            server_host=client.sni or host, server_ip=sip, server_port=sport or hport,
            sni=client.sni, tls_version=client.tls_version, alpn=alpn(client), body_cap=self.rec.body_cap,
            error=data.conn.error or "client TLS handshake failed", extra=extra,
        ), None)

    def tls_established_client(self, data: tls.TlsData) -> None:
        client = data.context.client
        if data.conn is not client or self.rec.store is None or data.ssl_conn is None:
            return  # (TLS inside the client's TLS: the outer layer is watched)
        if self.records.get(client.id):
            return
        step = self.steps.get(client.id, self.rec.timeline.current)  # the connection's start
        self.after_handshake[client.id] = HandshakeWatch(client, data.context.server, data.ssl_conn, step)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(WATCH_INTERVAL, self._watch)

    def done(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- after the handshake -------------------------------------------------------------------

    def _watch(self) -> None:
        """Record (and close) clients that closed after the handshake but that mitmproxy keeps open."""
        self._timer = None
        now = time.monotonic()
        for cid, watch in list(self.after_handshake.items()):
            how = watch.client_close()
            if how is None:
                continue
            if watch.closed_since is None:
                watch.closed_since = now  # give mitmproxy one interval to end it by itself
                continue
            del self.after_handshake[cid]
            if self._live() and not self.records.get(cid):
                self.count(cid)
                self.record_after_handshake(watch, how)
            self._close_client(watch.client)
        if self.after_handshake:
            self._timer = asyncio.get_running_loop().call_later(WATCH_INTERVAL, self._watch)

    def _close_client(self, client: connection.Client) -> None:
        """End a client connection mitmproxy left half-open (as its idle timeout would, sooner)."""
        master = self.rec.master
        proxyserver = master.addons.get("proxyserver") if master is not None else None
        for handler in list(getattr(proxyserver, "connections", {}).values()):
            if getattr(handler, "client", None) is client and client in handler.transports:
                logger.debug("closing %s: closed by the client after the TLS handshake", client)
                handler.close_connection(client)
                return

    def record_after_handshake(self, watch: HandshakeWatch, how: str) -> None:
        """The row of a client that closed after the handshake: ``tls_failure`` with evidence, else ``idle``."""
        client, server = watch.client, watch.server
        ip, port = addr(client.peername)
        sip, sport = addr(server.peername)
        host, hport = addr(server.address)
        name = client.sni or host
        alerts = self.alerts.alerts(client.id)
        extra: dict[str, Any] = {"after_handshake": True, "client_close": how, "client_alerts": alerts,
                                 "alpn_offers": [a.decode("ascii", "replace") for a in client.alpn_offers]}
        repeated = self.closes.close(ip or "", name, client.id)
        if rejecting(alerts):
            extra["evidence"] = "client_alert"
        elif repeated is not None:
            extra.update(evidence="repeated_closes", **repeated)
        self.rec.emit(FlowRecord(
            id=client.id, kind="tls_failure" if "evidence" in extra else "idle",
            started_at=client.timestamp_start, ended_at=time.time(),
            client_ip=ip or "", client_port=port or 0, step_id=watch.step_id,
            server_host=name, server_ip=sip, server_port=sport or hport,
            sni=client.sni, tls_version=client.tls_version, alpn=alpn(client), body_cap=self.rec.body_cap,
            error=AFTER_HANDSHAKE_ERROR if "evidence" in extra else IDLE_ERROR, extra=extra,
        ), None)
