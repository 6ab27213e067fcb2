"""Validate and normalise each record at the loader boundary, before analysis uses it.

A HAR entry or a ``.mitm`` flow state can hold anything its format allows and more: content as
``str`` where ``bytes`` is expected (older mitmproxy formats after migration), a one-element
peername, ``±Infinity`` or ``1e20`` as a status, port, size or time, a lone surrogate (``\\udc00``)
in a header, URL or SNI, a host with spaces. Such a record used to pass the loader and fail deep
in the pipeline or in Arrow (issue 12). Here every field gets the type and range the run store's
contract (docs/dev/contracts.md, ``flows`` table) and the Arrow frames (int64, finite float64,
UTF-8 text) need; a record that cannot be made to fit raises :class:`RecordError`, which the
loader counts as a skipped record (the result is marked incomplete, the good records are kept).

Text rules: fields that can be ``str`` or ``bytes`` are taken either way (bytes decoded as UTF-8
with ``surrogateescape``). Arrow accepts no surrogates, so in scalar text fields every surrogate is
written out as the text ``\\udcXX``. Header *values* keep the ``surrogateescape`` code points
(``\\udc80``-``\\udcff``, the non-UTF-8 bytes the personal-data search recovers); other lone
surrogates are written out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from harness.capture.records import FLOW_KINDS, AgentEvent, FlowRecord, Step, WsMessage
from harness.parsing import quote

INT64_MAX = (1 << 63) - 1
#: longest host name (RFC 1035: 253 characters; a little room for a port or brackets)
MAX_HOST_CHARS = 255
#: longest record id
MAX_ID_CHARS = 256

_ANY_SURROGATE = re.compile("[\ud800-\udfff]")
_FOREIGN_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_BAD_HOST = re.compile(r"[\x00-\x20\x7f/\\?#@]")


class RecordError(ValueError):
    """A record field has a type or value that cannot be normalised; the message names the field."""


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def text(value: Any, where: str) -> str | None:
    """``value`` as Arrow-safe text (``str`` or ``bytes``; numbers are written out), or None."""
    if value is None:
        return None
    if type(value) is str and value.isascii():  # the common case: no surrogate to escape
        return value
    if type(value) is bytes and value.isascii():  # mitmproxy's method, path, ...: ASCII bytes, nothing to escape
        return value.decode("ascii")
    if isinstance(value, bytes | bytearray | memoryview):
        value = bytes(value).decode("utf-8", "surrogateescape")
    elif isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(f"{where} is {type(value).__name__} {quote(value, 40)}, not text")
    elif not isinstance(value, str):
        value = repr(value) if isinstance(value, float) else str(value)
    return _ANY_SURROGATE.sub(_escape, value)


def header_text(value: Any, where: str) -> str:
    """A header value: like :func:`text`, but keeps ``surrogateescape`` code points (raw bytes)."""
    if type(value) is str and value.isascii():  # the common case: no surrogate to escape
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "surrogateescape")
    if not isinstance(value, str):
        return text(value, where) or ""
    return _FOREIGN_SURROGATE.sub(_escape, value)


def blob(value: Any, where: str) -> bytes | None:
    """A body or message: ``bytes`` as is, ``str`` encoded as UTF-8 (``surrogateescape``), or None."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return _FOREIGN_SURROGATE.sub(_escape, value).encode("utf-8", "surrogateescape")
    raise RecordError(f"{where} is {type(value).__name__} {quote(value, 40)}, not bytes or text")


def integer(value: Any, where: str, lo: int = 0, hi: int = INT64_MAX) -> int | None:
    """An integer in ``lo..hi`` (int64 by default) from an int or an integral finite float, or None."""
    if value is None:
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise RecordError(f"{where} is {quote(value, 40)}, not a whole number")
        value = int(value)
    if not isinstance(value, int):
        raise RecordError(f"{where} is {type(value).__name__} {quote(value, 40)}, not a number")
    if not lo <= value <= hi:
        raise RecordError(f"{where} is {quote(value, 40)}, outside {lo}..{hi}")
    return int(value)


