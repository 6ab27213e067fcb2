"""The ``destinations`` frame: one row per (host, server IP actually connected to), with geo and
jurisdiction resolved once per distinct address (see docs/analysis.md, 'Geo and jurisdiction').

Grouping runs on Arrow columns (``pyarrow.Table.group_by``), one batch of flows at a time
(:mod:`harness.analysis.batches`), so no Python value is built per flow and peak memory does not
grow with the number of flows (issue 17).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from harness.analysis import frames as F
from harness.analysis.batches import FlowFrames, frames
from harness.analysis.geo import GeoResolver
from harness.analysis.policy import Policy
from harness.analysis.rules import UNDELIVERED_KINDS

#: joins a destination's host and server IP into one key column (an IP address holds no NUL, so
#: the key is unique for each pair)
KEY_SEP = "\x00"


def _arrow(flows: pd.DataFrame, name: str) -> pa.ChunkedArray:
    """A column of ``flows`` as Arrow (no copy for the Arrow-backed frames of the analysis)."""
    return pa.Table.from_pandas(flows[[name]], preserve_index=False).column(0)


def destination_key_columns(flows: pd.DataFrame) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Per flow, the host and server IP of its destination row (``""`` for a missing part): the
    server's host, else the request's host."""
    host = pc.coalesce(_arrow(flows, "server_host"), _arrow(flows, "host"), pa.scalar("", pa.string()))
    return host, pc.coalesce(_arrow(flows, "server_ip"), pa.scalar("", pa.string()))


def never_connected(flows: pd.DataFrame) -> pa.ChunkedArray:
    """Per flow, whether it never reached a server: no server IP recorded and a kind of
    :data:`harness.analysis.rules.UNDELIVERED_KINDS` (a failed connect, a refused TLS handshake, a
    client that closed before a complete request; trial 6b N1). Such a flow is not a destination
    (nothing reached a server, so there is no address to locate); :func:`not_connected` counts it.
    A delivered flow without an address (a HAR without ``serverIPAddress``) stays a destination."""
    no_ip = pc.equal(pc.coalesce(_arrow(flows, "server_ip"), pa.scalar("", pa.string())), "")
    undelivered = pc.is_in(_arrow(flows, "kind"), value_set=pa.array(UNDELIVERED_KINDS, pa.string()))
    return pc.fill_null(pc.and_(no_ip, undelivered), False)


def not_connected(flows: FlowFrames) -> list[dict[str, Any]]:
    """The flows that never reached a server (:func:`never_connected`), per host name:
    ``[{"host": str | None, "flows": int, "flow_ids": [str]}]`` sorted by host. They are not in
    :func:`destinations`: a reader must not see an unlocated destination beside the host's
    located row, nor a transfer where no server was reached."""
    per_host: dict[str, list[str]] = {}
    for batch in frames(flows):
        if batch.empty:
            continue
        mask = never_connected(batch)
        host, _ = destination_key_columns(batch)
        ids = _arrow(batch, "id")
        for h, i in zip(pc.filter(host, mask).to_pylist(), pc.filter(ids, mask).to_pylist(), strict=True):
            per_host.setdefault(h or "", []).append(str(i))
    return [{"host": h or None, "flows": len(ids), "flow_ids": ids} for h, ids in sorted(per_host.items())]


def destination_key(host: str, server_ip: str) -> str:
    """The key :func:`flow_destination_keys` gives the flows of destination (host, server IP)."""
    return host + KEY_SEP + server_ip


def flow_destination_keys(flows: pd.DataFrame) -> pa.ChunkedArray:
    """Per flow, :func:`destination_key` of its destination row, as an Arrow string column."""
    host, ip = destination_key_columns(flows)
    return pc.binary_join_element_wise(host, ip, KEY_SEP)


def destination_rows(flows: FlowFrames, keys: pa.Array) -> pa.ChunkedArray:
    """Per flow of ``flows`` (a frame or its batches, in order), the index in ``keys`` (strings
    made by :func:`destination_key`) of its destination, null where absent: an int32 column."""
    chunks = [c for batch in frames(flows) if not batch.empty
              for c in pc.index_in(flow_destination_keys(batch), value_set=keys).chunks]
    return pa.chunked_array(chunks, pa.int32())


