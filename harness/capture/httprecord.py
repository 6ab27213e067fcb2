"""The :class:`FlowRecord` of a finished mitmproxy HTTP or WebSocket flow (no I/O).

Split from the recorder: the recorder reads what can still change on the event loop
(:class:`ConnFacts`, the step, the body cap, the time) and builds the row with :func:`http_record`
in the store's writer thread. Bodies are kept raw (content-encoding not removed) up to the cap;
bodies streamed through a :class:`BodyTap` keep their first ``cap`` bytes and their full size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from mitmproxy import flow as mitmflow
from mitmproxy import http

from harness.capture.connections import addr, alpn
from harness.capture.records import FlowRecord


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


def _headers(msg: http.Message) -> list[tuple[str, str]]:
    """Header pairs in order, decoded as mitmproxy's ``Headers.items`` does."""
    return [(k.decode("utf-8", "surrogateescape"), v.decode("utf-8", "surrogateescape"))
            for k, v in msg.headers.fields]


@dataclass(frozen=True)
class ConnFacts:
    """What a flow row needs from its connections, read on the event loop (connections change)."""

    client_ip: str
    client_port: int
    sni: str | None
    tls_version: str | None
    alpn: str | None
    server_ip: str | None
    server_port: int | None

    @classmethod
    def of(cls, f: http.HTTPFlow) -> ConnFacts:
        client, server = f.client_conn, f.server_conn
        ip, port = addr(client.peername)
        sip, sport = addr(server.peername)
        return cls(ip or "", port or 0, client.sni, client.tls_version, alpn(client), sip, sport)


def http_record(f: http.HTTPFlow, kind: str, *, facts: ConnFacts, step: str | None, cap: int,
                now: float | None = None) -> FlowRecord:
    """The row of ``f`` (kind ``http``, ``websocket`` or ``error``), bodies cut at ``cap`` bytes."""
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
