"""HAR 1.2 export of a run, built on mitmproxy's own HAR writer (``mitmproxy.addons.savehar``).

Each ``http``/``websocket``/``error`` record with a request becomes a mitmproxy ``HTTPFlow`` and
goes through ``SaveHar.flow_entry``: ``content.text`` is the *decoded* body (content-encoding
removed, the header kept, as mitmproxy's export does), cookies come from ``Cookie`` /
``Set-Cookie``, ``queryString`` from the URL, WebSocket messages go to ``_webSocketMessages``.
The harness then adds what its own HAR loader (``harness.analysis.har``) reads back, so that
run → HAR → ``harness analyze`` gives the findings the run gives:

========================================  ===============================================================
``pages``, ``pageref``                     the run's steps (``id``, ``title`` = name, ``startedDateTime``,
                                           ``_endedDateTime``, ``_action``, ``_info``); an entry's step
``_flowId``, ``_stepId``, ``_kind``        the record's id, step id and kind
``_error``                                 the error of a flow that ended without a response
``_truncated``                             ``{"request", "response": bool, "bodyCap": bytes}``
``postData``                               for every request with a body (mitmproxy: POST/PUT/PATCH only)
``postData._encoding``                     ``"base64"`` when the request body is not text (HAR 1.2 has no
                                           ``encoding`` in ``postData``)
``postData._contentEncoding``,             the content-encoding removed from ``text`` (``""``: it could
``content._contentEncoding``               not be removed, e.g. a body cut at the cap: ``text`` is as sent)
``content.size``, ``content.compression``  HAR 1.2: decoded length, bytes saved by the encoding
``serverIPAddress``, ``connection``        the address the proxy connected to, the client port
========================================  ===============================================================
"""

from __future__ import annotations

import base64
import datetime
import json
import zlib
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mitmproxy import connection, http
from mitmproxy.addons.savehar import SaveHar
from mitmproxy.utils import strutils
from mitmproxy.websocket import WebSocketData, WebSocketMessage

from harness import __version__
from harness.capture.records import FlowRecord, Step, WsMessage

if TYPE_CHECKING:
    from harness.capture.store import RunStore

#: record kinds that are HTTP exchanges (the others have no request to put in a HAR)
HAR_KINDS = ("http", "websocket", "error")


def _bytes_headers(pairs: list[tuple[str, str]]) -> http.Headers:
    return http.Headers([(k.encode("utf-8", "surrogateescape"), v.encode("utf-8", "surrogateescape"))
                         for k, v in pairs])


def to_flow(f: FlowRecord, messages: list[WsMessage] | None = None) -> http.HTTPFlow:
    """A mitmproxy ``HTTPFlow`` with the request, response, connections and WebSocket messages of
    record ``f`` (bodies as recorded: raw, content-encoded)."""
    parts = urlsplit(f.url or "")
    scheme = f.scheme or parts.scheme or "http"
    host = f.host or parts.hostname or f.server_host or ""
    port = f.port or parts.port or f.server_port or (443 if scheme == "https" else 80)
    client = connection.Client(peername=(f.client_ip or "0.0.0.0", f.client_port or 0), sockname=("", 0),
                               timestamp_start=f.started_at)
    server = connection.Server(address=(f.server_host or host, f.server_port or port))
    if f.server_ip:
        server.peername = (f.server_ip, f.server_port or port)
    flow = http.HTTPFlow(client, server)
    flow.id = f.id
    connect = (f.method or "").upper() == "CONNECT"  # authority form: HAR url https://HOST:PORT/ (as mitmproxy)
    flow.request = http.Request(
        host, port, (f.method or "GET").encode(), scheme.encode(), f"{host}:{port}".encode() if connect else b"",
        b"" if connect else (f.path or "/").encode("utf-8", "surrogateescape"), (f.http_version or "").encode(),
        _bytes_headers(f.request_headers), f.request_body, None, f.started_at, f.started_at)
    if f.status_code is not None:
        flow.response = http.Response(
            (f.http_version or "").encode(), f.status_code, (f.reason or "").encode("utf-8", "replace"),
            _bytes_headers(f.response_headers), f.response_body, None, f.started_at,
            max(f.ended_at, f.started_at))  # a clock that went back gives no negative timing
    if f.kind == "websocket" or messages:
        flow.websocket = WebSocketData(messages=[
            WebSocketMessage(1 if m.is_text else 2, m.from_client, m.content, m.timestamp) for m in messages or ()])
    if f.error:
        from mitmproxy.flow import Error

        flow.error = Error(f.error, f.ended_at)
    return flow


def _decoded(msg: http.Message) -> tuple[bytes | None, str | None]:
    """(body with content-encoding removed, the encoding removed) or (raw body, ``""``) when the
    encoding cannot be removed; ``None`` for the encoding when the message has none."""
    enc = msg.headers.get("content-encoding")
    if not enc or enc.strip().lower() == "identity":
        return msg.raw_content, None
    try:
        return msg.get_content(strict=True), enc
    except ValueError:
        return msg.raw_content, ""


def _text(body: bytes) -> tuple[str, str | None]:
    """(text, encoding) as mitmproxy writes ``content``: base64 for (mostly) binary data."""
    if strutils.is_mostly_bin(body):
        return base64.b64encode(body).decode("ascii"), "base64"
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        return base64.b64encode(body).decode("ascii"), "base64"