def finite(value: Any, where: str) -> float | None:
    """A finite float from an int or float, or None."""
    if type(value) is float and math.isfinite(value):  # the common case (a timestamp): as below
        return value
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{where} is {type(value).__name__} {quote(value, 40)}, not a number")
    try:
        out = float(value)
    except OverflowError:
        raise RecordError(f"{where} is too large for a time in seconds") from None
    if not math.isfinite(out):
        raise RecordError(f"{where} is {quote(out, 40)}, not a finite number")
    return out


def port(value: Any, where: str) -> int | None:
    return integer(value, where, 0, 65535)


def host(value: Any, where: str) -> str | None:
    """A host name or address as text; spaces, control characters or URL delimiters are refused."""
    out = text(value, where)
    if not out:
        return out or None
    if len(out) > MAX_HOST_CHARS or _BAD_HOST.search(out):
        raise RecordError(f"{where} {quote(out, 40)} is not a host name or address")
    return out


def headers(value: Any, where: str) -> list[tuple[str, str]]:
    """Header pairs ``[(name, value)]`` from pairs of ``str``/``bytes`` (mitmproxy) or dicts (HAR)."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise RecordError(f"{where} is {type(value).__name__}, not a list of headers")
    out = []
    for i, item in enumerate(value):
        if type(item) in (list, tuple) and len(item) == 2:  # the common case, ASCII: as text() would give
            k, v = item
            tk, tv = type(k), type(v)
            if tk is tv and (tk is bytes or tk is str) and k.isascii() and v.isascii():
                out.append((k.decode("ascii"), v.decode("ascii")) if tk is bytes else (k, v))
                continue
        if isinstance(item, dict):
            k, v = item.get("name"), item.get("value", "")
        elif isinstance(item, list | tuple) and len(item) == 2:
            k, v = item
        else:
            raise RecordError(f"{where}[{i}] is {quote(item, 40)}, not a name/value pair")
        out.append((text(k, f"{where}[{i}].name") or "", header_text(v, f"{where}[{i}].value")))
    return out


def peername(value: Any, where: str) -> tuple[str, int] | None:
    """A socket address ``(host, port)``; a one-element address keeps its host with port 0."""
    if type(value) is list and len(value) == 2:  # the common case, [ASCII host, int port]: as below
        h, p = value
        if type(h) is str and type(p) is int and h.isascii() and 0 <= p <= 65535 and len(h) <= MAX_HOST_CHARS \
                and not _BAD_HOST.search(h):
            return (h, p)
    if value is None or value == () or value == []:
        return None
    if not isinstance(value, list | tuple):
        raise RecordError(f"{where} is {type(value).__name__} {quote(value, 40)}, not an address")
    h = host(value[0], f"{where}[0]") or ""
    p = port(value[1], f"{where}[1]") if len(value) > 1 else 0
    return (h, p or 0)


_TEXT_FIELDS = ("step_id", "server_ip", "sni", "tls_version", "alpn", "http_version", "method",
                "scheme", "path", "url", "reason", "error")


def _url_host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # "http://[::1" and the like
        return None


def flow_record(rec: FlowRecord, headers_checked: bool = False) -> FlowRecord:
    """Check and normalise every field of ``rec`` in place (and return it); :class:`RecordError`
    names the first field that cannot be made to fit the ``flows`` table's types.
    ``headers_checked``: the header lists are :func:`headers`' own output already (a ``.mitm``
    record made from a :func:`flow_state`), which :func:`headers` gives back unchanged (its
    escapes leave nothing to escape again), so they are not walked a second time (issue 17)."""
    rec.id = text(rec.id, "id") or ""
    if not rec.id or len(rec.id) > MAX_ID_CHARS:
        raise RecordError(f"id {quote(rec.id, 40)} is empty or longer than {MAX_ID_CHARS} characters")
    if rec.kind not in FLOW_KINDS:
        raise RecordError(f"kind {quote(rec.kind, 40)} is not one of {FLOW_KINDS}")
    rec.started_at = finite(rec.started_at, "start time") or 0.0
    ended = finite(rec.ended_at, "end time")
    rec.ended_at = rec.started_at if ended is None else ended
    rec.client_ip = host(rec.client_ip, "client address") or ""
    rec.client_port = port(rec.client_port, "client port") or 0
    rec.server_host = host(rec.server_host, "server host")
    rec.host = host(rec.host, "host")
    if rec.url is not None and not (rec.host or rec.server_host or rec.server_ip or _url_host(rec.url)):
        raise RecordError(f"url {quote(rec.url, 40)} names no host (a request URL must be absolute)")
    rec.server_port = port(rec.server_port, "server port")
    rec.port = port(rec.port, "port")
    rec.status_code = integer(rec.status_code, "status", 0, 999)
    for name in _TEXT_FIELDS:
        setattr(rec, name, text(getattr(rec, name), name))
    if not headers_checked:
        rec.request_headers = headers(rec.request_headers, "request headers")
        rec.response_headers = headers(rec.response_headers, "response headers")
    rec.request_body = blob(rec.request_body, "request body")
    rec.response_body = blob(rec.response_body, "response body")
    rec.request_body_size = integer(rec.request_body_size, "request body size")
    rec.response_body_size = integer(rec.response_body_size, "response body size")
    rec.body_cap = integer(rec.body_cap, "body cap") or 0
    rec.request_body_truncated = bool(rec.request_body_truncated)
    rec.response_body_truncated = bool(rec.response_body_truncated)
    if not isinstance(rec.extra, dict):
        raise RecordError(f"extra is {type(rec.extra).__name__}, not an object")
    return rec


def ws_message(msg: WsMessage) -> WsMessage:
    """Check and normalise a WebSocket (or TCP) message in place; :class:`RecordError` if it cannot."""
    msg.flow_id = text(msg.flow_id, "message flow id") or ""
    msg.timestamp = finite(msg.timestamp, "message time") or 0.0
    msg.content = blob(msg.content, "message content") or b""
    msg.size = integer(msg.size, "message size") or len(msg.content)
    msg.from_client, msg.is_text = bool(msg.from_client), bool(msg.is_text)
    msg.step_id = text(msg.step_id, "message step id")
    return msg


def agent_event(ev: AgentEvent) -> AgentEvent:
    """Check and normalise an agent event in place: ``payload`` an object, ``data`` bytes."""
    ev.id = text(ev.id, "event id") or ""
    ev.type = text(ev.type, "event type") or ""
    ev.source = text(ev.source, "event source") or ""
    ev.timestamp = finite(ev.timestamp, "event time") or 0.0
    if not isinstance(ev.payload, dict):
        raise RecordError(f"event payload is {type(ev.payload).__name__} {quote(ev.payload, 40)}, not an object")
    ev.data = blob(ev.data, "event data")
    ev.step_id = text(ev.step_id, "event step id")
    ev.pid = integer(ev.pid, "event pid", -(1 << 63), INT64_MAX)
    ev.thread = text(ev.thread, "event thread")
    return ev


def step(s: Step) -> Step:
    """Check and normalise a scenario step in place: ``info`` an object, times finite."""
    s.id = text(s.id, "step id") or ""
    s.name = text(s.name, "step name") or ""
    s.action = text(s.action, "step action")
    s.started_at = finite(s.started_at, "step start") or 0.0
    s.ended_at = finite(s.ended_at, "step end")
    if not isinstance(s.info, dict):
        raise RecordError(f"step info is {type(s.info).__name__} {quote(s.info, 40)}, not an object")
    return s


# ---------------------------------------------------------------- mitmproxy flow states


def _conn(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RecordError(f"{where} is {type(raw).__name__}, not an object")
    out = dict(raw)
    for key in ("peername", "address", "sockname"):
        if key in out:
            out[key] = peername(out[key], f"{where}.{key}")
    for key in ("sni", "tls_version", "alpn"):
        if key in out:
            out[key] = text(out[key], f"{where}.{key}")
    for key in ("timestamp_start", "timestamp_end", "timestamp_tls_setup"):
        if key in out:
            out[key] = finite(out[key], f"{where}.{key}")
    return out


def _message(raw: Any, where: str, strings: tuple[str, ...]) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise RecordError(f"{where} is {type(raw).__name__}, not an object")
    out = dict(raw)
    for key in strings:
        if key in out:
            out[key] = text(out[key], f"{where}.{key}")
    out["headers"] = headers(out.get("headers"), f"{where}.headers")
    out["content"] = blob(out.get("content"), f"{where}.content")
    for key in ("timestamp_start", "timestamp_end"):
        if key in out:
            out[key] = finite(out[key], f"{where}.{key}")
    return out


def _messages(raw: Any, where: str, shape: Callable[[list[Any], str], list[Any]]) -> list[list[Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise RecordError(f"{where} is {type(raw).__name__}, not a list")
    return [shape(list(m) if isinstance(m, list | tuple) else [m], f"{where}[{i}]") for i, m in enumerate(raw)]


def _ws_message(m: list[Any], where: str) -> list[Any]:
    """[type, from_client, content, timestamp, ...]: content ``str`` (older formats) becomes bytes."""
    if len(m) < 4:
        raise RecordError(f"{where} has {len(m)} fields, not type, from_client, content, timestamp")
    return [integer(m[0], f"{where}.type", 0, 15), bool(m[1]), blob(m[2], f"{where}.content") or b"",
            finite(m[3], f"{where}.timestamp") or 0.0, *m[4:]]


def _tcp_message(m: list[Any], where: str) -> list[Any]:
    """[from_client, content, timestamp]."""
    if len(m) < 3:
        raise RecordError(f"{where} has {len(m)} fields, not from_client, content, timestamp")
    return [bool(m[0]), blob(m[1], f"{where}.content") or b"", finite(m[2], f"{where}.timestamp") or 0.0, *m[3:]]


def flow_state(state: Any) -> dict[str, Any]:
    """A migrated mitmproxy flow state (``Flow.get_state()`` shape) with every field the loader
    reads checked and normalised: ids and text ``str`` or ``bytes``, addresses as ``(host, port)``,
    numbers finite and in range, bodies and message contents ``bytes``. Raises :class:`RecordError`
    for a state without ``id``/``type``/connections or a field that cannot be normalised (the
    states mitmproxy's own reader rejects with ``KeyError``/``AttributeError``/``AssertionError``).
    """
    if not isinstance(state, dict):
        raise RecordError(f"flow state is {type(state).__name__}, not an object")
    missing = [k for k in ("id", "type", "client_conn", "server_conn") if k not in state]
    if missing:
        raise RecordError(f"flow state has no {missing[0]!r}")
    out = dict(state)
    out["id"] = text(state["id"], "id")
    out["type"] = text(state["type"], "type")
    if out["type"] not in ("http", "tcp", "udp", "dns"):
        raise RecordError(f"flow type {quote(out['type'], 40)} is not http, tcp, udp or dns")
    out["client_conn"] = _conn(state["client_conn"], "client_conn")
    out["server_conn"] = _conn(state["server_conn"], "server_conn")
    out["timestamp_created"] = finite(state.get("timestamp_created"), "timestamp_created")
    err = state.get("error")
    if err is not None:
        if not isinstance(err, dict):
            raise RecordError(f"error is {type(err).__name__}, not an object")
        out["error"] = {**err, "msg": text(err.get("msg"), "error.msg")}
    meta = state.get("metadata")
    out["metadata"] = meta if isinstance(meta, dict) else {}
    out["request"] = _message(state.get("request"), "request",
                              ("host", "method", "scheme", "authority", "path", "http_version"))
    if out["request"] is not None:
        out["request"]["port"] = port(out["request"].get("port"), "request.port")
    out["response"] = _message(state.get("response"), "response", ("reason", "http_version"))
    if out["response"] is not None:
        out["response"]["status_code"] = integer(out["response"].get("status_code"), "response.status_code", 0, 999)
    ws = state.get("websocket")
    if ws is not None:
        if not isinstance(ws, dict):
            raise RecordError(f"websocket is {type(ws).__name__}, not an object")
        out["websocket"] = {**ws, "messages": _messages(ws.get("messages"), "websocket.messages", _ws_message)}
    if "messages" in state:
        out["messages"] = _messages(state.get("messages"), "messages", _tcp_message)
    return out
