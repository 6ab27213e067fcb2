"""Synthetic traffic for tests and benchmarks: mitmproxy flows built from parts, an ordinary-traffic
corpus, and encoders that plant a value in a given encoding chain.

Everything here makes real ``mitmproxy.http.HTTPFlow`` objects and writes them with mitmproxy's
own ``FlowWriter``, so the flow files are what mitmdump writes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import random
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import brotli
import zstandard
from mitmproxy import connection, http
from mitmproxy.io import FlowWriter

from harness.analysis.synthetic_containers import CONTAINER_ENCODERS
from harness.fsutil import private_file

try:
    import blackboxprotobuf
except ImportError:  # pragma: no cover
    blackboxprotobuf = None  # type: ignore[assignment]


def _headers(items: Iterable[tuple[str, str]]) -> http.Headers:
    return http.Headers([(k.encode(), v.encode()) for k, v in items])


def _set_raw(msg: http.Message, body: bytes) -> None:
    """Set the body as it is on the wire (already content-encoded), as the proxy records it."""
    msg.raw_content = body
    if body or "content-length" in msg.headers:
        msg.headers["content-length"] = str(len(body))


def make_flow(
    url: str,
    *,
    method: str = "GET",
    request_headers: Iterable[tuple[str, str]] = (),
    request_body: bytes = b"",
    status: int | None = 200,
    response_headers: Iterable[tuple[str, str]] = (("content-type", "application/json"),),
    response_body: bytes = b"{}",
    server_ip: str = "127.0.0.1",
    step_id: str | None = None,
    timestamp: float = 1_700_000_000.0,
    error: str | None = None,
) -> http.HTTPFlow:
    """One HTTP flow as mitmproxy records it (server ``peername`` = the address really connected to)."""
    req = http.Request.make(method, url, b"", _headers(request_headers))
    _set_raw(req, request_body)
    req.timestamp_start = timestamp
    req.timestamp_end = timestamp + 0.01
    port = req.port
    client = connection.Client(peername=("127.0.0.1", 40000), sockname=("127.0.0.1", 8080), timestamp_start=timestamp)
    server = connection.Server(address=(req.host, port))
    server.peername = (server_ip, port)
    server.timestamp_start = timestamp
    if req.scheme == "https":
        client.sni = req.host
        client.tls_version = "TLSv1.3"
    f = http.HTTPFlow(client, server)
    f.request = req
    if status is not None:
        f.response = http.Response.make(status, b"", _headers(response_headers))
        _set_raw(f.response, response_body)
        f.response.timestamp_start = timestamp + 0.02
        f.response.timestamp_end = timestamp + 0.03
    if error:
        from mitmproxy.flow import Error

        f.error = Error(error, timestamp + 0.02)
    if step_id:
        f.metadata["harness.step_id"] = step_id
    return f


def write_flows(path: str | Path, flows: Iterable[http.HTTPFlow]) -> int:
    p = private_file(path)
    n = 0
    with p.open("wb") as fh:
        w = FlowWriter(fh)
        for f in flows:
            w.add(f)
            n += 1
    return n


# ------------------------------------------------------------------ planting a value

def _proto(value: bytes) -> bytes:
    assert blackboxprotobuf is not None
    return blackboxprotobuf.encode_message({"1": 7, "2": value, "3": {"1": b"x"}},
                                           {"1": {"type": "int"}, "2": {"type": "bytes"},
                                            "3": {"type": "message", "message_typedef": {"1": {"type": "bytes"}}}})


#: name -> (value -> request body bytes, extra request headers)
BODY_ENCODERS: dict[str, Callable[[str], tuple[bytes, list[tuple[str, str]]]]] = {
    "plain": lambda v: (f"id={v}&x=1".encode(), []),
    "upper": lambda v: (f"ID:{v.upper()}".encode(), []),
    "lower": lambda v: (f"id:{v.lower()}".encode(), []),
    "form": lambda v: (f"a=1&id={quote_plus(v)}".encode(), [("content-type", "application/x-www-form-urlencoded")]),
    "json": lambda v: (json.dumps({"device": {"id": v}}).encode(), [("content-type", "application/json")]),
    "base64": lambda v: (json.dumps({"d": base64.b64encode(f"k={v};".encode()).decode()}).encode(), []),
    "base64url": lambda v: (base64.urlsafe_b64encode(b"\xfb\xff" + v.encode() + b"\xfe").rstrip(b"="), []),
    "base64_nested": lambda v: (base64.b64encode(base64.b64encode(json.dumps({"id": v}).encode())), []),
    "hex": lambda v: (f"payload={('id=' + v).encode().hex()}".encode(), []),
    "gzip": lambda v: (gzip.compress(json.dumps({"id": v}).encode()), [("content-encoding", "gzip")]),
    "deflate": lambda v: (zlib.compress(f"id={v}".encode()), [("content-encoding", "deflate")]),
    "brotli": lambda v: (brotli.compress(f"id={v}".encode()), [("content-encoding", "br")]),
    "zstd": lambda v: (zstandard.ZstdCompressor().compress(f"id={v}".encode()), [("content-encoding", "zstd")]),
    "gzip_base64_json": lambda v: (json.dumps({"blob": base64.b64encode(gzip.compress(
        json.dumps({"aid": v}).encode())).decode()}).encode(), [("content-type", "application/json")]),
    "protobuf": lambda v: (_proto(v.encode()), [("content-type", "application/x-protobuf")]),
    "base64_protobuf": lambda v: (base64.b64encode(_proto(v.encode())), []),
    "md5": lambda v: (f"h={hashlib.md5(v.encode()).hexdigest()}".encode(), []),
    "sha1": lambda v: (f"h={hashlib.sha1(v.encode()).hexdigest().upper()}".encode(), []),
    "sha256": lambda v: (json.dumps({"h": hashlib.sha256(v.encode()).hexdigest()}).encode(), []),
    "url_encoded_json": lambda v: (quote(json.dumps({"id": v})).encode(), []),
    **CONTAINER_ENCODERS,
}


def planted_flow(value: str, encoding: str, host: str = "collector.example.test", server_ip: str = "127.0.0.1",
                 step_id: str | None = None) -> http.HTTPFlow:
    """A flow carrying ``value`` in the named encoding (a body encoder, ``query``, ``header`` or ``cookie``)."""
    url = f"https://{host}/v1/collect"
    headers: list[tuple[str, str]] = [("user-agent", "okhttp/3.13.0")]
    body = b""
    if encoding == "query":
        url += f"?did={quote_plus(value)}&t=1"
    elif encoding == "header":
        headers.append(("x-device-id", value))
    elif encoding == "cookie":
        headers.append(("cookie", f"session=abc; did={quote(value)}"))
    else:
        body, extra = BODY_ENCODERS[encoding](value)
        headers += extra
    return make_flow(url, method="POST" if body else "GET", request_headers=headers, request_body=body,
                     server_ip=server_ip, step_id=step_id)


PLANT_ENCODINGS = ["query", "header", "cookie", *BODY_ENCODERS]


# ------------------------------------------------------------------ ordinary traffic

_WORDS = ("weather news sports music video search result account settings update profile message photo "
          "comment share follow download install version channel region language theme market").split()
_HOSTS = [("api.weather.example", "93.184.216.34"), ("cdn.static.example", "151.101.1.69"),
          ("www.news.example", "185.199.108.153"), ("push.vendor.example", "203.116.1.10"),
          ("tracker.ads.example", "104.16.0.1"), ("search.eu.example", "195.22.0.5")]


def _json_doc(rng: random.Random, size: int) -> bytes:
    items = []
    n = 0
    while n < size:
        item = {"id": rng.randint(1, 10**9), "title": " ".join(rng.choices(_WORDS, k=rng.randint(2, 6))),
                "ts": 1_700_000_000 + rng.randint(0, 10**6), "tag": rng.choice(_WORDS),
                "token": base64.b64encode(rng.randbytes(18)).decode(), "uuid": str(uuid.UUID(int=rng.getrandbits(128)))}
        items.append(item)
        n += 150
    return json.dumps({"code": 0, "data": items}).encode()


def _html(rng: random.Random, size: int) -> bytes:
    title = " ".join(rng.choices(_WORDS, k=4)).title()
    paras = "".join(f"<p>{' '.join(rng.choices(_WORDS, k=12))}</p>" for _ in range(max(1, size // 80)))
    return f"<html><head><title>{title}</title></head><body>{paras}</body></html>".encode()


_USER_AGENTS = ("Dalvik/2.1.0 (Linux; U; Android 11; M2007J3SG Build/RKQ1.200826.002)", "okhttp/4.9.3",
                "Mozilla/5.0 (Linux; Android 11; M2007J3SG) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/118.0.5993.111 Mobile Safari/537.36")
#: a client's session (cookie, bearer token) with a host is renewed every this many flows
SESSION_FLOWS = 500


class _Client:
    """Request headers as an Android app's HTTP clients send them: per host a fixed user agent and
    a session (cookie, bearer token) renewed every :data:`SESSION_FLOWS` flows; per flow a request
    id and a client timestamp. So header values repeat the way they do in a capture, and header
    blocks do not (issue 17)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed * 7919 + 1)  # its own generator: the bodies stay as they were
        self.sessions: dict[str, tuple[int, list[tuple[str, str]]]] = {}

    def headers(self, host: str, i: int, ts: float, accept: str, auth: bool = True) -> list[tuple[str, str]]:
        rng = self.rng
        born, session = self.sessions.get(host, (-SESSION_FLOWS, []))
        if i - born >= SESSION_FLOWS:
            session = [("cookie", f"sid={rng.randbytes(16).hex()}; _ga=GA1.2.{rng.getrandbits(31)}."
                                  f"{int(ts)}; consent=1"),
                       ("authorization", "Bearer " + base64.urlsafe_b64encode(rng.randbytes(33)).decode())]
            self.sessions[host] = (i, session)
        agent = _USER_AGENTS[2 if host.startswith("www.") else len(host) % 2]
        return [("host", host), ("user-agent", agent), ("accept", accept), ("accept-encoding", "gzip, deflate, br"),
                ("accept-language", "en-US,en;q=0.9"),
                ("x-request-id", str(uuid.UUID(int=rng.getrandbits(128), version=4))),
                ("x-client-time", str(int(ts * 1000))), *(session if auth else session[:1])]


