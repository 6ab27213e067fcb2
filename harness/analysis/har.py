"""HAR input: HTTP Archive 1.2 files (browsers, mitmproxy, Charles, HTTP Toolkit, Playwright, ours).

:func:`load_har` gives a :class:`~harness.analysis.loaders.Source` whose flows are the run store's
:class:`FlowRecord` rows and whose WebSocket messages come from each entry's ``_webSocketMessages``
(the field Chrome, mitmproxy, HTTP Toolkit and Playwright write: ``type`` ``send``/``receive``,
``time`` in UNIX seconds, ``opcode`` 1 text / 2 binary (base64 ``data``), see
https://github.com/ChromeDevTools/devtools-frontend ``HARWriter`` and mitmproxy's ``savehar``).

What the file says is taken over what it claims about itself:

* a body given only as ``postData.params`` is rebuilt (``application/x-www-form-urlencoded``, or
  ``multipart/form-data`` with the boundary of ``mimeType``); ``extra.request_body_rebuilt``;
* ``content.size`` is kept as ``extra.har_content_size`` only: the body size is the length of the
  ``text`` actually given (Safari writes ``size: 0``), ``content.size`` only when there is no text;
* with no ``serverIPAddress``, a URL host that is an IP literal is the server address;
* a zlib-compressed HAR (mitmproxy's ``save.har`` to a ``.zhar`` path) or a gzipped one is read.

HAR ``content.text`` is the decoded body (HAR 1.2 section "content"), so a response's
``content-encoding`` no longer applies to it: ``extra.response_body_decoded`` and
``extra.response_content_decoded`` (the encoding removed, which analysis puts at the start of the
decoding chain). Request bodies are taken as sent unless the file says it removed an encoding:
``postData._contentEncoding`` (the harness's export) or a mitmproxy creator (its export decodes).

HAR ``pages`` are steps (an entry's ``pageref`` is its step unless ``_stepId`` names one). The
harness's own export fields read here: ``_flowId``, ``_stepId``, ``_kind``, ``_error``,
``_truncated``, ``content._contentEncoding``, ``postData._contentEncoding``,
``postData._encoding`` (``base64``). Other tools' ``_id``/``id``, ``_step_id`` and
``response._error`` (mitmproxy) are read too. An entry without an id of its own is ``har-N``,
``N`` its place in ``log.entries`` counted from 1 (:data:`FIRST_ENTRY`), as Chrome DevTools,
Firefox and every reader number a HAR's requests; problems name entries the same way
(``HAR entry 3`` is ``log.entries[2]``).

Every field is read defensively: a missing or odd-typed optional field is ignored, a missing
required one (``request.method``, ``request.url``, ``response``, ``startedDateTime``) skips the
entry with a message (the source is then marked incomplete). Raises
:class:`~harness.errors.AnalysisError` when the file is not a HAR at all.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
import zlib
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harness.analysis.decode import ENCODING_NAMES
from harness.analysis.har_attached import with_attached
from harness.analysis.har_body import params_body, text_body
from harness.analysis.jsonfields import as_dict, as_float, as_int, as_str, is_ip, iso_seconds, iso_timestamp
from harness.capture.records import FlowRecord, Step, WsMessage
from harness.errors import AnalysisError
from harness.parsing import PARSE_ERRORS, one_line

if TYPE_CHECKING:
    from harness.analysis.loaders import Source

#: zlib stream headers (RFC 1950: CMF 0x78 with each FLEVEL) and the gzip magic (RFC 1952)
_ZLIB_HEADS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")
_GZIP_MAGIC = b"\x1f\x8b"
_FIX = "pass a HAR 1.2 JSON file exported by a browser, mitmproxy or Charles (.har, .zhar or gzipped)"
_SHAPE = "a HAR file is {\"log\": {\"version\": \"1.2\", \"entries\": [...]}}"


def decoded_chain(removed: Any, chain: str) -> str:
    """``chain`` behind the content-encoding a loader already removed (``extra.*_content_decoded``:
    HAR text is decoded), so a HAR gives the decoding chain the run gives (``br`` + ``json``)."""
    if not isinstance(removed, str) or not removed.strip():
        return chain
    names = [ENCODING_NAMES.get(e.strip().lower(), e.strip().lower()) for e in reversed(removed.split(","))
             if e.strip().lower() not in ("", "identity")]
    return ">".join([n for n in names if n] + ([chain] if chain else []))


def compression_of(head: bytes) -> str | None:
    """``"gzip"``, ``"zlib"`` or None from a file's first bytes."""
    if head.startswith(_GZIP_MAGIC):
        return "gzip"
    if head[:2] in _ZLIB_HEADS:
        return "zlib"
    return None


