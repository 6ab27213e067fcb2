"""Real HTTPS test servers on loopback: HTTP/1.1, HTTP/2 and WebSocket (hypercorn + an ASGI app).

Each server has a certificate from a test "world" CA. A proxy under test trusts that CA upstream
(``ssl_verify_upstream_trusted_ca``); a client that trusts *only* that CA (see
:meth:`TestServer.pinned_client_context`) refuses the proxy's certificate, which is what a
certificate-pinning app does.

Endpoints of :func:`app`:

=====================  ==========================================================================
``GET /hello``         ``hello`` (text/plain)
``POST /echo``         the request body back, same content type
``GET /bytes/N``       N bytes of ``x`` (streamed in 1 MiB chunks, with Content-Length)
``GET /binary``        256 bytes 0x00..0xff (application/octet-stream)
``POST /upload``       reads the body, answers its size as text
``GET /json``          a small JSON document
``GET /page``          an HTML page: ``?preconnect=ORIGIN`` adds ``<link rel="preconnect">`` to ORIGIN
                       (a browser opens a connection there and may never use it), ``?fetch=N`` makes
                       the page fetch ``/json`` N times
``WS  /ws``            echoes every message (text stays text, bytes stay bytes)
=====================  ==========================================================================

Needs ``hypercorn`` (test extra).
"""

from __future__ import annotations

import asyncio
import html
import json
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from harness.testing.pki import KeyPair, make_ca, make_leaf

CHUNK = 1024 * 1024


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI application behind every test server."""
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "websocket":
        await _websocket(receive, send)
        return
    path, method = scope["path"], scope["method"]
    headers = dict(scope["headers"])
    body = bytearray()
    more = True
    while more:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            return
        body += msg.get("body", b"")
        more = msg.get("more_body", False)
        if path == "/upload" and len(body) > CHUNK:
            size = len(body)
            body = bytearray()
            body_size = size
            while more:
                msg = await receive()
                if msg["type"] == "http.disconnect":
                    return
                body_size += len(msg.get("body", b""))
                more = msg.get("more_body", False)
            await _reply(send, 200, str(body_size).encode())
            return
    if path == "/hello":
        await _reply(send, 200, b"hello")
    elif path == "/echo" and method == "POST":
        ctype = headers.get(b"content-type", b"application/octet-stream")
        await _reply(send, 200, bytes(body), ctype)
    elif path.startswith("/bytes/"):
        n = int(path.rsplit("/", 1)[1])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/octet-stream"),
                                (b"content-length", str(n).encode())]})
        sent = 0
        while sent < n:
            part = min(CHUNK, n - sent)
            sent += part
            await send({"type": "http.response.body", "body": b"x" * part, "more_body": sent < n})
        if n == 0:
            await send({"type": "http.response.body", "body": b""})
    elif path == "/binary":
        await _reply(send, 200, bytes(range(256)), b"application/octet-stream")
    elif path == "/upload":
        await _reply(send, 200, str(len(body)).encode())
    elif path == "/page":
        await _reply(send, 200, _page(scope), b"text/html; charset=utf-8")
    elif path == "/json":
        await _reply(send, 200, json.dumps({"terms": ["Free Tibet", "Long live Taiwan independence"]}).encode(),
                     b"application/json")
    else:
        await _reply(send, 404, b"not found")


def _page(scope: dict[str, Any]) -> bytes:
    query = parse_qs(scope.get("query_string", b"").decode("ascii", "replace"))
    head = "".join(f'<link rel="preconnect" href="{html.escape(o)}">' for o in query.get("preconnect", []))
    n = min(int(query.get("fetch", ["0"])[0] or 0), 100)
    script = (f"<script>Promise.all(Array.from({{length: {n}}}, () => fetch('/json').then(r => r.text())))"
              ".then(() => { document.title = 'done'; });</script>") if n else ""
    return f"<!doctype html><html><head><title>page</title>{head}</head><body>page{script}</body></html>".encode()


async def _reply(send: Any, status: int, body: bytes, ctype: bytes = b"text/plain") -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _websocket(receive: Any, send: Any) -> None:
    msg = await receive()
    if msg["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    while True:
        msg = await receive()
        if msg["type"] == "websocket.disconnect":
            return
        if msg.get("text") is not None:
            await send({"type": "websocket.send", "text": msg["text"]})
        else:
            await send({"type": "websocket.send", "bytes": msg.get("bytes") or b""})


def _quiet_cancel(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Connections cancelled at shutdown are expected; report anything else."""
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