def ordinary_flows(n: int, seed: int = 1, base_ts: float = 1_700_000_000.0) -> Iterator[http.HTTPFlow]:
    """Realistic ordinary traffic: JSON APIs (plain, gzip, br, zstd), HTML, images, analytics posts
    with random tokens, protobuf, form posts; request headers of an app's HTTP client (``_Client``).
    No known value appears in it."""
    rng = random.Random(seed)
    client = _Client(seed)
    for i in range(n):
        host, ip = rng.choice(_HOSTS)
        kind = rng.random()
        ts = base_ts + i * 0.01
        step = f"step-{i // 1000}"
        if kind < 0.35:
            body = _json_doc(rng, rng.choice([200, 800, 2000, 6000]))
            enc = rng.choice(["", "gzip", "br", "zstd"])
            if enc == "gzip":
                body = gzip.compress(body, 1)
            elif enc == "br":
                body = brotli.compress(body, quality=1)
            elif enc == "zstd":
                body = zstandard.ZstdCompressor(level=1).compress(body)
            hdrs = [("content-type", "application/json")] + ([("content-encoding", enc)] if enc else [])
            yield make_flow(f"https://{host}/api/v2/{rng.choice(_WORDS)}?page={rng.randint(1, 50)}",
                            request_headers=client.headers(host, i, ts, "application/json"), response_headers=hdrs, response_body=body, server_ip=ip, step_id=step, timestamp=ts)
        elif kind < 0.55:
            yield make_flow(f"https://{host}/{rng.choice(_WORDS)}.html", response_body=_html(rng, rng.randint(200, 5000)),
                            request_headers=client.headers(host, i, ts, "text/html,*/*;q=0.8"),
                            response_headers=[("content-type", "text/html; charset=utf-8")], server_ip=ip,
                            step_id=step, timestamp=ts)
        elif kind < 0.75:
            yield make_flow(f"https://{host}/img/{rng.getrandbits(40):x}.jpg",
                            request_headers=client.headers(host, i, ts, "image/webp,image/*", auth=False),
                            response_body=b"\xff\xd8\xff\xe0" + rng.randbytes(rng.choice([1000, 8000, 30000])),
                            response_headers=[("content-type", "image/jpeg")], server_ip=ip, step_id=step, timestamp=ts)
        elif kind < 0.9:
            ev = {"event": rng.choice(_WORDS), "session": base64.b64encode(rng.randbytes(24)).decode(),
                  "seq": i, "sig": rng.randbytes(20).hex(), "props": {"k": rng.choice(_WORDS)}}
            body = json.dumps(ev).encode()
            yield make_flow(f"https://{host}/track", method="POST", request_body=gzip.compress(body, 1),
                            request_headers=[*client.headers(host, i, ts, "*/*", auth=False),
                                             ("content-type", "application/json"), ("content-encoding", "gzip"),
                                             ("authorization", "Bearer " + base64.urlsafe_b64encode(rng.randbytes(30)).decode())],
                            response_body=b'{"ok":true}', server_ip=ip, step_id=step, timestamp=ts)
        elif kind < 0.95 and blackboxprotobuf is not None:
            body = blackboxprotobuf.encode_message({"1": rng.randint(1, 1000), "2": rng.choice(_WORDS).encode()},
                                                   {"1": {"type": "int"}, "2": {"type": "bytes"}})
            yield make_flow(f"https://{host}/rpc", method="POST", request_body=body,
                            request_headers=[*client.headers(host, i, ts, "application/x-protobuf"),
                                             ("content-type", "application/x-protobuf")],
                            response_body=body, server_ip=ip, step_id=step, timestamp=ts)
        else:
            body = f"q={quote_plus(' '.join(rng.choices(_WORDS, k=3)))}&lang=en&v={rng.randint(1, 99)}".encode()
            yield make_flow(f"https://{host}/search", method="POST", request_body=body,
                            request_headers=[*client.headers(host, i, ts, "text/html"),
                                             ("content-type", "application/x-www-form-urlencoded")],
                            response_body=_html(rng, 1500), response_headers=[("content-type", "text/html")],
                            server_ip=ip, step_id=step, timestamp=ts)


#: device facts used with the synthetic corpus (values never in ordinary_flows)
SAMPLE_FACTS = {
    "android_id": "9774d56d682e549c",
    "advertising_id": "38400000-8cf0-11bd-b23e-10b96e40000d",
    "imei": "490154203237518",
    "serial": "R58M41ABCDE",
    "phone_number": "+37060012345",
    "account_email": "lab.tester@example.org",
    "wifi_mac": "02:1A:3B:4C:5D:6E",
    "location": {"lat": 54.687157, "lon": 25.279652},
    "installed_apps": ["com.example.bank", "org.example.messenger", "com.example.dating"],
    "canaries": {"clipboard": "CANARY-CLIP-7f3a9b", "contact": {"name": "Canary Contact Zeta",
                                                              "phone": "+37069900011"},
                 "file": "canary-file-4c1d2e"},
    "model": "Mi 10T", "build": "MIUI Global 12.0.10",
}