def _iso(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def har_page(step: Step) -> dict[str, Any]:
    """A scenario step as a HAR page (``id``, ``title``, ``startedDateTime``) plus ``_action``,
    ``_endedDateTime`` and ``_info`` (filtering probes live there)."""
    return {"startedDateTime": _iso(step.started_at), "id": step.id, "title": step.name, "pageTimings": {},
            "_action": step.action, "_endedDateTime": _iso(step.ended_at) if step.ended_at else None,
            "_info": step.info or {}}


def har_entry(f: FlowRecord, messages: list[WsMessage] | None = None,
              servers_seen: set[connection.Server] | None = None) -> dict[str, Any]:
    """One HAR 1.2 entry (mitmproxy's ``flow_entry`` plus the harness fields, see the module doc)."""
    flow = to_flow(f, messages)
    raw_request = flow.request.raw_content
    if _decoded(flow.request)[1] == "":
        # mitmproxy's writer decodes the request body strictly (a cut or mislabelled gzip body
        # raises ValueError); its request body fields are replaced below anyway
        flow.request.raw_content = None
    entry = SaveHar().flow_entry(flow, servers_seen if servers_seen is not None else set())
    flow.request.raw_content = raw_request
    entry["startedDateTime"] = _iso(f.started_at)
    request, response = entry["request"], entry["response"]
    request["url"] = f.url or request["url"]
    request["bodySize"] = f.request_body_size if f.request_body_size is not None else -1
    request.pop("postData", None)
    if f.request_body:
        body, removed = _decoded(flow.request)
        text, enc = _text(body or b"")
        post: dict[str, Any] = {"mimeType": flow.request.headers.get("content-type", ""), "text": text,
                                "params": SaveHar().format_multidict(flow.request.urlencoded_form)}
        if enc:
            post["_encoding"] = enc
        if removed is not None:
            post["_contentEncoding"] = removed
        request["postData"] = post
    if flow.response is not None:
        content: dict[str, Any] = {"mimeType": flow.response.headers.get("content-type", "")}
        body, removed = _decoded(flow.response)
        if body:
            text, enc = _text(body)
            content["text"] = text
            if enc:
                content["encoding"] = enc
        content["size"] = len(body or b"")
        if removed:
            content["compression"] = len(body or b"") - len(flow.response.raw_content or b"")
        if removed is not None:
            content["_contentEncoding"] = removed
        response["content"] = content
        response["bodySize"] = f.response_body_size if f.response_body_size is not None else -1
    else:
        response["content"] = {"size": 0, "mimeType": ""}
        if not f.error:
            response.pop("_error", None)
        if f.ended_at > f.started_at:  # no response: the client waited until the error (HAR time = sum)
            entry["timings"]["wait"] = round((f.ended_at - f.started_at) * 1000, 3)
            entry["time"] = sum(v for v in entry["timings"].values() if v is not None and v >= 0)
    if f.step_id:
        entry["pageref"] = f.step_id
    entry.update({
        "_flowId": f.id, "_kind": f.kind, "_stepId": f.step_id,
        "_truncated": {"request": f.request_body_truncated, "response": f.response_body_truncated,
                       "bodyCap": f.body_cap},
    })
    if f.client_port:
        entry["connection"] = str(f.client_port)
    if f.error:
        entry["_error"] = f.error
    return entry


def har_document(store: RunStore) -> dict[str, Any]:
    """HAR 1.2 of the run's HTTP exchanges (``http``, ``websocket`` and ``error`` flows with a request)."""
    return har_document_of(store.iter_flows(), store.iter_ws_messages(), store.steps(),
                           f"run {store.meta().get('run_id', store.run_dir.name)}")


def har_document_of(flows: Iterable[FlowRecord], messages: Iterable[WsMessage], steps: Iterable[Step],
                    comment: str) -> dict[str, Any]:
    """HAR 1.2 of ``flows`` (the ``http``, ``websocket`` and ``error`` records with a request), their
    WebSocket ``messages`` and ``steps`` as pages; ``flows`` is read first, then ``messages`` (an
    analysis source fills its messages while its flows are read)."""
    records = list(flows)
    by_flow: dict[str, list[WsMessage]] = defaultdict(list)
    for m in messages:
        by_flow[m.flow_id].append(m)
    seen: set[connection.Server] = set()
    entries = [har_entry(f, by_flow.get(f.id), seen) for f in records if f.method and f.kind in HAR_KINDS]
    return {"log": {
        "version": "1.2",
        "creator": {"name": "harness", "version": __version__},
        "pages": [har_page(s) for s in steps],
        "entries": entries,
        "comment": comment,
    }}


def har_bytes(store: RunStore, *, compressed: bool = False) -> bytes:
    """:func:`har_document` of ``store`` as UTF-8 JSON, zlib-compressed when ``compressed`` (what
    mitmproxy's ``save.har`` writes for a ``.zhar`` path)."""
    return document_bytes(har_document(store), compressed=compressed)


def document_bytes(doc: dict[str, Any], *, compressed: bool = False) -> bytes:
    """A HAR document as UTF-8 JSON, zlib-compressed when ``compressed``."""
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return zlib.compress(data, 9) if compressed else data
