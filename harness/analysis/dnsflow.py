"""DNS lookups in ``.mitm`` files: a mitmproxy ``DNSFlow`` state as a :class:`FlowRecord` of kind ``dns``.

mitmproxy 10/11 in ``dns``, ``wireguard``, ``transparent`` or ``local`` mode records each DNS
query (and its response) as a ``DNSFlow`` (state type ``dns``; ``mitmproxy/dns.py``). What a lab
needs from it: which names the phone looked up, what the answers were, and through which resolver
(a resolver abroad receives the phone's browsing history). The record (docs/analysis.md, "DNS
lookups"):

* ``server_ip``/``server_port``/``server_host``: the **resolver** the query went to (the flow's
  upstream server address; without one, mitmproxy answered itself from its own resolver, and the
  resolver is the proxy's DNS listener the client sent the query to, ``client_conn.sockname``).
  The resolver is the flow's destination (the ``destinations`` frame, geo, jurisdiction).
* ``host``: the first question's name; ``scheme`` ``dns``; ``method`` the opcode (``QUERY``);
  ``port`` the resolver's port; ``url`` the RFC 4501 DNS URI ``dns://RESOLVER/NAME?type=A``
  (searched for personal data like any request URL: an identifier in a label is found);
  ``reason`` the response code (``NOERROR``, ``NXDOMAIN``, ...) when there is a response;
  ``status_code`` stays null (DNS has none).
* ``extra.dns``: ``questions`` ``[{name, type, class}]``, ``answers``
  ``[{name, type, ttl, data}]`` (``data`` as mitmproxy shows it: an address for A/AAAA, a name for
  CNAME/NS/PTR, text for TXT, hex otherwise), ``response_code`` (null without a response),
  ``resolver`` (``"ip:port"``), ``answered_by_proxy`` (true when the flow has no upstream server)
  and ``transport`` (``udp``/``tcp``).
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import quote as url_quote

from mitmproxy.dns import ResourceRecord
from mitmproxy.net.dns import classes, op_codes, response_codes, types

from harness.analysis import validate
from harness.analysis.hosts import netloc
from harness.capture.records import FlowRecord

#: DNS's well-known port (RFC 1035): left out of the URI's authority
DNS_PORT = 53


def _address(raw: Any) -> tuple[str, int] | None:
    if not raw or not raw[0]:
        return None
    return str(raw[0]), int(raw[1] or 0) if len(raw) > 1 else 0


def _name_type_class(item: Any, where: str) -> tuple[str, int, int]:
    """The name, type and class every question and resource record has (RFC 1035 4.1.2, 4.1.3)."""
    if not isinstance(item, dict):
        raise validate.RecordError(f"{where} is {type(item).__name__}, not an object")
    return (validate.text(item.get("name"), f"{where}.name") or "",
            validate.integer(item.get("type"), f"{where}.type", 0, 65535) or 0,
            validate.integer(item.get("class_"), f"{where}.class", 0, 65535) or 0)


def _question(q: Any, where: str) -> dict[str, Any]:
    name, qtype, qclass = _name_type_class(q, where)
    return {"name": name, "type": types.to_str(qtype), "class": classes.to_str(qclass)}


def _answer(rr: Any, where: str) -> dict[str, Any]:
    name, rtype, rclass = _name_type_class(rr, where)
    ttl = validate.integer(rr.get("ttl"), f"{where}.ttl", 0, (1 << 32) - 1) or 0
    data = validate.blob(rr.get("data"), f"{where}.data") or b""
    shown = validate.text(str(ResourceRecord(name, rtype, rclass, ttl, data)), f"{where}.data")
    return {"name": name, "type": types.to_str(rtype), "ttl": ttl, "data": shown}


def _message(raw: Any, where: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise validate.RecordError(f"{where} is {type(raw).__name__}, not an object")
    return raw


def _list(raw: Any, where: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise validate.RecordError(f"{where} is {type(raw).__name__}, not a list")
    return list(raw)


def _host_or_none(name: str) -> str | None:
    """``name`` when it can be a record's host column (no spaces or URL delimiters), else None."""
    try:
        return validate.host(name.rstrip(".") or None, "question name")
    except validate.RecordError:
        return None


def fill_dns(rec: FlowRecord, state: dict[str, Any]) -> None:
    """Make ``rec`` (built from the connection fields of a ``dns`` flow ``state``) the ``dns``
    record described in this module's docstring. Raises :class:`validate.RecordError` for a
    question or answer that is not the shape mitmproxy writes."""
    req = _message(state.get("request"), "request") or {}
    resp = _message(state.get("response"), "response")
    server = state.get("server_conn") or {}
    client = state.get("client_conn") or {}
    upstream = _address(server.get("address")) or _address(server.get("peername"))
    resolver = upstream or _address(client.get("sockname"))
    questions = [_question(q, f"request.questions[{i}]") for i, q in enumerate(_list(req.get("questions"), "request.questions"))]
    answers = [_answer(a, f"response.answers[{i}]")
               for i, a in enumerate(_list((resp or {}).get("answers"), "response.answers"))]
    rcode = validate.integer(resp.get("response_code"), "response.response_code", 0, 65535) if resp else None
    opcode = validate.integer(req.get("op_code"), "request.op_code", 0, 15) or 0
    rec.kind = "dns"
    rec.scheme = "dns"
    rec.method = op_codes.to_str(opcode)
    rec.sni = rec.tls_version = rec.alpn = None  # a plain DNS message has no TLS of its own
    rec.server_host = rec.server_ip = None
    rec.server_port = rec.port = None
    if resolver is not None:
        host, port = resolver
        peer = _address(server.get("peername")) if upstream else None
        rec.server_host = host
        rec.server_ip = next((a for a in (peer and peer[0], host) if a and is_ip(a)), None)
        rec.server_port = rec.port = port or None
    name = questions[0]["name"] if questions else ""
    # the looked-up name is the host only where a resolver is known: the destination is the
    # resolver, never the name (destinations fall back to ``host`` without ``server_host``)
    rec.host = _host_or_none(name) if rec.server_host else None
    if rec.server_host and questions:
        authority = netloc(rec.server_host, None if rec.port in (None, DNS_PORT) else rec.port, "dns")
        rec.url = f"dns://{authority}/{url_quote(name, safe='.-_~')}?type={questions[0]['type']}"
    if resp is not None:
        rec.reason = response_codes.to_str(rcode or 0)
        ts = validate.finite(resp.get("timestamp"), "response.timestamp")
        if ts is not None:
            rec.ended_at = max(ts, rec.started_at)
    rec.extra["dns"] = {
        "questions": questions, "answers": answers,
        "response_code": rec.reason if resp is not None else None,
        "resolver": f"{netloc(resolver[0], None, 'dns')}:{resolver[1]}" if resolver else None,
        "answered_by_proxy": upstream is None,
        "transport": validate.text(server.get("transport_protocol") or client.get("transport_protocol"), "transport"),
    }


def is_ip(text: str) -> bool:
    """True when ``text`` is an IP address literal (an IPv6 zone allowed)."""
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True