#: HARP, "HAR with padding" (HAR Viewer's JSONP form: ``onInputData({...});``)
_HARP = re.compile(rb"[A-Za-z_$][\w$.]*\s*\(\s*\{")


def unwrap_harp(text: str) -> str:
    """The JSON inside a HARP document (``name(`` ... ``)`` with an optional ``;``); other text as is."""
    body = text.strip()
    if _HARP.match(body.encode("utf-8", "surrogateescape")[:256]) and body.rstrip(";").rstrip().endswith(")"):
        return body[body.index("(") + 1:body.rstrip(";").rstrip().rindex(")")]
    return text


def looks_like_har(path: Path, head: bytes) -> bool:
    """True if ``path`` (first bytes ``head``) is a HAR: a ``.har``/``.zhar``/``.harp`` name, JSON
    text, HARP (``callback({...})``), or gzip/zlib data whose first decompressed byte opens a JSON object."""
    name = path.name.lower()
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.endswith((".har", ".zhar", ".har.gz", ".harp")) or text[:1] == b"{" or _HARP.match(text):
        return True
    method = compression_of(head)
    if method is None:
        return False
    try:
        with path.open("rb") as fh:
            raw = fh.read(4096)
        d = zlib.decompressobj(16 + zlib.MAX_WBITS if method == "gzip" else zlib.MAX_WBITS)
        start = d.decompress(raw, 64)
    except (OSError, zlib.error):
        return False
    return start.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read {path}: {exc.strerror}", fix="check the path and permissions") from None
    method = compression_of(data[:2])
    try:
        if method == "gzip":
            return gzip.decompress(data)
        if method == "zlib":
            return zlib.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise AnalysisError(f"{path} is not a HAR file: {method} data is damaged ({exc})",
                            fix="pass a complete file (a cut-off download or export cannot be read)") from None
    return data


# ---------------------------------------------------------------- fields


def _pairs(items: Any) -> list[tuple[str, str]]:
    """``[{"name", "value"}]`` (or ``[[name, value]]``) as pairs; entries without a name are skipped."""
    out: list[tuple[str, str]] = []
    for h in items if isinstance(items, list) else ():
        if isinstance(h, dict):
            name, value = as_str(h.get("name")), as_str(h.get("value"))
        elif isinstance(h, list | tuple) and len(h) == 2:
            name, value = as_str(h[0]), as_str(h[1])
        else:
            continue
        if name is not None:
            out.append((name, value or ""))
    return out


def _header(pairs: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in pairs if k.lower() == name), None)


# ---------------------------------------------------------------- entries

#: the number of the first entry of ``log.entries`` in ``har-N`` flow ids and in problems: 1, as
#: DevTools and readers count (analyses before this rule numbered from 0; a findings document of a
#: HAR says its base in ``source.har_entry_base``: harness.report.document)
FIRST_ENTRY = 1


def entry_flow_id(index: int) -> str:
    """The flow id of the entry at ``log.entries[index]`` (0-based ``index``) that names no id of
    its own: ``har-1`` for the first entry."""
    return f"har-{index + FIRST_ENTRY}"