@dataclass
class TestPKI:
    """A world CA and one leaf for ``localhost``, ``127.0.0.1`` and ``*.world.test`` (plus ``pinned.test``,
    ``collector.test``; OpenSSL refuses a bare ``*.test`` wildcard), written to ``folder``."""

    folder: Path
    ca: KeyPair = field(default_factory=lambda: make_ca("Harness Test World CA"))
    names: tuple[str, ...] = ("localhost", "127.0.0.1", "*.world.test", "pinned.test", "collector.test")

    def __post_init__(self) -> None:
        self.leaf = make_leaf(self.ca, list(self.names))
        self.ca_cert = self.folder / "world-ca.pem"
        self.cert = self.folder / "server-cert.pem"
        self.key = self.folder / "server-key.pem"
        self.ca.write(self.ca_cert, self.folder / "world-ca-key.pem")
        self.leaf.write(self.cert, self.key)


class TestServer:
    """A hypercorn HTTPS server on ``host`` with a free port, in its own thread and event loop."""

    __test__ = False  # not a pytest test class

    def __init__(self, pki: TestPKI, *, host: str = "127.0.0.1", http2: bool = True) -> None:
        if not host.startswith("127.") and host != "localhost":
            raise ValueError("test servers listen on loopback only")
        self.pki = pki
        self.host = host
        self.http2 = http2
        self.port = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"{self.origin}{path}"

    def ws_url(self, path: str = "/ws") -> str:
        return f"wss://{self.host}:{self.port}{path}"

    def start(self, timeout: float = 15.0) -> TestServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(128)
        sock.set_inheritable(True)
        self.port = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._run, args=(sock,), name=f"testserver-{self.port}",
                                        daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"test server on {self.host}:{self.port} did not start")
        if self._error is not None:
            raise RuntimeError(f"test server failed: {self._error}") from self._error
        return self

    def _run(self, sock: socket.socket) -> None:
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        config = Config()
        config.bind = [f"fd://{sock.fileno()}"]
        config.certfile = str(self.pki.cert)
        config.keyfile = str(self.pki.key)
        config.alpn_protocols = ["h2", "http/1.1"] if self.http2 else ["http/1.1"]
        config.accesslog = None
        config.errorlog = None
        config.keep_alive_timeout = 30
        config.graceful_timeout = 1

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._loop.set_exception_handler(_quiet_cancel)
            self._stop = asyncio.Event()
            self._loop.call_later(0.05, self._ready.set)
            await serve(app, config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            self._ready.set()
        finally:
            try:
                sock.close()
            except OSError:  # hypercorn already closed the descriptor
                pass

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stop is not None and self._thread and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def client_context(self) -> ssl.SSLContext:
        """A client context trusting the world CA (for direct, unproxied requests)."""
        return ssl.create_default_context(cafile=str(self.pki.ca_cert))

    def pinned_client_context(self) -> ssl.SSLContext:
        """A client that trusts only this server's CA: through the proxy its handshake fails."""
        return self.client_context()

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def start_servers(folder: Path | None = None) -> tuple[TestPKI, TestServer, TestServer]:
    """A PKI plus an HTTP/1.1-only and an HTTP/2-capable server (caller stops them)."""
    pki = TestPKI(Path(folder or tempfile.mkdtemp(prefix="harness-pki-")))
    h1 = TestServer(pki, http2=False).start()
    h2 = TestServer(pki, http2=True).start()
    return pki, h1, h2
