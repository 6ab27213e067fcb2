"""The recorder: a mitmproxy addon writing every flow into the run store and ``flows.mitm``.

Shape as mitmproxy's ``save`` addon: options declared in ``load``, checked in ``configure``
(``OptionsError``), event-named hooks, a namespaced command ``harness.mark``. It records

* HTTP/1.1 and HTTP/2 exchanges (``response``) — kind ``http``;
* WebSockets (``websocket_message`` per message, the flow at ``websocket_end``) — kind ``websocket``;
* flows that ended in an error instead of a response (server unreachable, killed, client gone
  mid-body, invalid request) — kind ``error``, request fields filled as far as they got;
* raw TCP flows — kind ``tcp``;
* client connections that never became a flow — failed client TLS handshakes (``tls_failure``),
  clients that closed after the TLS handshake without a request (``tls_failure`` with positive
  evidence of pinning, else ``idle``), ``CONNECT`` requests the proxy could not complete and
  connections that closed without a request (``error``): see :mod:`harness.capture.connections`.

Bodies larger than ``harness_stream_threshold`` (by Content-Length) are streamed through a tap
that keeps only the first ``harness_body_cap`` bytes and counts the rest. If the store or the flow
file cannot be written, the recorder kills new flows and shuts the proxy down: no unrecorded
traffic (the error branch of mitmproxy's save addon).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mitmproxy import command, connection, ctx, exceptions, http, tcp, tls

from harness.capture.connections import CONTROL_KEY, STEP_KEY, ClientConnections, addr, alpn
from harness.capture.httprecord import BodyTap, ConnFacts, http_record
from harness.capture.mitmfile import FlowStates, MitmFileWriter
from harness.capture.records import DEFAULT_BODY_CAP, FlowRecord, WsMessage
from harness.capture.store import MITM_NAME, RunStore
from harness.capture.timeline import Timeline
from harness.errors import StoreError

logger = logging.getLogger(__name__)

DEFAULT_STREAM_THRESHOLD = 16 * 1024 * 1024
_UNSET: Any = object()


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
        self.master: Any = None
        self._lock = threading.Lock()
        self.connections = ClientConnections(self)
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
            # written by the store's writer thread, handed to the OS after each store commit
            self.mitm = MitmFileWriter(self.store.run_dir / MITM_NAME, on_error=self._fail, threaded=False)
        except StoreError as exc:
            raise exceptions.OptionsError(str(exc)) from exc
        self.store.add_commit_hook(self.mitm.flush_buffer)

    def running(self) -> None:
        self.master = ctx.master
        if self.store is not None:
            self.store.set_meta("body_cap", self.body_cap)

    # -- failure: stop the proxy rather than pass traffic unrecorded ---------------------------

    def _fail(self, err: StoreError) -> None:
        with self._lock:
            if self.failure is not None:
                return
            self.failure = err
        logger.error("recording failed, stopping the proxy: %s", err)
        master = self.master
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
        self.connections.connected(client)

    def next_layer(self, nextlayer: Any) -> None:
        """The client sent data: keep its first bytes, in case it never becomes a flow."""
        self.connections.next_layer(nextlayer)

    def server_disconnected(self, data: Any) -> None:
        self._states.forget(data.server.id)

    def client_disconnected(self, client: connection.Client) -> None:
        self._states.forget(client.id)
        self.connections.disconnected(client)

    def http_connect(self, f: http.HTTPFlow) -> None:
        self.connections.http_connect(f)

    def http_connect_error(self, f: http.HTTPFlow) -> None:
        self.connections.http_connect_error(f)

    def tls_start_client(self, data: tls.TlsData) -> None:
        self.connections.tls_start_client(data)

    def tls_established_client(self, data: tls.TlsData) -> None:
        self.connections.tls_established_client(data)

    def tls_failed_client(self, data: tls.TlsData) -> None:
        self.connections.tls_failed_client(data)

    def requestheaders(self, f: http.HTTPFlow) -> None:
        self.connections.request_seen(f.client_conn.id)
        self.connections.success(f)
        if not self._check(f):
            return
        f.metadata[STEP_KEY] = self.timeline.current
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
                truncated=size > self.body_cap, step_id=f.metadata.get(STEP_KEY),
            ))
        except StoreError as exc:
            self._fail(exc)

    def websocket_end(self, f: http.HTTPFlow) -> None:
        self._record_http(f, "websocket")

    def tcp_start(self, f: tcp.TCPFlow) -> None:
        self.connections.request_seen(f.client_conn.id)
        # a TCP flow belongs to the step current when its client connected, as every flow does
        f.metadata.setdefault(STEP_KEY, self.connections.steps.get(f.client_conn.id, self.timeline.current))

    def tcp_end(self, f: tcp.TCPFlow) -> None:
        if not self._check(f):
            return
        assert self.store is not None
        ip, port = addr(f.client_conn.peername)
        sip, sport = addr(f.server_conn.peername)
        host, hport = addr(f.server_conn.address)
        up = b"".join(m.content for m in f.messages if m.from_client)
        down = b"".join(m.content for m in f.messages if not m.from_client)
        cap = self.body_cap
        self.connections.count(f.client_conn.id)
        self.emit(FlowRecord(
            id=f.id, kind="tcp", started_at=f.timestamp_created, ended_at=time.time(),
            client_ip=ip or "", client_port=port or 0, step_id=f.metadata.get(STEP_KEY, self.timeline.current),
            server_host=f.client_conn.sni or host, server_ip=sip, server_port=sport or hport,
            sni=f.client_conn.sni, tls_version=f.client_conn.tls_version, alpn=alpn(f.client_conn),
            request_body=up[:cap], response_body=down[:cap], request_body_size=len(up),
            response_body_size=len(down), request_body_truncated=len(up) > cap,
            response_body_truncated=len(down) > cap, body_cap=cap,
            error=f.error.msg if f.error else None,
        ), f)

    tcp_error = tcp_end

    # -- building records -------------------------------------------------------------------------

    def _record_http(self, f: http.HTTPFlow, kind: str) -> None:
        """Queue the row of a finished HTTP/WebSocket flow; the row is built in the store's writer
        thread. What can still change (the connections, the timeline, options) is read here."""
        if self.store is None or self.failure is not None:
            return
        self.connections.count(f.client_conn.id)
        if f.metadata.get(CONTROL_KEY):  # the harness's own request (a step mark): not the phone's traffic
            return
        facts = ConnFacts.of(f)
        step = f.metadata.get(STEP_KEY, self.timeline.current)
        cap, now = self.body_cap, time.time()
        then: Callable[[FlowRecord], None] = self._notify
        if self.mitm is not None:
            if self.mitm.error is not None:
                self._fail(self.mitm.error)
                return
            then = self._then_mitm(self.mitm, self._states.state(f))
        try:
            self.store.add_flow_from(lambda: self.flow_record(f, kind, facts=facts, step=step, cap=cap, now=now),
                                     then)
        except StoreError as exc:
            self._fail(exc)
            return
        self.recorded += 1

    def flow_record(self, f: http.HTTPFlow, kind: str, *, facts: ConnFacts | None = None,
                    step: Any = _UNSET, cap: int | None = None,
                    now: float | None = None) -> FlowRecord:
        """The :class:`FlowRecord` of a finished HTTP or WebSocket flow (no I/O).

        The recorder calls it in the store's writer thread with ``facts``/``step``/``cap``/``now``
        taken on the event loop; without them they are read now.
        """
        if step is _UNSET:
            step = f.metadata.get(STEP_KEY, self.timeline.current)
        return http_record(f, kind, facts=facts or ConnFacts.of(f), step=step,
                           cap=self.body_cap if cap is None else cap, now=now)

    def _then_mitm(self, mitm: MitmFileWriter, state: dict[str, Any]) -> Callable[[FlowRecord], None]:
        """After the row is in (writer thread): the flow's state goes to flows.mitm, then on_flow."""
        def then(record: FlowRecord) -> None:
            mitm.write_state(state)
            self._notify(record)
        return then

    def _notify(self, record: FlowRecord) -> None:
        if self.on_flow is not None:
            self.on_flow(record)

    def emit(self, record: FlowRecord, f: Any) -> None:
        """Write ``record`` (and flow ``f``'s state to ``flows.mitm``); a write error stops the proxy."""
        assert self.store is not None
        try:
            self.store.add_flow(record)
            mitm = self.mitm
            if mitm is not None and f is not None:
                if mitm.error is not None:
                    raise mitm.error
                state = self._states.state(f)
                self.store.call(lambda: mitm.write_state(state))
        except StoreError as exc:
            self._fail(exc)
            return
        self.recorded += 1
        self._notify(record)

    # -- shutdown ---------------------------------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until all recorded flows are on disk (raises the recording error, if any)."""
        if self.store is not None:
            self.store.flush(timeout)  # also hands flows.mitm to the OS (a commit hook)
        if self.mitm is not None:
            self.mitm.flush(timeout)
        if self.failure is not None:
            raise self.failure

    def close_files(self) -> None:
        mitm = self.mitm
        if mitm is not None:
            self.mitm = None
            if self.store is not None:
                try:
                    self.store.flush()  # the queued states are written first
                except StoreError:
                    pass
                self.store.remove_commit_hook(mitm.flush_buffer)
            mitm.close()

    def _close_own(self) -> None:
        self.close_files()
        if self._own_store and self.store is not None:
            status = "incomplete" if self.failure else "complete"
            self.store.close(status, reason=self.failure.reason if self.failure else None)
            self.store, self._own_store = None, False

    def done(self) -> None:
        self.connections.done()
        self.close_files()
        if self._own_store:
            self._close_own()