def record_from_har_entry(entry: Any, index: int, creator: str = "",
                          folder: Path | None = None) -> tuple[FlowRecord, list[WsMessage]]:
    """One HAR entry, ``log.entries[index]`` (0-based ``index``), as a :class:`FlowRecord` and its
    WebSocket messages; ``folder`` is where the HAR is (bodies kept beside it,
    :mod:`harness.analysis.har_attached`). Its id: the entry's ``_flowId``/``_id``/``id``, else
    :func:`entry_flow_id` (``har-1`` for the first entry).

    Raises ValueError naming the field when a required one is missing or unusable.
    """
    if not isinstance(entry, dict):
        raise ValueError("entry is not an object")
    req, resp = entry.get("request"), entry.get("response")
    if not isinstance(req, dict) or not isinstance(req.get("url"), str) or as_str(req.get("method")) is None:
        raise ValueError("request needs 'method' and 'url'")
    if not isinstance(resp, dict):
        raise ValueError("missing 'response' object")
    try:
        started = iso_timestamp(str(entry["startedDateTime"]))
    except (KeyError, ValueError, OverflowError, OSError):
        raise ValueError("missing or invalid 'startedDateTime'") from None
    url: str = req["url"]
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError as exc:
        raise ValueError(f"request.url is not a URL ({exc})") from None
    scheme = parts.scheme or "http"
    port = port or {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(scheme, 0)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    # HTTP/2 and 3 pseudo-header fields (":path", ":authority"; Chrome writes them) are not header
    # fields (RFC 9113 section 8.3): the URL and status hold them, as in mitmproxy's flows
    req_headers = [(k, v) for k, v in _pairs(req.get("headers")) if not k.startswith(":")]
    resp_headers = [(k, v) for k, v in _pairs(resp.get("headers")) if not k.startswith(":")]
    extra: dict[str, Any] = {}

    post = as_dict(req.get("postData"))
    req_body = with_attached(post, text_body(post), folder, "request", extra)
    if req_body is None and (rebuilt := params_body(post)) is not None:
        req_body = rebuilt
        extra["request_body_rebuilt"] = "params"
    if req_body is None and not post and as_int(req.get("bodySize")) == 0:
        req_body = b""  # HAR 1.2 bodySize: 0 is an empty body (-1: unknown)
    removed_req = as_str(post.get("_contentEncoding"))
    if removed_req is None and creator.lower() == "mitmproxy" and req_body is not None:
        removed_req = _header(req_headers, "content-encoding")  # mitmproxy's export decodes
    if removed_req:
        extra["request_content_decoded"] = removed_req

    content = as_dict(resp.get("content"))
    resp_body = with_attached(content, text_body(content), folder, "response", extra)
    har_size = as_int(content.get("size"))
    if resp_body is None and har_size == 0 and as_int(resp.get("bodySize")) == 0:
        resp_body = b""  # nothing in the body, and HAR says so (not "not recorded")
    if har_size is not None:
        extra["har_content_size"] = har_size
    resp_size = len(resp_body) if resp_body is not None else (har_size if har_size and har_size > 0 else None)
    if resp_body is not None:
        # HAR's content.text is decoded; content-encoding no longer applies to it
        extra["response_body_decoded"] = True
        removed = as_str(content.get("_contentEncoding"))
        if removed is None:
            removed = _header(resp_headers, "content-encoding")
            removed = None if (removed or "").strip().lower() in ("", "identity") else removed
        elif not removed:
            extra["response_body_decoded"] = False  # the exporter could not decode it: as on the wire
        if removed:
            extra["response_content_decoded"] = removed

    status = as_int(resp.get("status")) or 0
    server_ip = (as_str(entry.get("serverIPAddress")) or "").strip("[]") or None
    if not is_ip(server_ip):
        server_ip = hostname if is_ip(hostname) else None
    truncated = as_dict(entry.get("_truncated"))
    kind = as_str(entry.get("_kind"))
    ws_raw = entry.get("_webSocketMessages")
    if kind not in ("http", "websocket", "error"):
        kind = "websocket" if isinstance(ws_raw, list) and ws_raw else ("http" if status > 0 else "error")
    flow_id = as_str(entry.get("_flowId")) or as_str(entry.get("_id")) or as_str(entry.get("id")) or entry_flow_id(index)
    step = as_str(entry.get("_stepId")) or as_str(entry.get("_step_id")) or as_str(entry.get("pageref"))
    elapsed = as_float(entry.get("time"))
    rec = FlowRecord(
        id=flow_id,
        kind=kind,
        started_at=started,
        ended_at=started + max(elapsed or 0.0, 0.0) / 1000.0,
        server_host=hostname,
        server_ip=server_ip,
        server_port=port,
        http_version=as_str(req.get("httpVersion")) or None,
        method=as_str(req.get("method")),
        scheme=scheme,
        host=hostname,
        port=port,
        path=path or "/",
        url=url,
        status_code=status or None,
        reason=as_str(resp.get("statusText")) or None,
        request_headers=req_headers,
        response_headers=resp_headers,
        request_body=req_body,
        response_body=resp_body,
        request_body_size=len(req_body) if req_body is not None else None,
        response_body_size=resp_size,
        request_body_truncated=truncated.get("request") is True or extra.pop("request_body_cut", False),
        response_body_truncated=truncated.get("response") is True or extra.pop("response_body_cut", False),
        error=as_str(entry.get("_error")) or as_str(resp.get("_error")) or None,
        step_id=step or None,
        extra=extra,
    )
    if as_int(truncated.get("bodyCap")):
        rec.body_cap = int(truncated["bodyCap"])
    rec.sni = hostname if scheme in ("https", "wss") else None
    return rec, ws_messages(ws_raw, rec)


def steps_from_pages(pages: Any) -> list[Step]:
    """HAR ``pages`` as steps: ``id``, ``title`` (the name), ``startedDateTime``; the harness's
    export adds ``_endedDateTime``, ``_action`` and ``_info``. Pages without an id or a valid
    start are skipped."""
    out: list[Step] = []
    for p in pages if isinstance(pages, list) else ():
        if not isinstance(p, dict) or not as_str(p.get("id")) or (start := iso_seconds(p.get("startedDateTime"))) is None:
            continue
        sid = str(as_str(p.get("id")))
        out.append(Step(sid, as_str(p.get("title")) or sid, start, iso_seconds(p.get("_endedDateTime")),
                        as_str(p.get("_action")), as_dict(p.get("_info"))))
    return out


def ws_messages(raw: Any, rec: FlowRecord) -> list[WsMessage]:
    """``_webSocketMessages`` of an entry: ``type`` send/receive, ``time`` (UNIX seconds),
    ``opcode`` (1 text, 2 binary: ``data`` base64), ``data``. Control frames and unreadable items
    are skipped."""
    out: list[WsMessage] = []
    for m in raw if isinstance(raw, list) else ():
        if not isinstance(m, dict) or not isinstance(m.get("data"), str):
            continue
        opcode = as_int(m.get("opcode")) or 1
        if opcode not in (1, 2):
            continue
        data: str = m["data"]
        if opcode == 2:
            try:
                content = base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                content = data.encode("utf-8", "surrogateescape")
        else:
            content = data.encode("utf-8", "surrogateescape")
        ts = as_float(m.get("time"))
        out.append(WsMessage(rec.id, ts if ts is not None else rec.started_at, m.get("type") == "send",
                             opcode == 1, content, len(content), step_id=rec.step_id))
    return out


#: URL schemes of browser entries that never reach the network (WebKit and Firefox's WebDriver BiDi
#: exporter put data: URLs in HAR; firefox-devtools/bidi-har-export pull request 28 took them out)
LOCAL_SCHEMES = ("data", "blob", "about", "javascript", "chrome-extension", "moz-extension", "file")


def _local_scheme(entry: Any) -> bool:
    req = entry.get("request") if isinstance(entry, dict) else None
    url = req.get("url") if isinstance(req, dict) else None
    return isinstance(url, str) and url.split(":", 1)[0].strip().lower() in LOCAL_SCHEMES and ":" in url


def load_har(path: Path) -> Source:
    """A :class:`Source` over a HAR file (plain, gzip or zlib). Raises AnalysisError if it is not one."""
    from harness.analysis import validate
    from harness.analysis.loaders import RECORD_ERRORS, Source

    data = _read(path)
    if not data.strip():
        raise AnalysisError(f"{path} is empty, not a HAR file",
                            fix="export the HAR again (a failed save or download leaves an empty file)")
    try:
        doc = json.loads(unwrap_harp(data.decode("utf-8-sig")))
    except UnicodeDecodeError as exc:
        raise AnalysisError(f"{path} is not a HAR file: not UTF-8 text ({exc.reason} at byte {exc.start})",
                            fix=_FIX) from None
    except json.JSONDecodeError as exc:
        raise AnalysisError(f"{path} is not a HAR file: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                            fix="pass a complete HAR 1.2 JSON file (a cut-off export is not valid JSON)") from None
    except RecursionError:
        raise AnalysisError(f"{path} is not a HAR file: JSON nested too deeply", fix=_FIX) from None
    except PARSE_ERRORS as exc:  # a 4300+ digit integer, MemoryError, ... (issue 12)
        raise AnalysisError(f"{path} is not a HAR file the harness can read: {one_line(str(exc) or type(exc).__name__, 120)}",
                            fix=_FIX) from None
    log = doc.get("log") if isinstance(doc, dict) else None
    if not isinstance(log, dict):
        raise AnalysisError(f"{path} is not a HAR file: no top-level 'log' object", fix=_SHAPE)
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise AnalysisError(f"{path} is not a HAR file: 'log.entries' is missing or not a list", fix=_SHAPE)
    creator = as_dict(log.get("creator"))
    src = Source("har", path, iter(()), steps=steps_from_pages(log.get("pages")), meta={"creator": creator or None})
    creator_name = as_str(creator.get("name")) or ""
    ws_buffer: deque[WsMessage] = deque()

    def flows() -> Iterator[FlowRecord]:
        for i, entry in enumerate(entries):
            if _local_scheme(entry):  # data:, blob:, ... (WebKit, Firefox): no network traffic
                src.meta["non_network_entries"] = src.meta.get("non_network_entries", 0) + 1
                continue
            try:
                rec, ws = record_from_har_entry(entry, i, creator_name, path.parent)
                validate.flow_record(rec)  # int64, finite, text, host (harness.analysis.validate)
                ws = [validate.ws_message(m) for m in ws]
            except RECORD_ERRORS as exc:
                src.skip(f"{path.name}: HAR entry {i + FIRST_ENTRY} skipped: {one_line(str(exc) or type(exc).__name__, 160)}")
                continue
            for side in ("request", "response"):
                if problem := rec.extra.get(f"{side}_body_file_problem"):
                    src.mark_incomplete(f"{path.name}: HAR entry {i + FIRST_ENTRY}: {problem}; analysed without that {side} body")
            ws_buffer.extend(ws)
            yield rec
        if entries and src.skipped and src.skipped + src.meta.get("non_network_entries", 0) == len(entries):
            raise AnalysisError(f"{path}: none of its {len(entries)} HAR entries could be read ({src.problems[0]})",
                                fix="pass a HAR 1.2 file whose entries have request, response and startedDateTime")

    def messages() -> Iterator[WsMessage]:
        while ws_buffer:
            yield ws_buffer.popleft()

    src.flows = flows()
    src.ws_messages = messages()
    return src
