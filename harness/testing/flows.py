"""Factories for run-store records, for tests of layers that read the store (like mitmproxy's tflow).

>>> rec = http_flow(url="https://globalapi.ad.xiaomi.test/config", response_body=b"{}")
>>> rec.host, rec.path
('globalapi.ad.xiaomi.test', '/config')
"""

from __future__ import annotations

import itertools
import os
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.capture.records import DEFAULT_BODY_CAP, AgentEvent, FlowRecord, WsMessage
from harness.capture.store import RunStore

_counter = itertools.count(1)


def http_flow(
    url: str = "https://example.test/",
    *,
    method: str = "GET",
    status_code: int = 200,
    request_headers: list[tuple[str, str]] | None = None,
    response_headers: list[tuple[str, str]] | None = None,
    request_body: bytes | None = b"",
    response_body: bytes | None = b"",
    server_ip: str = "127.0.0.1",
    step_id: str | None = None,
    started_at: float | None = None,
    http_version: str = "HTTP/1.1",
    body_cap: int = DEFAULT_BODY_CAP,
    **overrides: Any,
) -> FlowRecord:
    """A completed HTTP flow record as the recorder would write it."""
    parts = urlsplit(url)
    scheme = parts.scheme or "https"
    port = parts.port or (443 if scheme == "https" else 80)
    host = parts.hostname or "example.test"
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    start = time.time() if started_at is None else started_at
    n = next(_counter)
    tls = scheme == "https"
    req_body = request_body or b""
    resp_body = response_body or b""
    fields: dict[str, Any] = dict(
        id=str(uuid.uuid4()),
        kind="http",
        started_at=start,
        ended_at=start + 0.01,
        client_ip="127.0.0.1",
        client_port=40000 + n % 20000,
        step_id=step_id,
        server_host=host,
        server_ip=server_ip,
        server_port=port,
        sni=host if tls else None,
        tls_version="TLSv1.3" if tls else None,
        alpn=("h2" if http_version == "HTTP/2.0" else "http/1.1") if tls else None,
        http_version=http_version,
        method=method,
        scheme=scheme,
        host=host,
        port=port,
        path=path,
        url=url,
        status_code=status_code,
        reason="OK" if status_code == 200 else "",
        request_headers=request_headers if request_headers is not None else [("host", host)],
        response_headers=response_headers if response_headers is not None
        else [("content-length", str(len(resp_body)))],
        request_body=req_body[:body_cap],
        response_body=resp_body[:body_cap],
        request_body_size=len(req_body),
        response_body_size=len(resp_body),
        request_body_truncated=len(req_body) > body_cap,
        response_body_truncated=len(resp_body) > body_cap,
        body_cap=body_cap,
    )
    fields.update(overrides)
    return FlowRecord(**fields)


def tls_failure(
    sni: str = "pinned.test", *, error: str = "Client TLS handshake failed. The client does not trust the proxy's certificate",
    server_ip: str | None = None, step_id: str | None = None, started_at: float | None = None,
) -> FlowRecord:
    """A client-side TLS handshake failure (pinning or missing CA)."""
    start = time.time() if started_at is None else started_at
    return FlowRecord(
        id=str(uuid.uuid4()), kind="tls_failure", started_at=start, ended_at=start + 0.005,
        client_ip="127.0.0.1", client_port=40000 + next(_counter) % 20000, step_id=step_id,
        server_host=sni, server_ip=server_ip, server_port=443, sni=sni, error=error,
    )


def agent_event(
    type: str = "crypto:plaintext", payload: dict[str, Any] | None = None, *, data: bytes | None = None,  # noqa: A002
    source: str = "agent", step_id: str | None = None, pid: int | None = 4242,
) -> AgentEvent:
    return AgentEvent(type=type, source=source, timestamp=time.time(), payload=payload or {},
                      data=data, step_id=step_id, pid=pid, thread="main")


def ws_message(flow_id: str, content: bytes | str = "hello", *, from_client: bool = True,
               step_id: str | None = None) -> WsMessage:
    raw = content.encode() if isinstance(content, str) else content
    return WsMessage(flow_id=flow_id, timestamp=time.time(), from_client=from_client,
                     is_text=isinstance(content, str), content=raw, size=len(raw), step_id=step_id)


def make_run(
    run_dir: str | os.PathLike[str],
    flows: Iterable[FlowRecord] = (),
    events: Iterable[AgentEvent] = (),
    *,
    steps: Iterable[tuple[str, str]] = (),
    meta: dict[str, Any] | None = None,
    ws_messages: Iterable[WsMessage] = (),
) -> Path:
    """Write a complete run directory holding ``flows``, ``events``, ``steps`` (id, name) and
    WebSocket messages."""
    store = RunStore.create(run_dir, meta=meta)
    for step_id, name in steps:
        store.begin_step(step_id, name)
        store.end_step(step_id)
    for f in flows:
        store.add_flow(f)
    for e in events:
        store.add_event(e)
    for m in ws_messages:
        store.add_ws_message(m)
    store.close("complete")
    return Path(run_dir)
