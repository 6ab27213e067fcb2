"""Exports of a run: the flow table as Parquet/CSV (pandas-ready) and HTTP flows as HAR 1.2.

The Parquet schema is :data:`FLOW_SCHEMA` (the ``flows`` table of the store, see
``docs/capture.md``). CSV has the same columns; bodies are base64 text there.
"""

from __future__ import annotations

import base64
import datetime
import os
from contextlib import closing
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from harness.capture.har import document_bytes, har_bytes, har_document, har_entry
from harness.capture.store import FLOW_COLUMNS, RunStore
from harness.errors import UsageError
from harness.fsutil import make_parents, open_private

FORMATS = ("har", "parquet", "csv")
__all__ = ["FLOW_SCHEMA", "FORMATS", "export", "flows_table", "har_document", "har_entry", "validate_har", "write_har"]

FLOW_SCHEMA = pa.schema([
    ("seq", pa.int64()), ("id", pa.string()), ("kind", pa.string()), ("step_id", pa.string()),
    ("started_at", pa.float64()), ("ended_at", pa.float64()),
    ("client_ip", pa.string()), ("client_port", pa.int64()),
    ("server_host", pa.string()), ("server_ip", pa.string()), ("server_port", pa.int64()),
    ("sni", pa.string()), ("tls_version", pa.string()), ("alpn", pa.string()),
    ("http_version", pa.string()), ("method", pa.string()), ("scheme", pa.string()),
    ("host", pa.string()), ("port", pa.int64()), ("path", pa.string()), ("url", pa.string()),
    ("status_code", pa.int64()), ("reason", pa.string()),
    ("request_headers", pa.string()), ("response_headers", pa.string()),
    ("request_body", pa.binary()), ("response_body", pa.binary()),
    ("request_body_size", pa.int64()), ("response_body_size", pa.int64()),
    ("request_body_truncated", pa.bool_()), ("response_body_truncated", pa.bool_()),
    ("body_cap", pa.int64()), ("error", pa.string()), ("extra", pa.string()),
])
assert tuple(FLOW_SCHEMA.names) == FLOW_COLUMNS

_BOOL_COLUMNS = ("request_body_truncated", "response_body_truncated")


def flows_table(store: RunStore) -> pa.Table:
    """The ``flows`` table as a typed Arrow table (``.to_pandas()`` for a DataFrame)."""
    columns: dict[str, list[Any]] = {name: [] for name in FLOW_COLUMNS}
    with closing(store.connect_readonly()) as db:
        db.row_factory = None
        for row in db.execute(f"SELECT {', '.join(FLOW_COLUMNS)} FROM flows ORDER BY seq"):
            for name, value in zip(FLOW_COLUMNS, row, strict=True):
                columns[name].append(bool(value) if name in _BOOL_COLUMNS else value)
    return pa.table(columns, schema=FLOW_SCHEMA)


def _private_out(out: Path, mode: str = "wb") -> IO:
    """``out`` opened as a 0600 file of ours, never through a symlink (issue 11 item 3)."""
    return open_private(make_parents(out), mode)


def export_parquet(store: RunStore, out: Path) -> Path:
    with _private_out(out) as fh:
        pq.write_table(flows_table(store), fh)
    return out


def export_csv(store: RunStore, out: Path) -> Path:
    """The flow table as CSV: integer columns stay integers where a value is missing (pandas'
    nullable ``Int64``: ``443``, not ``443.0``), bodies base64 text."""
    import pandas as pd

    frame = flows_table(store).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    for col in ("request_body", "response_body"):
        frame[col] = frame[col].map(lambda b: base64.b64encode(b).decode() if b is not None else None)
    with _private_out(out, "w") as fh:
        frame.to_csv(fh, index=False)
    return out


# -- HAR 1.2 -------------------------------------------------------------------------------------


def export_har(store: RunStore, out: Path) -> Path:
    data = har_bytes(store, compressed=out.name.lower().endswith(".zhar"))
    with _private_out(out) as fh:
        fh.write(data)
    return out


