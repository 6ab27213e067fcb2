"""Inputs to analysis: a run directory (via RunStore), a ``.mitm`` flow file, or a HAR file.

Each loader gives a :class:`Source`: flows, WebSocket messages and agent events as the run
store's records (``harness.capture.records``), streamed, plus the steps, device facts where the
input has them, and whether the input was incomplete (a truncated flow file, a crashed recording,
a HAR entry that could not be read). Partial results are kept and marked, never dropped.
"""

from __future__ import annotations

import ipaddress
import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mitmproxy.io import compat, tnetstring

from harness.analysis.har import load_har, looks_like_har
from harness.analysis.hosts import netloc, normalise_host, split_authority
from harness.capture.records import AgentEvent, FlowRecord, Step, WsMessage
from harness.errors import AnalysisError, HarnessError

#: TLS failure wording in mitmproxy error messages
_TLS_WORDS = ("tls", "ssl", "certificate", "handshake")


@dataclass
class Source:
    kind: str  # "run", "mitm", "har"
    path: Path
    flows: Iterator[FlowRecord]
    ws_messages: Iterator[WsMessage] = field(default_factory=lambda: iter(()))
    events: Iterator[AgentEvent] = field(default_factory=lambda: iter(()))
    steps: list[Step] = field(default_factory=list)
    facts: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: set while streaming; read after the iterators are exhausted
    incomplete: bool = False
    problems: list[str] = field(default_factory=list)

    def mark_incomplete(self, problem: str) -> None:
        self.incomplete = True
        self.problems.append(problem)


def open_source(path: str | Path) -> Source:
    """Pick the loader from what ``path`` is: a directory, a HAR file (JSON, gzip or zlib; see
    :mod:`harness.analysis.har`) or a flow file."""
    p = Path(path)
    if not p.exists():
        raise AnalysisError(f"{p} does not exist", fix="pass a run directory, a .mitm flow file or a .har file")
    if p.is_dir():
        return load_run_dir(p)
    try:
        with p.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise AnalysisError(f"cannot read {p}: {exc.strerror}", fix="check the path and its permissions") from None
    if looks_like_har(p, head):
        return load_har(p)
    return load_mitm(p)


# ---------------------------------------------------------------- .mitm


def _s(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return str(value)


def _headers(raw: Any) -> list[tuple[str, str]]:
    return [(_s(k) or "", _s(v) or "") for k, v in (raw or ())]


def _is_ip(text: str | None) -> bool:
    if not text:
        return False
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
        return True
    except ValueError:
        return False


def _step_from_metadata(meta: dict[str, Any]) -> str | None:
    for key in ("harness.step_id", "step_id", "harness_step"):
        if meta.get(key):
            return str(meta[key])
    nested = meta.get("harness")
    if isinstance(nested, dict) and nested.get("step_id"):
        return str(nested["step_id"])
    return None


def record_from_state(state: dict[str, Any]) -> tuple[FlowRecord, list[WsMessage]]:
    """A FlowRecord (contract columns) from a mitmproxy flow state (``Flow.get_state()``)."""
    client = state.get("client_conn") or {}
    server = state.get("server_conn") or {}
    peer = server.get("peername") or ()
    address = server.get("address") or ()
    server_ip = _s(peer[0]) if peer else (_s(address[0]) if address and _is_ip(_s(address[0])) else None)
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
        hdrs = _headers(req.get("headers"))
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
        rec.response_headers = _headers(resp.get("headers"))
        rec.response_body = body
        rec.response_body_size = len(body) if body is not None else None
    if ftype == "http" and state.get("websocket"):
        rec.kind = "websocket"
        for m in state["websocket"].get("messages") or ():
            mtype, from_client, content, ts = m[0], m[1], m[2], m[3]
            ws.append(WsMessage(rec.id, float(ts), bool(from_client), mtype == 1, bytes(content), len(content),
                                step_id=rec.step_id))
    elif ftype != "http":
        rec.kind = "tcp"
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


def load_mitm(path: Path) -> Source:
    src = Source("mitm", path, iter(()))
    ws_buffer: deque[WsMessage] = deque()

    def flows() -> Iterator[FlowRecord]:
        count = 0
        try:
            fh = path.open("rb")
        except OSError as exc:
            raise AnalysisError(f"cannot read {path}: {exc.strerror}", fix="check the path and permissions") from None
        with fh:
            while True:
                try:
                    loaded = tnetstring.load(fh)
                except ValueError as exc:
                    if str(exc) == "not a tnetstring: empty file":
                        return
                    if count == 0:
                        raise AnalysisError(
                            f"{path} is not a mitmproxy flow file ({exc})",
                            fix="pass a file written by mitmdump -w / mitmweb, a run directory or a .har file",
                        ) from None
                    src.mark_incomplete(f"{path.name}: flow file truncated or corrupt after {count} flows ({exc})")
                    return
                except (IndexError, TypeError) as exc:
                    src.mark_incomplete(f"{path.name}: flow file truncated or corrupt after {count} flows ({exc})")
                    return
                try:
                    state = compat.migrate_flow(loaded)  # type: ignore[arg-type]
                    rec, ws = record_from_state(state)  # type: ignore[arg-type]
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    src.mark_incomplete(f"{path.name}: flow {count + 1} could not be read ({exc})")
                    continue
                count += 1
                ws_buffer.extend(ws)
                yield rec

    def ws_messages() -> Iterator[WsMessage]:
        while ws_buffer:
            yield ws_buffer.popleft()

    src.flows = flows()
    src.ws_messages = ws_messages()
    return src


# ---------------------------------------------------------------- run directory


def load_run_dir(path: Path) -> Source:
    if not (path / "store.sqlite").exists():
        if (path / "flows.mitm").exists():
            src = load_mitm(path / "flows.mitm")
            src.mark_incomplete(f"{path}: no store.sqlite; analysed flows.mitm only (no steps or agent events)")
            src.facts = _read_facts(path)
            return src
        raise AnalysisError(f"{path} is not a run directory (no store.sqlite or flows.mitm)",
                            fix="pass a directory written by 'harness record', a .mitm or a .har file")
    try:
        from harness.capture.store import RunStore
    except ImportError as exc:  # the capture layer is not installed in this build
        raise AnalysisError(f"cannot open run directories: {exc}", fix="analyse RUN_DIR/flows.mitm instead") from None
    try:
        store = RunStore.open(path)
    except HarnessError as exc:
        raise AnalysisError(f"cannot open run store {path}: {exc.reason}", fix=exc.fix or "check the run directory") from None
    status = str(store.status)
    try:
        meta = dict(store.meta())
    except Exception:  # noqa: BLE001 - meta is optional for analysis
        meta = {}
    src = Source("run", path, iter(store.iter_flows()), ws_messages=iter(store.iter_ws_messages()),
                 events=iter(store.iter_events()), steps=list(store.steps()), facts=_read_facts(path), meta=meta)
    src.meta["status"] = status
    if status != "complete":
        reason = meta.get("reason") or meta.get("status_reason") or ""
        src.mark_incomplete(f"run status is {status!r}" + (f": {reason}" if reason else ""))
    return src


def _read_facts(run_dir: Path) -> dict[str, Any] | None:
    p = run_dir / "artifacts" / "facts.json"
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
