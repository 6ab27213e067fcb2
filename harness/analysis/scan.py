"""Streaming per-record work of the analysis: one pass over flows, WebSocket messages and agent events.

Per flow: one PII scan of each request layer (one automaton), keyword-list detection on the
response, the HTML title and the decoded body length (for filtering verdicts), and the frame row
(bodies trimmed to ``frame_body_cap``). Rows become Arrow batches every :data:`BATCH_ROWS` flows,
written to a memory-mapped temporary file (:mod:`harness.analysis.spill`), so memory stays flat
however many flows there are; only hits, keyword lists and agent events are kept in Python. A flow's
host and step, where a hit needs them, are looked up in the Arrow columns afterwards
(:meth:`FlowScanner.flow_info`).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from harness.analysis import frames as F
from harness.analysis import hosts
from harness.analysis.batches import FlowBatches
from harness.analysis.decode import Limits, decompress
from harness.analysis.facts import KnownValues
from harness.analysis.filtering import title_of
from harness.analysis.har import decoded_chain
from harness.analysis.hosts import normalise_record
from harness.analysis.lists import TermList, find_lists
from harness.analysis.pii import Hit, PiiMatcher
from harness.analysis.spill import SpilledTable
from harness.capture.records import AgentEvent, FlowRecord, WsMessage

#: flow rows are turned into an Arrow batch every this many flows
BATCH_ROWS = 2000
#: ``json.dumps(value, default=str)`` without making an encoder per call
_EXTRA_JSON = json.JSONEncoder(default=str)
#: agent event types whose bytes are plaintext before/after app or TLS encryption
PLAINTEXT_EVENTS = ("crypto:plaintext", "tls:write", "tls:read")


@dataclass(frozen=True)
class HitAt:
    """A known-value hit and where it was: a flow or an agent event, its step and destination host."""

    flow_id: str | None
    event_id: str | None
    step_id: str | None
    host: str | None
    hit: Hit


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), or None."""
    lname = name.lower()
    return next((v for k, v in headers if k.lower() == lname), None)


def event_bytes(ev: AgentEvent) -> bytes | None:
    """The bytes an agent event carries: ``data``, or base64/text in the payload (docs/analysis.md)."""
    if ev.data:
        return bytes(ev.data)
    p = ev.payload or {}
    for key in ("data_b64", "base64", "bytes"):
        if isinstance(p.get(key), str):
            return _b64(p[key])
    if isinstance(p.get("data"), str):
        if p.get("encoding") == "base64":
            return _b64(p["data"])
        return p["data"].encode("utf-8", "surrogateescape")
    if isinstance(p.get("text"), str):
        return p["text"].encode("utf-8", "surrogateescape")
    return None


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text)
    except (binascii.Error, ValueError):
        return None


def decoded_response(rec: FlowRecord, limit: int) -> tuple[bytes | None, bool]:
    """The response body with its ``content-encoding`` removed (at most ``limit`` bytes), and
    whether that is the whole decoded body (False: cut at ``limit``, or cut when recorded while
    encoded). A body that does not decode is returned as it is."""
    out, whole, _ = _decode_response(rec, limit)
    return out, whole


def _decode_response(rec: FlowRecord, limit: int) -> tuple[bytes | None, bool, tuple[str, bytes] | None]:
    """:func:`decoded_response`, and ``(method, output)`` when the body was decompressed whole
    (not cut at ``limit``: the output any larger cap gives too), for :func:`find_lists`."""
    body = rec.response_body
    if not body or rec.extra.get("response_body_decoded"):
        return body, True, None
    enc = (header(rec.response_headers, "content-encoding") or "").split(",")[-1].strip().lower()
    method = {"x-gzip": "gzip"}.get(enc, enc)
    if method not in ("gzip", "deflate", "br", "zstd"):
        return body, True, None
    try:
        out, bounded = decompress(body, method, limit)
    except ValueError:
        return body, not rec.response_body_truncated, None
    return out, not (bounded or rec.response_body_truncated), None if bounded else (method, out)


