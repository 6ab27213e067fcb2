"""The run store's on-disk shape: file names in a run directory, the SQLite tables, and the
conversion between table rows and the record dataclasses of :mod:`harness.capture.records`.

Nothing here opens a file or a connection. Tables (``docs/dev/contracts.md`` §1 documents the
``flows`` columns, which are also the Parquet/CSV export schema):

- ``meta(key, value)``: one JSON value per key (``status``, ``run_id``, ``created_at``, ...);
- ``flows``: one row per :class:`~harness.capture.records.FlowRecord`, headers and ``extra`` as
  JSON text, booleans as 0/1, bodies as BLOBs, ``seq`` = completion order;
- ``ws_messages``, ``events``, ``steps`` (``ord`` = begin order, ``id`` unique), ``artifacts``
  (``path`` relative to the run directory).

The decoders raise :class:`json.JSONDecodeError` or :class:`TypeError` on a row this schema did
not write (no harness store has one).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from harness.capture.records import AgentEvent, Artifact, FlowRecord, Step, WsMessage

DB_NAME = "store.sqlite"
MITM_NAME = "flows.mitm"
ARTIFACTS_DIR = "artifacts"
LOCK_NAME = ".store.lock"
SCHEMA_VERSION = 1

#: columns of the ``flows`` table, in order (also the Parquet/CSV export schema)
FLOW_COLUMNS = (
    "seq", "id", "kind", "step_id", "started_at", "ended_at", "client_ip", "client_port",
    "server_host", "server_ip", "server_port", "sni", "tls_version", "alpn", "http_version",
    "method", "scheme", "host", "port", "path", "url", "status_code", "reason",
    "request_headers", "response_headers", "request_body", "response_body",
    "request_body_size", "response_body_size", "request_body_truncated",
    "response_body_truncated", "body_cap", "error", "extra",
)
EVENT_COLUMNS = ("seq", "id", "type", "source", "step_id", "timestamp", "pid", "thread", "payload", "data")
WS_COLUMNS = ("seq", "flow_id", "step_id", "timestamp", "from_client", "is_text", "content", "size", "truncated")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS flows (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, step_id TEXT,
    started_at REAL, ended_at REAL, client_ip TEXT, client_port INTEGER,
    server_host TEXT, server_ip TEXT, server_port INTEGER, sni TEXT, tls_version TEXT, alpn TEXT,
    http_version TEXT, method TEXT, scheme TEXT, host TEXT, port INTEGER, path TEXT, url TEXT,
    status_code INTEGER, reason TEXT, request_headers TEXT NOT NULL, response_headers TEXT NOT NULL,
    request_body BLOB, response_body BLOB, request_body_size INTEGER, response_body_size INTEGER,
    request_body_truncated INTEGER NOT NULL, response_body_truncated INTEGER NOT NULL,
    body_cap INTEGER NOT NULL, error TEXT, extra TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ws_messages (
    seq INTEGER PRIMARY KEY, flow_id TEXT NOT NULL, step_id TEXT, timestamp REAL NOT NULL,
    from_client INTEGER NOT NULL, is_text INTEGER NOT NULL, content BLOB, size INTEGER NOT NULL,
    truncated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL,
    step_id TEXT, timestamp REAL NOT NULL, pid INTEGER, thread TEXT, payload TEXT NOT NULL, data BLOB
);
CREATE TABLE IF NOT EXISTS steps (
    ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, action TEXT,
    info TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL
);
CREATE TABLE IF NOT EXISTS artifacts (
    seq INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL,
    size INTEGER NOT NULL, created_at REAL NOT NULL, step_id TEXT
);
"""

INSERT_FLOW = f"INSERT INTO flows ({', '.join(FLOW_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(FLOW_COLUMNS) - 1))})"
INSERT_WS = f"INSERT INTO ws_messages ({', '.join(WS_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(WS_COLUMNS) - 1))})"
INSERT_EVENT = f"INSERT INTO events ({', '.join(EVENT_COLUMNS[1:])}) VALUES ({', '.join('?' * (len(EVENT_COLUMNS) - 1))})"
INSERT_META = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"
INSERT_STEP = "INSERT OR REPLACE INTO steps (id, name, action, info, started_at) VALUES (?, ?, ?, ?, ?)"
END_STEP = "UPDATE steps SET ended_at = ? WHERE id = ?"
INSERT_ARTIFACT = "INSERT INTO artifacts (name, kind, path, size, created_at, step_id) VALUES (?, ?, ?, ?, ?, ?)"


def meta_text(value: Any) -> str:
    """A ``meta`` value as stored: JSON, anything JSON cannot say as its ``str()``."""
    return json.dumps(value, default=str)


def read_meta(db: sqlite3.Connection) -> dict[str, Any]:
    """The ``meta`` table as a dict of decoded JSON values. Raises :class:`sqlite3.Error`."""
    return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}


def flow_row(r: FlowRecord) -> tuple[Any, ...]:
    """The values of :data:`INSERT_FLOW` (``FLOW_COLUMNS`` without ``seq``) for ``r``."""
    return (
        r.id, r.kind, r.step_id, r.started_at, r.ended_at, r.client_ip, r.client_port,
        r.server_host, r.server_ip, r.server_port, r.sni, r.tls_version, r.alpn, r.http_version,
        r.method, r.scheme, r.host, r.port, r.path, r.url, r.status_code, r.reason,
        json.dumps(r.request_headers), json.dumps(r.response_headers),
        r.request_body, r.response_body, r.request_body_size, r.response_body_size,
        int(r.request_body_truncated), int(r.response_body_truncated), r.body_cap, r.error,
        json.dumps(r.extra, default=str),
    )


def flow_from_row(row: sqlite3.Row) -> FlowRecord:
    """A ``flows`` row (all columns) as a :class:`FlowRecord` (header pairs as tuples)."""
    d = dict(row)
    d["request_headers"] = [tuple(p) for p in json.loads(d["request_headers"])]
    d["response_headers"] = [tuple(p) for p in json.loads(d["response_headers"])]
    d["request_body_truncated"] = bool(d["request_body_truncated"])
    d["response_body_truncated"] = bool(d["response_body_truncated"])
    d["extra"] = json.loads(d["extra"])
    return FlowRecord(**d)


def ws_row(msg: WsMessage) -> tuple[Any, ...]:
    """The values of :data:`INSERT_WS` for ``msg``."""
    return (msg.flow_id, msg.step_id, msg.timestamp, int(msg.from_client), int(msg.is_text),
            msg.content, msg.size, int(msg.truncated))


def ws_from_row(row: sqlite3.Row) -> WsMessage:
    d = dict(row)
    for b in ("from_client", "is_text", "truncated"):
        d[b] = bool(d[b])
    return WsMessage(**d)


def event_row(event: AgentEvent) -> tuple[Any, ...]:
    """The values of :data:`INSERT_EVENT` for ``event`` (its payload as JSON text)."""
    return (
        event.id, event.type, event.source, event.step_id, event.timestamp, event.pid,
        event.thread, json.dumps(event.payload, default=str), event.data,
    )


def event_from_row(row: sqlite3.Row) -> AgentEvent:
    d = dict(row)
    d["payload"] = json.loads(d["payload"])
    return AgentEvent(**d)


def step_from_row(row: sqlite3.Row) -> Step:
    d = dict(row)
    d.pop("ord")
    d["info"] = json.loads(d["info"])
    return Step(**d)


def artifact_from_row(row: sqlite3.Row) -> Artifact:
    d = dict(row)
    d.pop("seq")
    return Artifact(**d)
