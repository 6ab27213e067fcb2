"""The recorder: a mitmproxy addon writing every flow into the run store and ``flows.mitm``.

Shape as mitmproxy's ``save`` addon: options declared in ``load``, checked in ``configure``
(``OptionsError``), event-named hooks, a namespaced command ``harness.mark``. It records

* HTTP/1.1 and HTTP/2 exchanges (``response``) — kind ``http``;
* WebSockets (``websocket_message`` per message, the flow at ``websocket_end``) — kind ``websocket``;
* flows that ended in an error instead of a response (server unreachable, killed, client gone
  mid-body, invalid request) — kind ``error``, request fields filled as far as they got;
* failed client TLS handshakes (``tls_failed_client``: pinning or a missing CA) — kind
  ``tls_failure`` with the SNI and the error;
* client connections that completed the TLS handshake but closed without sending a request — kind
  ``tls_failure`` (``extra.after_handshake``): what a client that checks certificate pins *after*
  the handshake does (OkHttp's ``CertificatePinner``). JDK clients send ``user_canceled`` and
  ``close_notify`` right behind their ``Finished``; mitmproxy 11 then swallows the close (its TLS
  layer sees an error, not a clean close, and leaves the socket in CLOSE-WAIT without any hook).
  The recorder watches such connections (see :class:`HandshakeWatch`), records them and closes the
  stuck socket;
* raw TCP flows — kind ``tcp``;
* client connections that closed without any of the above (e.g. garbage that is not HTTP) —
  kind ``error``.

Bodies larger than ``harness_stream_threshold`` (by Content-Length) are streamed through a tap
that keeps only the first ``harness_body_cap`` bytes and counts the rest. If the store or the flow
file cannot be written, the recorder kills new flows and shuts the proxy down: no unrecorded
traffic (the error branch of mitmproxy's save addon).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mitmproxy import command, connection, ctx, exceptions, http, tcp, tls
from mitmproxy import flow as mitmflow
from OpenSSL import SSL

from harness.capture.mitmfile import FlowStates, MitmFileWriter
from harness.capture.records import DEFAULT_BODY_CAP, FlowRecord, WsMessage
from harness.capture.store import MITM_NAME, RunStore
from harness.capture.timeline import Timeline
from harness.errors import StoreError

logger = logging.getLogger(__name__)

DEFAULT_STREAM_THRESHOLD = 16 * 1024 * 1024
_STEP_KEY = "harness.step_id"  # also in flows.mitm (flow metadata), see contracts.md §4
#: how much of a connection's first data is kept for connections that never become a flow
FIRST_BYTES = 4096
#: how often connections that finished the client TLS handshake but sent no request are checked
WATCH_INTERVAL = 0.25
_UNSET: Any = object()
AFTER_HANDSHAKE_ERROR = ("client closed the connection after the TLS handshake without sending a request "
                         "(certificate pinning?)")


class BodyTap:
    """``Message.stream`` callable: passes data on, keeps the first ``cap`` bytes, counts all."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.kept = bytearray()
        self.size = 0

    def __call__(self, data: bytes) -> bytes:
        self.size += len(data)
        room = self.cap - len(self.kept)
        if room > 0 and data:
            self.kept += data[:room]
        return data


def _body(msg: http.Message | None, cap: int) -> tuple[bytes | None, int | None, bool, bool]:
    """(kept bytes, full size, truncated, streamed) of a request or response body."""
    if msg is None:
        return None, None, False, False
    if isinstance(msg.stream, BodyTap):
        tap = msg.stream
        return bytes(tap.kept), tap.size, tap.size > len(tap.kept), True
    raw = msg.raw_content
    if raw is None:
        return None, None, False, bool(msg.stream)
    size = len(raw)
    return (raw[:cap] if size > cap else raw), size, size > cap, False


def _addr(a: Any) -> tuple[str | None, int | None]:
    if not a:
        return None, None
    return str(a[0]), int(a[1])


def _alpn(conn: connection.Connection) -> str | None:
    return conn.alpn.decode("ascii", "replace") if conn.alpn else None


def _headers(msg: http.Message) -> list[tuple[str, str]]:
    """Header pairs in order, decoded as mitmproxy's ``Headers.items`` does."""
    return [(k.decode("utf-8", "surrogateescape"), v.decode("utf-8", "surrogateescape"))
            for k, v in msg.headers.fields]


