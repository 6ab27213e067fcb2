"""Loopback test servers: an HTTPS origin that echoes what it was sent."""

from __future__ import annotations

import json
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from harness.testing.pki import KeyPair, make_leaf


class _EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.command, self.path, body))  # type: ignore[attr-defined]
        out = json.dumps({"method": self.command, "path": self.path, "size": len(body)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = _reply
    do_POST = _reply

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@dataclass
class Origin:
    host: str
    port: int
    leaf: KeyPair
    server: ThreadingHTTPServer

    @property
    def seen(self) -> list[tuple[str, str, bytes]]:
        return self.server.seen  # type: ignore[attr-defined]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_origin(ca: KeyPair, workdir: Path, tls: bool = True) -> Origin:
    """An HTTP(S) echo server on 127.0.0.1 with a certificate for 127.0.0.1 signed by ``ca``."""
    leaf = make_leaf(ca, ["127.0.0.1", "localhost"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    server.daemon_threads = True
    server.seen = []  # type: ignore[attr-defined]
    if tls:
        leaf.write(workdir / "origin.pem", workdir / "origin.key")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(workdir / "origin.pem", workdir / "origin.key")
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, name="origin", daemon=True).start()
    return Origin("127.0.0.1", server.server_address[1], leaf, server)
