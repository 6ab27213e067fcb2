"""A ``.mitm`` flow state (mitmproxy's ``Flow.get_state()``, after :func:`harness.analysis.validate.flow_state`)
as the run store's records: one :class:`~harness.capture.records.FlowRecord` (contract columns,
docs/dev/contracts.md) and its WebSocket/TCP messages. Used by :func:`harness.analysis.loaders.load_mitm`.
"""

from __future__ import annotations

import functools
from typing import Any

from harness.analysis.dnsflow import fill_dns
from harness.analysis.hosts import netloc, normalise_host, split_authority
from harness.analysis.jsonfields import is_ip
from harness.capture.records import FlowRecord, WsMessage

#: TLS failure wording in mitmproxy error messages
_TLS_WORDS = ("tls", "ssl", "certificate", "handshake")


def _s(value: Any) -> str | None:
    if type(value) is str:  # the common case (validated states hold text)
        return value
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def _headers(raw: Any) -> list[tuple[str, str]]:
    return [(_s(k) or "", _s(v) or "") for k, v in (raw or ())]


#: a capture's addresses repeat (issue 17)
_is_ip = functools.lru_cache(maxsize=4096)(is_ip)


def _step_from_metadata(meta: dict[str, Any]) -> str | None:
    for key in ("harness.step_id", "step_id", "harness_step"):
        if meta.get(key):
            return str(meta[key])
    nested = meta.get("harness")
    if isinstance(nested, dict) and nested.get("step_id"):
        return str(nested["step_id"])
    return None


def _is_migration_dummy(req: dict[str, Any], metadata: dict[str, Any]) -> bool:
    """True for the request ``mitmproxy.io.compat.convert_11_12`` makes up for a WebSocket flow
    whose handshake flow is not in the file (host ``unknown``, no headers, timestamps 0)."""
    return bool(metadata.get("duplicated")) and _s(req.get("host")) == "unknown" and not req.get("headers") \
        and not req.get("timestamp_start")


def record_from_state(state: dict[str, Any], checked: bool = False) -> tuple[FlowRecord, list[WsMessage]]:
    """A FlowRecord (contract columns) from a mitmproxy flow state (``Flow.get_state()``);
    ``checked``: the state is :func:`validate.flow_state`'s output, whose header lists are
    ``(str, str)`` pairs already (copied as they are)."""
    headers_of = list if checked else _headers
    client = state.get("client_conn") or {}
    server = state.get("server_conn") or {}
    peer = server.get("peername") or ()
    address = server.get("address") or ()
    # formats before 0.18 keep a host name in ip_address, which migration makes the peername
    server_ip = next((_s(a[0]) for a in (peer, address) if a and _is_ip(_s(a[0]))), None)
    cpeer = client.get("peername") or ("", 0)
    err = state.get("error") or None
    ftype = state.get("type")
    req = state.get("request") if ftype == "http" else None
    resp = state.get("response") if ftype == "http" else None
    metadata = state.get("metadata") or {}
    started = float(state.get("timestamp_created") or client.get("timestamp_start") or 0.0)
    ended = float((resp or {}).get("timestamp_end") or server.get("timestamp_end")
                  or client.get("timestamp_end") or started)
    rec = FlowRecord(
        id=str(state.get("id")),
        kind="http",
        started_at=started,
        ended_at=ended,
        client_ip=_s(cpeer[0]) or "",
        client_port=int(cpeer[1] or 0),
        step_id=_step_from_metadata(metadata),
        server_host=_s(server.get("sni")) or (_s(address[0]) if address else None),
        server_ip=server_ip,
        server_port=int(peer[1]) if peer else (int(address[1]) if address else None),
        sni=_s(client.get("sni")),
        tls_version=_s(client.get("tls_version")),
        alpn=_s(client.get("alpn")),
        error=_s(err.get("msg")) if isinstance(err, dict) else None,
    )
    ws: list[WsMessage] = []
    if req is not None:
        host = _s(req.get("host"))
        hdrs = headers_of(req.get("headers") or ())
        if _is_migration_dummy(req, metadata) and address:
            # a WebSocket flow of format 7-11 whose handshake is missing: mitmproxy's migration
            # makes up a request to "unknown"; the server connection says where it went
            host, req = _s(address[0]), {**req, "port": address[1]}
            rec.extra["handshake_missing"] = True  # method, path and headers are made up
        host_header = next((v for k, v in hdrs if k.lower() == "host"), None)
        authority = _s(req.get("authority")) or host_header
        pretty = (split_authority(authority)[0] if authority else None) or normalise_host(host) or ""
        scheme = _s(req.get("scheme")) or "http"
        port = int(req.get("port") or 0)
        path = _s(req.get("path")) or ""
        url_netloc = netloc(pretty, port, scheme)
        body = req.get("content")
        rec.http_version = _s(req.get("http_version"))
        rec.method = _s(req.get("method"))
        rec.scheme, rec.host, rec.port, rec.path = scheme, pretty, port, path
        rec.url = path if path.startswith(("http://", "https://")) else f"{scheme}://{url_netloc}{path}"
        rec.server_host = rec.sni or pretty or rec.server_host
        rec.request_headers = hdrs
        rec.request_body = body
        rec.request_body_size = len(body) if body is not None else None
    if resp is not None:
        body = resp.get("content")
        rec.status_code = int(resp.get("status_code") or 0) or None
        rec.reason = _s(resp.get("reason"))
        rec.response_headers = headers_of(resp.get("headers") or ())
        rec.response_body = body
        rec.response_body_size = len(body) if body is not None else None
    if ftype == "http" and state.get("websocket"):
        rec.kind = "websocket"
        for m in state["websocket"].get("messages") or ():
            mtype, from_client, content, ts = m[0], m[1], m[2], m[3]
            ws.append(WsMessage(rec.id, float(ts), bool(from_client), mtype == 1, bytes(content), len(content),
                                step_id=rec.step_id))
    elif ftype == "dns":
        fill_dns(rec, state)  # harness.analysis.dnsflow: the resolver, the names, the answers
    elif ftype != "http":
        rec.kind = "udp" if ftype == "udp" else "tcp"
        rec.extra["mitmproxy_type"] = ftype
        for m in state.get("messages") or ():
            if len(m) >= 3 and isinstance(m[1], bytes | bytearray):
                ws.append(WsMessage(rec.id, float(m[2]), bool(m[0]), False, bytes(m[1]), len(m[1]),
                                    step_id=rec.step_id))
    elif rec.method == "CONNECT" and not 200 <= (rec.status_code or 0) < 300:
        # a CONNECT the proxy could not complete: mitmproxy's 502 text is the reason (as the recorder keeps it)
        rec.kind, rec.url = "error", None
        text = _s(rec.response_body) or ""
        rec.error = rec.error or text.split(" If you plan to redirect", 1)[0].strip() or "CONNECT failed"
        rec.extra["connect_failed"] = True
    elif resp is None and rec.error:
        low = rec.error.lower()
        rec.kind = "tls_failure" if any(w in low for w in _TLS_WORDS) else "error"
    if metadata:
        rec.extra["metadata"] = {str(k): v for k, v in metadata.items() if isinstance(v, str | int | float | bool)}
    return rec, ws
