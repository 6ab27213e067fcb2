"""Arrow-backed pandas frames and their schemas (documented column by column in docs/analysis.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from harness.fsutil import private_dir, private_file

STR, I64, F64, BOOL, BIN = pa.string(), pa.int64(), pa.float64(), pa.bool_(), pa.large_binary()
STRS = pa.list_(pa.string())

FLOWS = pa.schema([
    ("seq", I64), ("id", STR), ("kind", STR), ("step_id", STR), ("started_at", F64), ("ended_at", F64),
    ("client_ip", STR), ("client_port", I64), ("server_host", STR), ("server_ip", STR), ("server_port", I64),
    ("sni", STR), ("tls_version", STR), ("alpn", STR), ("http_version", STR), ("method", STR), ("scheme", STR),
    ("host", STR), ("port", I64), ("path", STR), ("url", STR), ("status_code", I64), ("reason", STR),
    ("request_headers", STR), ("response_headers", STR), ("request_body", BIN), ("response_body", BIN),
    ("request_body_size", I64), ("response_body_size", I64), ("request_body_truncated", BOOL),
    ("response_body_truncated", BOOL), ("body_cap", I64), ("error", STR), ("extra", STR),
    # added by analysis
    ("content_type", STR), ("response_title", STR), ("response_length", I64), ("pii_hits", I64), ("decode_bounded", BOOL),
    ("country", STR), ("jurisdiction", STR),
])
DESTINATIONS = pa.schema([
    ("host", STR), ("server_ip", STR), ("country", STR), ("asn", I64), ("geo_source", STR), ("geo_label", STR),
    ("geo_database", STR), ("registered_country", STR), ("as_org", STR), ("geo_caveat", STR),
    ("jurisdiction", STR), ("flows", I64), ("bytes_sent", I64), ("bytes_received", I64),
    ("first_seen", F64), ("last_seen", F64), ("steps", STRS), ("pii_flows", I64),
])
STEPS = pa.schema([
    ("id", STR), ("name", STR), ("action", STR), ("started_at", F64), ("ended_at", F64), ("info", STR),
    ("flows", I64), ("events", I64),
])
AGENT_EVENTS = pa.schema([
    ("seq", I64), ("id", STR), ("type", STR), ("source", STR), ("step_id", STR), ("timestamp", F64),
    ("pid", I64), ("thread", STR), ("payload", STR), ("data", BIN), ("pii_hits", I64),
])
FINDINGS = pa.schema([
    ("kind", STR), ("verdict", STR), ("severity", STR), ("severity_level", I64), ("rule", STR), ("summary", STR),
    ("step_id", STR), ("flow_ids", STRS), ("event_ids", STRS), ("details", STR),
])
PII_HITS = pa.schema([
    ("flow_id", STR), ("event_id", STR), ("step_id", STR), ("host", STR), ("value_name", STR),
    ("value_kind", STR), ("form", STR), ("normalisation", STR), ("location", STR), ("chain", STR),
])
LISTS = pa.schema([
    ("name", STR), ("version", STR), ("update_time", STR), ("n_terms", I64), ("terms", STRS), ("digest", STR),
    ("chain", STR), ("key_path", STR), ("reasons", STRS), ("sensitive", STRS), ("flow_id", STR),
    ("step_id", STR), ("host", STR), ("url", STR), ("previous_digest", STR), ("added", STRS), ("removed", STRS),
])

SCHEMAS = {"flows": FLOWS, "destinations": DESTINATIONS, "steps": STEPS, "agent_events": AGENT_EVENTS,
           "findings": FINDINGS, "pii_hits": PII_HITS, "lists": LISTS}


def frame(rows: list[dict[str, Any]] | dict[str, list[Any]], schema: pa.Schema) -> pd.DataFrame:
    """Rows (or columns) -> a pandas DataFrame whose columns are ``pd.ArrowDtype``."""
    if isinstance(rows, dict):
        table = pa.Table.from_pydict({n: rows.get(n, [None] * _len(rows)) for n in schema.names}, schema=schema)
    else:
        table = pa.Table.from_pylist(rows, schema=schema)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _len(cols: dict[str, list[Any]]) -> int:
    return len(next(iter(cols.values()))) if cols else 0


def _readable_by_pandas(table: pa.Table) -> pa.Table:
    """``table`` with pandas metadata that plain ``pandas.read_parquet`` can restore.

    ``from_pandas`` records each column's pandas dtype; for list columns that is
    ``list<item: string>[pyarrow]``, a name ``pandas.api.types.pandas_dtype`` cannot parse, so
    ``read_parquet`` fails (pandas 2-3). Those columns are recorded as ``object`` (lists of values);
    the Arrow types stay in the file (``read_parquet(..., dtype_backend="pyarrow")`` restores them).
    """
    raw = (table.schema.metadata or {}).get(b"pandas")
    if raw is None:
        return table
    meta = json.loads(raw)
    for col in meta.get("columns", []):
        try:
            pd.api.types.pandas_dtype(col.get("numpy_type"))
        except (TypeError, ValueError):
            col["numpy_type"] = "object"
    return table.replace_schema_metadata({**table.schema.metadata, b"pandas": json.dumps(meta).encode()})


def write_parquet(frames: dict[str, pd.DataFrame], out_dir: str | Path) -> dict[str, Path]:
    """Each frame to ``OUT/<name>.parquet`` (folder 0700, files 0600)."""
    out = private_dir(out_dir)
    paths = {}
    for name, df in frames.items():
        p = out / f"{name}.parquet"
        private_file(p)
        table = pa.Table.from_pandas(df, schema=SCHEMAS.get(name), preserve_index=False)
        pq.write_table(_readable_by_pandas(table), p)
        paths[name] = p
    return paths