class FlowScanner:
    """Collects frame rows, PII hits, keyword lists and agent events while a source streams."""

    def __init__(self, known: KnownValues, limits: Limits, frame_body_cap: int) -> None:
        self.matcher = PiiMatcher(known, limits=limits)
        self.limits = limits
        self.cap = frame_body_cap
        self.flow_cols: dict[str, list[Any]] = {n: [] for n in F.FLOWS.names}
        self.spill = SpilledTable(F.FLOWS, prefix="harness-flows-")
        self._table: pa.Table | None = None
        self.hits: list[HitAt] = []
        #: indexes in ``hits`` of WebSocket hits whose flow's host (and step) is filled in later
        self._ws_pending: list[int] = []
        #: WebSocket/TCP message bytes per flow id: [from the client, from the server]
        self.message_bytes: dict[str, list[int]] = {}
        self.lists: list[TermList] = []
        self.events: list[dict[str, Any]] = []
        self.event_objs: list[AgentEvent] = []

    def flush_batch(self) -> None:
        """Move accumulated rows into an Arrow batch on disk (nothing per flow stays in memory)."""
        if self.flow_cols["id"]:
            self.spill.write(pa.RecordBatch.from_pydict(self.flow_cols, schema=F.FLOWS))
            self.flow_cols = {n: [] for n in F.FLOWS.names}

    def table(self) -> pa.Table:
        """Every flow row so far as one Arrow table backed by the memory-mapped batches (once made,
        no more flows may be added)."""
        if self._table is None:
            self.flush_batch()
            self._table = self.spill.table()
        return self._table

    def flows_frame(self) -> pd.DataFrame:
        """The flows frame (``frames.FLOWS``), its columns backed by the memory-mapped batches; the
        host of each WebSocket hit is filled in (:meth:`finish_ws`)."""
        self.finish_ws()
        return self.table().to_pandas(types_mapper=pd.ArrowDtype)

    def flow_info(self, ids: set[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
        """``{flow id: (destination host, server IP, step id)}`` for the flows ``ids`` (the last
        flow of an id, as recorded); read from the Arrow columns one batch at a time, so nothing is
        kept (or mapped) per flow."""
        if not ids:
            return {}
        wanted = pa.array(sorted(ids), pa.string())
        out = {}
        for batch in self.table().select(["id", "server_host", "host", "server_ip", "step_id"]).to_batches():
            rows = batch.filter(pc.is_in(batch["id"], value_set=wanted)).to_pylist()
            out.update({r["id"]: (r["server_host"] or r["host"], r["server_ip"], r["step_id"]) for r in rows})
            self.spill.release()  # one batch's pages at a time (harness.analysis.batches)
        return out

    def batches(self, columns: list[str] | None = None) -> FlowBatches:
        """The flows table batch by batch as pandas frames (default: every column but the bodies),
        each batch's mapped pages released before the next: for the rules that read every flow."""
        return FlowBatches(self.table(), self.spill.release, columns)

    def message_bytes_by_destination(self) -> dict[tuple[str, str], tuple[int, int]]:
        """WebSocket/TCP message bytes (sent, received) per destination ``(host, server IP)``, the
        key of :func:`harness.analysis.destinations.destination_key_columns` (``""`` for a gap)."""
        out: dict[tuple[str, str], tuple[int, int]] = {}
        for fid, (host, ip, _) in self.flow_info(set(self.message_bytes)).items():
            sent, received = out.get((host or "", ip or ""), (0, 0))
            out[(host or "", ip or "")] = (sent + self.message_bytes[fid][0], received + self.message_bytes[fid][1])
        return out

    def finish_ws(self) -> None:
        """Give WebSocket hits their flow's destination host (and step, where the message has none)."""
        if not self._ws_pending:
            return
        info = self.flow_info({fid for i in self._ws_pending if (fid := self.hits[i].flow_id)})
        for i in self._ws_pending:
            h = self.hits[i]
            host, _, step = info.get(h.flow_id or "", (None, None, None))
            self.hits[i] = replace(h, host=host, step_id=h.step_id or step)
        self._ws_pending = []

    def _request_hits(self, rec: FlowRecord) -> tuple[list[Hit], bool]:
        hits: list[Hit] = []
        bounded = False
        if not self.matcher:
            return hits, bounded
        if rec.url:
            h, ex = self.matcher.scan_payload(rec.url.encode("utf-8", "surrogateescape"), "url")
            hits += h
            bounded |= bool(ex and ex.bounded)
        hits += self.matcher.scan_headers(rec.request_headers)
        if rec.request_body:
            removed = rec.extra.get("request_content_decoded")  # a HAR's text, decoded already
            h, ex = self.matcher.scan_payload(
                rec.request_body, "request_body",
                None if removed else header(rec.request_headers, "content-encoding"),
                header(rec.request_headers, "content-type"), header(rec.request_headers, "grpc-encoding"))
            hits += [replace(x, chain=decoded_chain(removed, x.chain)) for x in h] if removed else h
            bounded |= bool(ex and ex.bounded)
        return hits, bounded

    def add_flow(self, rec: FlowRecord, seq: int) -> None:
        normalise_record(rec)
        cap = self.cap
        hits, bounded = self._request_hits(rec)
        host = rec.server_host or rec.host
        for hit in hits:
            self.hits.append(HitAt(rec.id, None, rec.step_id, host, hit))
        ctype = header(rec.response_headers, "content-type") or ""
        body = rec.response_body
        encoding = None if rec.extra.get("response_body_decoded") else header(rec.response_headers, "content-encoding")
        decoded, whole, whole_output = _decode_response(rec, self.limits.max_output)
        if body and rec.status_code and 200 <= rec.status_code < 300:
            for tl in find_lists(body, url=rec.url, content_encoding=encoding, request_body=rec.request_body,
                                 decompressed=whole_output):
                tl.flow_id, tl.step_id, tl.host = rec.id, rec.step_id, host
                tl.chain = decoded_chain(rec.extra.get("response_content_decoded"), tl.chain)
                self.lists.append(tl)
        title = title_of(decoded) if decoded and "html" in ctype.lower() else None
        values = {
            "seq": rec.seq if rec.seq is not None else seq, "id": rec.id, "kind": rec.kind, "step_id": rec.step_id,
            "started_at": rec.started_at, "ended_at": rec.ended_at, "client_ip": rec.client_ip,
            "client_port": rec.client_port, "server_host": rec.server_host, "server_ip": rec.server_ip,
            "server_port": rec.server_port, "sni": rec.sni, "tls_version": rec.tls_version, "alpn": rec.alpn,
            "http_version": rec.http_version, "method": rec.method, "scheme": rec.scheme, "host": rec.host,
            "port": rec.port, "path": rec.path, "url": rec.url, "status_code": rec.status_code,
            "reason": rec.reason, "request_headers": json.dumps(rec.request_headers),
            "response_headers": json.dumps(rec.response_headers),
            "request_body": rec.request_body[:cap] if rec.request_body is not None else None,
            "response_body": body[:cap] if body is not None else None,
            "request_body_size": rec.request_body_size, "response_body_size": rec.response_body_size,
            "request_body_truncated": rec.request_body_truncated or len(rec.request_body or b"") > cap,
            "response_body_truncated": rec.response_body_truncated or len(body or b"") > cap,
            "body_cap": min(rec.body_cap, cap) if rec.body_cap else cap, "error": rec.error,
            "extra": _EXTRA_JSON.encode(rec.extra), "content_type": _arrow_text(ctype), "response_title": title,
            "response_length": _decoded_length(rec, decoded, whole),
            "pii_hits": len(hits), "decode_bounded": bounded, "country": None, "jurisdiction": None,
        }
        c = self.flow_cols
        for k, v in values.items():
            c[k].append(v)
        if len(c["id"]) >= BATCH_ROWS:
            self.flush_batch()

    def add_ws(self, msg: WsMessage) -> None:
        self.message_bytes.setdefault(msg.flow_id, [0, 0])[0 if msg.from_client else 1] += msg.size
        if not msg.from_client or not self.matcher:
            return
        h, _ = self.matcher.scan_payload(msg.content, "ws_message")
        for hit in h:  # host (and a missing step) from the message's flow: finish_ws
            self._ws_pending.append(len(self.hits))
            self.hits.append(HitAt(msg.flow_id, None, msg.step_id, None, hit))

    def add_event(self, ev: AgentEvent, seq: int) -> None:
        n = 0
        if ev.type in PLAINTEXT_EVENTS and self.matcher:
            data = event_bytes(ev)
            if data:
                h, _ = self.matcher.scan_payload(data, f"event:{ev.type}")
                n = len(h)
                host = (ev.payload or {}).get("host")
                host = hosts.normalise_host(host) if isinstance(host, str) else None
                for hit in h:
                    self.hits.append(HitAt(None, ev.id, ev.step_id, host, hit))
        self.event_objs.append(ev)
        self.events.append({
            "seq": ev.seq if ev.seq is not None else seq, "id": ev.id, "type": ev.type, "source": ev.source,
            "step_id": ev.step_id, "timestamp": ev.timestamp, "pid": ev.pid, "thread": ev.thread,
            "payload": json.dumps(ev.payload, default=str),
            "data": ev.data[: self.cap] if ev.data else None, "pii_hits": n,
        })


def _arrow_text(value: str) -> str | None:
    """A header-derived text for a frame column: header values keep ``surrogateescape`` code
    points (raw bytes, harness.analysis.validate), which Arrow refuses; they become U+FFFD."""
    if not value:
        return None
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _decoded_length(rec: FlowRecord, decoded: bytes | None, whole: bool) -> int | None:
    """Length of the response body after content decoding (OONI compares decoded bodies); None
    when it is unknown (cut when recorded while encoded, or past the decode cap)."""
    if rec.response_body is None:
        return rec.response_body_size
    if decoded is rec.response_body:  # not content-encoded: the recorded full size is the length
        return rec.response_body_size if rec.response_body_size is not None else len(rec.response_body)
    return len(decoded or b"") if whole else None