@dataclass(frozen=True)
class _ConnFacts:
    """What a flow row needs from its connections, read on the event loop (connections change)."""

    client_ip: str
    client_port: int
    sni: str | None
    tls_version: str | None
    alpn: str | None
    server_ip: str | None
    server_port: int | None

    @classmethod
    def of(cls, f: http.HTTPFlow) -> _ConnFacts:
        client, server = f.client_conn, f.server_conn
        ip, port = _addr(client.peername)
        sip, sport = _addr(server.peername)
        return cls(ip or "", port or 0, client.sni, client.tls_version, _alpn(client), sip, sport)


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


class Recorder:
    """Records every flow into a :class:`RunStore` (and ``flows.mitm``).

    Give ``store`` (and optionally ``timeline``) when embedding; standalone under mitmdump set the
    option ``harness_run_dir`` and the recorder creates and closes the store itself.
    """

    def __init__(
        self, store: RunStore | None = None, timeline: Timeline | None = None, *,
        write_mitm: bool = True, body_cap: int | None = None,
    ) -> None:
        self.store = store
        self.timeline = timeline or Timeline(store)
        self._own_store = False
        self._write_mitm = write_mitm
        self._body_cap_override = body_cap
        self.body_cap = body_cap if body_cap is not None else DEFAULT_BODY_CAP
        self.stream_threshold = DEFAULT_STREAM_THRESHOLD
        self.mitm: MitmFileWriter | None = None
        self._states = FlowStates()
        self.failure: StoreError | None = None
        self.recorded = 0
        self._master: Any = None
        self._lock = threading.Lock()
        #: client connection id -> number of records made for it (for "nothing recorded" closes)
        self._conn_records: dict[str, int] = {}
        #: client connection id -> first bytes it sent
        self._conn_first_bytes: dict[str, bytes] = {}
        #: client connection id -> step current when it connected
        self._conn_steps: dict[str, str | None] = {}
        #: client connection id -> TLS established with the proxy, no request yet
        self._after_handshake: dict[str, HandshakeWatch] = {}
        self._watch_timer: asyncio.TimerHandle | None = None
        #: optional callback for each record; HTTP/WebSocket rows call it from the store's writer
        #: thread once written, other kinds on the event loop (keep it cheap, thread-safe)
        self.on_flow: Callable[[FlowRecord], None] | None = None

    # -- options ----------------------------------------------------------------------------------

    def load(self, loader: Any) -> None:
        loader.add_option("harness_run_dir", str, "",
                          "Record into this run directory (store.sqlite + flows.mitm); created 0700.")
        loader.add_option("harness_body_cap", int, self.body_cap,
                          "Keep at most this many bytes of each body (full size is still recorded).")
        loader.add_option("harness_stream_threshold", int, DEFAULT_STREAM_THRESHOLD,
                          "Stream bodies whose Content-Length exceeds this many bytes (0: never).")

    def configure(self, updated: set[str]) -> None:
        if "harness_body_cap" in updated:
            cap = ctx.options.harness_body_cap
            if cap < 0:
                raise exceptions.OptionsError(f"harness_body_cap must be >= 0, not {cap}")
            if self._body_cap_override is None:
                self.body_cap = cap
        if "harness_stream_threshold" in updated:
            thr = ctx.options.harness_stream_threshold
            if thr < 0:
                raise exceptions.OptionsError(f"harness_stream_threshold must be >= 0, not {thr}")
            self.stream_threshold = thr
        if "harness_run_dir" in updated and ctx.options.harness_run_dir:
            if self.store is not None and not self._own_store:
                raise exceptions.OptionsError("this recorder already records into a store given by the harness")
            run_dir = Path(ctx.options.harness_run_dir).expanduser()
            self._close_own()
            try:
                store = RunStore.create(run_dir, meta={"recorder": "mitmdump -s addons/record.py"},
                                        on_error=self._fail)
            except StoreError as exc:
                raise exceptions.OptionsError(str(exc)) from exc
            self.store, self._own_store = store, True
            self.timeline.attach(store)
            self._open_mitm()
        elif self.store is not None and self.mitm is None and self._write_mitm:
            self._open_mitm()
        if self.store is not None:
            self.store.set_error_callback(self._fail)

    def _open_mitm(self) -> None:
        if self.store is None or not self._write_mitm:
            return
        try:
            self.mitm = MitmFileWriter(self.store.run_dir / MITM_NAME, on_error=self._fail)
        except StoreError as exc:
            raise exceptions.OptionsError(str(exc)) from exc

    def running(self) -> None:
        self._master = ctx.master
        if self.store is not None:
            self.store.set_meta("body_cap", self.body_cap)

    # -- failure: stop the proxy rather than pass traffic unrecorded ---------------------------

    def _fail(self, err: StoreError) -> None:
        with self._lock:
            if self.failure is not None:
                return
            self.failure = err
        logger.error("recording failed, stopping the proxy: %s", err)
        master = self._master
        if master is not None:
            master.shutdown()

    def _check(self, f: http.HTTPFlow | tcp.TCPFlow) -> bool:
        if self.failure is not None:
            if f.killable:
                f.kill()
            return False
        return self.store is not None

    # -- commands ---------------------------------------------------------------------------------

    @command.command("harness.mark")
    def mark(self, step_id: str, name: str = "") -> None:
        """Begin scenario step STEP_ID (ends the current one); flows that start now carry it."""
        self.timeline.begin(step_id, name or step_id, action="mark")

    # -- hooks ------------------------------------------------------------------------------------

    def client_connected(self, client: connection.Client) -> None:
        self._conn_records[client.id] = 0
        self._conn_steps[client.id] = self.timeline.current

    def next_layer(self, nextlayer: Any) -> None:
        """The client sent data: keep its first bytes, in case it never becomes a flow."""
        cid = nextlayer.context.client.id
        if cid not in self._conn_first_bytes:
            self._conn_first_bytes[cid] = bytes(nextlayer.data_client()[:FIRST_BYTES])

    def server_disconnected(self, data: Any) -> None:
        self._states.forget(data.server.id)

    def client_disconnected(self, client: connection.Client) -> None:
        self._states.forget(client.id)
        count = self._conn_records.pop(client.id, 0)
        first = self._conn_first_bytes.pop(client.id, None)
        watch = self._after_handshake.pop(client.id, None)
        self._conn_steps.pop(client.id, None)
        if count or first is None or self.store is None or self.failure is not None:
            return  # recorded already, or the client never sent anything
        if watch is not None:
            self._record_after_handshake(watch, watch.client_close() or "disconnected")
            return
        ip, port = _addr(client.peername)
        self._emit(FlowRecord(
            id=client.id, kind="error", started_at=client.timestamp_start, ended_at=time.time(),
            client_ip=ip or "", client_port=port or 0, step_id=self.timeline.current,
            sni=client.sni, tls_version=client.tls_version, alpn=_alpn(client), body_cap=self.body_cap,
            request_body=first, request_body_size=len(first), request_body_truncated=len(first) >= FIRST_BYTES,
            error=client.error or "client closed the connection without a complete request",
            extra={"client_connection": True},
        ), None)

    def tls_established_client(self, data: tls.TlsData) -> None:
        client = data.context.client
        if data.conn is not client or self.store is None or data.ssl_conn is None:
            return  # (TLS inside the client's TLS: the outer layer is watched)
        if self._conn_records.get(client.id):
            return
        step = self._conn_steps.get(client.id, self.timeline.current)  # the connection's start
        self._after_handshake[client.id] = HandshakeWatch(client, data.context.server, data.ssl_conn, step)
        if self._watch_timer is None:
            self._watch_timer = asyncio.get_running_loop().call_later(WATCH_INTERVAL, self._watch)

    def _watch(self) -> None:
        """Record (and close) clients that closed after the handshake but that mitmproxy keeps open."""
        self._watch_timer = None
        now = time.monotonic()
        for cid, watch in list(self._after_handshake.items()):
            how = watch.client_close()
            if how is None:
                continue
            if watch.closed_since is None:
                watch.closed_since = now  # give mitmproxy one interval to end it by itself
                continue
            del self._after_handshake[cid]
            if self.store is not None and self.failure is None and not self._conn_records.get(cid):
                self._count(cid)
                self._record_after_handshake(watch, how)
            self._close_client(watch.client)
        if self._after_handshake:
            self._watch_timer = asyncio.get_running_loop().call_later(WATCH_INTERVAL, self._watch)

    def _close_client(self, client: connection.Client) -> None:
        """End a client connection mitmproxy left half-open (as its idle timeout would, sooner)."""
        master = self._master
        proxyserver = master.addons.get("proxyserver") if master is not None else None
        for handler in list(getattr(proxyserver, "connections", {}).values()):
            if getattr(handler, "client", None) is client and client in handler.transports:
                logger.debug("closing %s: closed by the client after the TLS handshake", client)
                handler.close_connection(client)
                return

    def _record_after_handshake(self, watch: HandshakeWatch, how: str) -> None:
        client, server = watch.client, watch.server
        ip, port = _addr(client.peername)
        sip, sport = _addr(server.peername)
        host, hport = _addr(server.address)
        self._emit(FlowRecord(
            id=client.id, kind="tls_failure", started_at=client.timestamp_start, ended_at=time.time(),
            client_ip=ip or "", client_port=port or 0, step_id=watch.step_id,
            server_host=client.sni or host, server_ip=sip, server_port=sport or hport,
            sni=client.sni, tls_version=client.tls_version, alpn=_alpn(client), body_cap=self.body_cap,
            error=AFTER_HANDSHAKE_ERROR,
            extra={"after_handshake": True, "client_close": how,
                   "alpn_offers": [a.decode("ascii", "replace") for a in client.alpn_offers]},
        ), None)

    def requestheaders(self, f: http.HTTPFlow) -> None:
        self._after_handshake.pop(f.client_conn.id, None)
        if not self._check(f):
            return
        f.metadata[_STEP_KEY] = self.timeline.current
        self._maybe_stream(f.request)

    def responseheaders(self, f: http.HTTPFlow) -> None:
        if f.response is not None:
            self._maybe_stream(f.response)

    def _maybe_stream(self, msg: http.Message) -> None:
        if not self.stream_threshold or msg.stream:
            return
        try:
            length = int(msg.headers.get("content-length", ""))
        except ValueError:
            return
        if length > self.stream_threshold:
            msg.stream = BodyTap(self.body_cap)

    def response(self, f: http.HTTPFlow) -> None:
        if f.websocket is None:
            self._record_http(f, "http")

    def error(self, f: http.HTTPFlow) -> None:
        if f.websocket is None:
            self._record_http(f, "error")

    def websocket_message(self, f: http.HTTPFlow) -> None:
        if self.store is None or self.failure is not None or f.websocket is None:
            return
        m = f.websocket.messages[-1]
        content = m.content
        size = len(content)
        try:
            self.store.add_ws_message(WsMessage(
                flow_id=f.id, timestamp=m.timestamp, from_client=m.from_client, is_text=m.is_text,
                content=content[: self.body_cap] if size > self.body_cap else content, size=size,
                truncated=size > self.body_cap, step_id=f.metadata.get(_STEP_KEY),
            ))
        except StoreError as exc:
            self._fail(exc)

    def websocket_end(self, f: http.HTTPFlow) -> None:
        self._record_http(f, "websocket")

    def tls_failed_client(self, data: tls.TlsData) -> None:
        if self.store is None or self.failure is not None:
            return
        client = data.context.client
        ip, port = _addr(client.peername)
        server = data.context.server
        sip, sport = _addr(server.peername)
        host, hport = _addr(server.address)
        self._count(client.id)
        self._emit(FlowRecord(
            id=data.conn.id, kind="tls_failure", started_at=client.timestamp_start, ended_at=time.time(),
            client_ip=ip or "", client_port=port or 0, step_id=self.timeline.current,
            server_host=client.sni or host, server_ip=sip, server_port=sport or hport,
            sni=client.sni, tls_version=client.tls_version, alpn=_alpn(client), body_cap=self.body_cap,
            error=data.conn.error or "client TLS handshake failed",
            extra={"alpn_offers": [a.decode("ascii", "replace") for a in client.alpn_offers],
                   "cipher_list": list(client.cipher_list)[:64]},
        ), None)

    def tcp_start(self, f: tcp.TCPFlow) -> None:
        self._after_handshake.pop(f.client_conn.id, None)

    def tcp_end(self, f: tcp.TCPFlow) -> None:
        if not self._check(f):
            return
        assert self.store is not None
        ip, port = _addr(f.client_conn.peername)
        sip, sport = _addr(f.server_conn.peername)
        host, hport = _addr(f.server_conn.address)
        up = b"".join(m.content for m in f.messages if m.from_client)
        down = b"".join(m.content for m in f.messages if not m.from_client)
        cap = self.body_cap
        self._count(f.client_conn.id)
        self._emit(FlowRecord(
            id=f.id, kind="tcp", started_at=f.timestamp_created, ended_at=time.time(),
            client_ip=ip or "", client_port=port or 0, step_id=self.timeline.current,
            server_host=f.client_conn.sni or host, server_ip=sip, server_port=sport or hport,
            sni=f.client_conn.sni, tls_version=f.client_conn.tls_version, alpn=_alpn(f.client_conn),
            request_body=up[:cap], response_body=down[:cap], request_body_size=len(up),
            response_body_size=len(down), request_body_truncated=len(up) > cap,
            response_body_truncated=len(down) > cap, body_cap=cap,
            error=f.error.msg if f.error else None,
        ), f)

    tcp_error = tcp_end

    # -- building records -------------------------------------------------------------------------

    def _count(self, conn_id: str) -> None:
        if conn_id in self._conn_records:
            self._conn_records[conn_id] += 1

    def _record_http(self, f: http.HTTPFlow, kind: str) -> None:
        """Queue the row of a finished HTTP/WebSocket flow; the row is built in the store's writer
        thread. What can still change (the connections, the timeline, options) is read here."""
        if self.store is None or self.failure is not None:
            return
        self._count(f.client_conn.id)
        facts = _ConnFacts.of(f)
        step = f.metadata.get(_STEP_KEY, self.timeline.current)
        cap, now = self.body_cap, time.time()
        try:
            self.store.add_flow_from(lambda: self.flow_record(f, kind, facts=facts, step=step, cap=cap, now=now),
                                     self._notify)
            if self.mitm is not None:
                self.mitm.add_state(self._states.state(f))
        except StoreError as exc:
            self._fail(exc)
            return
        self.recorded += 1

    def flow_record(self, f: http.HTTPFlow, kind: str, *, facts: _ConnFacts | None = None,
                    step: Any = _UNSET, cap: int | None = None,
                    now: float | None = None) -> FlowRecord:
        """The :class:`FlowRecord` of a finished HTTP or WebSocket flow (no I/O).

        The recorder calls it in the store's writer thread with ``facts``/``step``/``cap``/``now``
        taken on the event loop; without them they are read now.
        """
        cap = self.body_cap if cap is None else cap
        facts = facts or _ConnFacts.of(f)
        req, resp = f.request, f.response
        req_body, req_size, req_trunc, req_streamed = _body(req, cap)
        resp_body, resp_size, resp_trunc, resp_streamed = _body(resp, cap)
        extra: dict[str, Any] = {}
        if req_streamed or resp_streamed:
            extra["streamed"] = [n for n, s in (("request", req_streamed), ("response", resp_streamed)) if s]
        if f.websocket is not None:
            ws = f.websocket
            extra.update(ws_messages=len(ws.messages), close_code=ws.close_code,
                         close_reason=ws.close_reason, closed_by_client=ws.closed_by_client)
        if f.error is not None and f.error.msg == mitmflow.Error.KILLED_MESSAGE:
            extra["killed"] = True
        if step is _UNSET:
            step = f.metadata.get(_STEP_KEY, self.timeline.current)
        ended = (resp.timestamp_end if resp and resp.timestamp_end else None) or now or time.time()
        # pretty_*: the name the client asked for (Host/:authority), even when an addon
        # redirected the server connection to another address
        host = req.pretty_host
        return FlowRecord(
            id=f.id, kind=kind, started_at=req.timestamp_start, ended_at=ended,
            client_ip=facts.client_ip, client_port=facts.client_port, step_id=step,
            server_host=host, server_ip=facts.server_ip, server_port=facts.server_port,
            sni=facts.sni, tls_version=facts.tls_version, alpn=facts.alpn,
            http_version=req.http_version, method=req.method, scheme=req.scheme, host=host,
            port=req.port, path=req.path, url=req.pretty_url,
            status_code=resp.status_code if resp else None, reason=resp.reason if resp else None,
            request_headers=_headers(req), response_headers=_headers(resp) if resp else [],
            request_body=req_body, response_body=resp_body,
            request_body_size=req_size, response_body_size=resp_size,
            request_body_truncated=req_trunc, response_body_truncated=resp_trunc,
            body_cap=cap, error=f.error.msg if f.error else None, extra=extra,
        )

    def _notify(self, record: FlowRecord) -> None:
        if self.on_flow is not None:
            self.on_flow(record)

    def _emit(self, record: FlowRecord, f: Any) -> None:
        assert self.store is not None
        try:
            self.store.add_flow(record)
            if self.mitm is not None and f is not None:
                self.mitm.add_state(self._states.state(f))
        except StoreError as exc:
            self._fail(exc)
            return
        self.recorded += 1
        self._notify(record)

    # -- shutdown ---------------------------------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until all recorded flows are on disk (raises the recording error, if any)."""
        if self.mitm is not None:
            self.mitm.flush(timeout)
        if self.store is not None:
            self.store.flush(timeout)
        if self.failure is not None:
            raise self.failure

    def close_files(self) -> None:
        if self.mitm is not None:
            self.mitm.close()
            self.mitm = None

    def _close_own(self) -> None:
        self.close_files()
        if self._own_store and self.store is not None:
            status = "incomplete" if self.failure else "complete"
            self.store.close(status, reason=self.failure.reason if self.failure else None)
            self.store, self._own_store = None, False

    def done(self) -> None:
        if self._watch_timer is not None:
            self._watch_timer.cancel()
            self._watch_timer = None
        self.close_files()
        if self._own_store:
            self._close_own()