def write_har(doc: dict[str, Any], out: str | os.PathLike[str]) -> Path:
    """Write a HAR document to ``out`` (0600; zlib-compressed for a ``.zhar`` name)."""
    target = Path(out)
    try:
        with _private_out(target) as fh:
            fh.write(document_bytes(doc, compressed=target.name.lower().endswith(".zhar")))
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}",
                         fix="choose a writable output path", attempted="export har") from exc
    return target


def export(run_dir: str | os.PathLike[str], fmt: str, out: str | os.PathLike[str] | None = None) -> Path:
    """Write ``fmt`` (har, parquet, csv) of ``run_dir`` to ``out`` (default ``RUN_DIR/flows.<fmt>``)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    store = RunStore.open(run_dir)
    target = Path(out) if out else Path(run_dir) / f"flows.{fmt}"
    writer = {"har": export_har, "parquet": export_parquet, "csv": export_csv}[fmt]
    try:
        return writer(store, target)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}",
                         fix="choose a writable output path", attempted=f"export {fmt}") from exc


_REQUEST_FIELDS: list[tuple[str, type]] = [
    ("method", str), ("url", str), ("httpVersion", str), ("cookies", list), ("headers", list),
    ("queryString", list), ("headersSize", int), ("bodySize", int),
]
_RESPONSE_FIELDS: list[tuple[str, type]] = [
    ("status", int), ("statusText", str), ("httpVersion", str), ("cookies", list), ("headers", list),
    ("content", dict), ("redirectURL", str), ("headersSize", int), ("bodySize", int),
]


def validate_har(doc: dict[str, Any]) -> list[str]:
    """Structural check against HAR 1.2's required fields; returns the problems (empty = valid)."""
    problems: list[str] = []

    def need(obj: Any, key: str, typ: type | tuple[type, ...], where: str) -> Any:
        if not isinstance(obj, dict) or key not in obj:
            problems.append(f"{where}: missing {key}")
            return None
        if not isinstance(obj[key], typ):
            problems.append(f"{where}.{key}: expected {typ}, got {type(obj[key]).__name__}")
        return obj[key]

    log = need(doc, "log", dict, "$")
    if log is None:
        return problems
    need(log, "version", str, "log")
    creator = need(log, "creator", dict, "log")
    if isinstance(creator, dict):
        need(creator, "name", str, "log.creator")
        need(creator, "version", str, "log.creator")
    entries = need(log, "entries", list, "log") or []
    for i, e in enumerate(entries):
        w = f"log.entries[{i}]"
        start = need(e, "startedDateTime", str, w)
        if isinstance(start, str):
            try:
                datetime.datetime.fromisoformat(start.replace("Z", "+00:00"))
            except ValueError:
                problems.append(f"{w}.startedDateTime: not ISO 8601")
        need(e, "time", (int, float), w)
        need(e, "cache", dict, w)
        timings = need(e, "timings", dict, w)
        for t in ("send", "wait", "receive"):
            need(timings, t, (int, float), f"{w}.timings")
        req = need(e, "request", dict, w)
        for k, typ in _REQUEST_FIELDS:
            need(req, k, typ, f"{w}.request")
        if isinstance(req, dict) and "postData" in req:
            need(req["postData"], "mimeType", str, f"{w}.request.postData")
        resp = need(e, "response", dict, w)
        for k, typ in _RESPONSE_FIELDS:
            need(resp, k, typ, f"{w}.response")
        if isinstance(resp, dict) and isinstance(resp.get("content"), dict):
            need(resp["content"], "size", int, f"{w}.response.content")
            need(resp["content"], "mimeType", str, f"{w}.response.content")
        for part in ("request", "response"):
            for j, h in enumerate((e.get(part) or {}).get("headers") or []):
                need(h, "name", str, f"{w}.{part}.headers[{j}]")
                need(h, "value", str, f"{w}.{part}.headers[{j}]")
    return problems