def destinations(flows: FlowFrames, geo: GeoResolver, policy: Policy,
                 message_bytes: dict[tuple[str, str], tuple[int, int]] | None = None) -> pd.DataFrame:
    """Group ``flows`` (a frame or its batches, :mod:`harness.analysis.batches`; body columns not
    read) by destination; add country, ASN, jurisdiction. ``bytes_sent``/``bytes_received`` are
    the request/response bodies plus the WebSocket and TCP message bytes ``message_bytes`` gives
    per ``(host, server IP)`` (sent, received). Flows that never reached a server
    (:func:`never_connected`) are left out: :func:`not_connected` lists them.

    Each batch is grouped by (host, server IP, step) on its own; the partial groups (a few per
    destination and step) are then summed, so memory grows with destinations, not flows."""
    parts = []
    for batch in frames(flows):
        if batch.empty:
            continue
        keep = pc.invert(never_connected(batch))
        host, ip = destination_key_columns(batch)
        base = pa.table({
            "host": host, "server_ip": ip,
            "sent": pc.fill_null(_arrow(batch, "request_body_size").cast(pa.int64()), 0),
            "received": pc.fill_null(_arrow(batch, "response_body_size").cast(pa.int64()), 0),
            "started_at": _arrow(batch, "started_at").cast(pa.float64()),
            "step_id": _arrow(batch, "step_id").cast(pa.string()),
            "pii": pc.greater(_arrow(batch, "pii_hits"), 0).cast(pa.int64()),
        }).filter(keep)
        if not base.num_rows:
            continue
        parts.append(base.group_by(["host", "server_ip", "step_id"]).aggregate([
            ("sent", "count", pc.CountOptions(mode="all")), ("sent", "sum"), ("received", "sum"),
            ("started_at", "min"), ("started_at", "max"), ("pii", "sum")]))
    if not parts:
        return F.frame([], F.DESTINATIONS)
    agg = pa.concat_tables(parts).group_by(["host", "server_ip"]).aggregate([
        ("sent_count", "sum"), ("sent_sum", "sum"), ("received_sum", "sum"), ("started_at_min", "min"),
        ("started_at_max", "max"), ("pii_sum", "sum"), ("step_id", "distinct", pc.CountOptions(mode="only_valid"))])
    agg = agg.rename_columns({"sent_count_sum": "sent_count", "sent_sum_sum": "sent_sum",
                              "received_sum_sum": "received_sum", "started_at_min_min": "started_at_min",
                              "started_at_max_max": "started_at_max", "pii_sum_sum": "pii_sum"})
    groups: list[dict[str, Any]] = sorted(agg.to_pylist(), key=lambda r: (r["host"], r["server_ip"]))
    rows = []
    for r in groups:
        h, addr = r["host"], r["server_ip"]
        ans = geo.resolve(addr or None)
        msg_sent, msg_received = (message_bytes or {}).get((h, addr), (0, 0))
        rows.append({
            "host": h or None, "server_ip": addr or None, "country": ans.country, "asn": ans.asn,
            "geo_source": ans.source, "geo_label": ans.label, "geo_database": ans.database,
            "registered_country": ans.registered_country, "as_org": ans.as_org, "geo_caveat": ans.caveat,
            "jurisdiction": policy.classify(ans.country, h or None),
            "flows": int(r["sent_count"]), "bytes_sent": int(r["sent_sum"] or 0) + msg_sent,
            "bytes_received": int(r["received_sum"] or 0) + msg_received, "first_seen": _float(r["started_at_min"]),
            "last_seen": _float(r["started_at_max"]), "steps": sorted(r["step_id_distinct"] or []),
            "pii_flows": int(r["pii_sum"] or 0),
        })
    return F.frame(rows, F.DESTINATIONS)


def _float(value: float | None) -> float:
    return float("nan") if value is None else float(value)
