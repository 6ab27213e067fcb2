"""A load generator that saturates an HTTP proxy on loopback: ``curl --parallel`` processes.

Python clients (httpx in threads) top out around 165 requests/s on this machine, below what
mitmproxy handles, so a proxy's flows/s said nothing (issue 17). This module uses curl, which is
native, speaks HTTPS through an HTTP proxy (``CONNECT``) and keeps connections alive:

* :class:`Upstream` — a minimal HTTPS/1.1 keep-alive server (asyncio, a fixed 512-byte body) in
  ``workers`` processes sharing one port (``SO_REUSEPORT``), so the server is not the limit either;
* :func:`curl_load` — ``procs`` curl processes, each with ``--parallel --parallel-max PARALLEL``
  keep-alive connections and a URL glob of requests, stopped after ``seconds``. Each finished
  transfer prints its status code on stderr (``--write-out``, unbuffered); the lines are counted as they arrive, so a
  window can start after a warm-up and be read together with the proxy's CPU time.

Run it directly (``python benchmarks/loadgen.py``) for the generator's own direct rate (no proxy).
Everything listens on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BODY = b"x" * 512
_RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
             b"Content-Length: %d\r\n\r\n" % len(BODY)) + BODY


# -- upstream ---------------------------------------------------------------------------------------

class _KeepAlive(asyncio.Protocol):
    """Answers every request head (``\\r\\n\\r\\n``) with the fixed response; requests have no body."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        n = self.buf.count(b"\r\n\r\n")
        if n:
            self.buf = self.buf[self.buf.rfind(b"\r\n\r\n") + 4:]
            self.transport.write(_RESPONSE * n)  # type: ignore[attr-defined]


def serve(port: int, cert: str, key: str) -> None:
    """Serve HTTPS on 127.0.0.1:``port`` until SIGTERM (one worker; others share the port)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(_KeepAlive, "127.0.0.1", port, ssl=ctx, reuse_port=True, backlog=512)
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        async with server:
            await stop.wait()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Return once something accepts on 127.0.0.1:``port``; RuntimeError if ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


def stop(proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


class Upstream:
    """The HTTPS server: ``workers`` processes on one port, a certificate for 127.0.0.1 and
    localhost signed by a fresh CA (``ca_pem``, what a proxy verifies upstream against)."""

    def __init__(self, folder: Path, workers: int = 2) -> None:
        from harness.testing.pki import make_ca, make_leaf

        world = make_ca("Bench World CA")
        leaf = make_leaf(world, ["127.0.0.1", "localhost"])
        self.ca_pem = folder / "world.pem"
        world.write(self.ca_pem, folder / "world-key.pem")
        leaf.write(folder / "leaf.pem", folder / "leaf-key.pem")
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}/"
        self.procs = [subprocess.Popen([sys.executable, __file__, "--serve", str(self.port),
                                        str(folder / "leaf.pem"), str(folder / "leaf-key.pem")])
                      for _ in range(workers)]
        wait_listening(self.port, self.procs[0])

    def close(self) -> None:
        for p in self.procs:
            stop(p)

    def __enter__(self) -> Upstream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


# -- load -------------------------------------------------------------------------------------------

@dataclass
class LoadResult:
    """One load window: ``flows`` successful responses in ``seconds`` (wall clock), ``errors``
    non-200 transfers; ``cpu`` is what ``on_window`` returned at the window's end minus its start."""

    flows: int
    errors: int
    seconds: float
    cpu: float | None = None

    @property
    def rate(self) -> float:
        """Flows per second (wall clock)."""
        return self.flows / self.seconds if self.seconds > 0 else 0.0


def curl_load(url: str, ca: str, *, proxy: str | None = None, seconds: float = 5.0, warmup: float = 1.0,
              procs: int = 2, parallel: int = 8, cpu: Callable[[], float] | None = None) -> LoadResult:
    """Run ``procs`` curl processes (``parallel`` keep-alive connections each) against ``url``
    through ``proxy`` (``http://host:port``; None: direct) for ``warmup`` + ``seconds``.

    Only the last ``seconds`` count: connections and TLS handshakes happen in the warm-up.
    ``cpu()`` (e.g. the proxy's CPU-seconds so far) is read at the window's start and end.
    Raises RuntimeError if curl is missing or nothing succeeded.
    """
    curl = shutil.which("curl")
    if curl is None:
        raise RuntimeError("curl not on PATH (apt-get install curl)")
    cmd = [curl, "--silent", "--no-progress-meter", "--http1.1", "--parallel", "--parallel-max", str(parallel),
           "--cacert", ca, "--output", "/dev/null", "--write-out", "%{stderr}%{http_code}\\n",
           f"{url}?[1-100000000]"]
    if proxy:
        cmd[1:1] = ["--proxy", proxy]
    counts = [0] * procs
    errors = [0] * procs
    workers = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, bufsize=0)
               for _ in range(procs)]

    def reader(i: int, proc: subprocess.Popen) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith(b"200"):
                counts[i] += 1
            else:
                errors[i] += 1

    threads = [threading.Thread(target=reader, args=(i, p), daemon=True) for i, p in enumerate(workers)]
    for t in threads:
        t.start()
    try:
        time.sleep(warmup)
        n0, e0, c0, t0 = sum(counts), sum(errors), cpu() if cpu else None, time.monotonic()
        time.sleep(seconds)
        n1, e1, c1, t1 = sum(counts), sum(errors), cpu() if cpu else None, time.monotonic()
    finally:
        for p in workers:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in workers:
            stop(p, 10)
        for t in threads:
            t.join(10)
    if n1 - n0 <= 0:
        raise RuntimeError(f"no successful transfer through {proxy or 'no proxy'} in {seconds} s")
    return LoadResult(flows=n1 - n0, errors=e1 - e0, seconds=t1 - t0,
                      cpu=(c1 - c0) if c0 is not None and c1 is not None else None)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=5.0, help="measured window (after a 1 s warm-up)")
    ap.add_argument("--procs", type=int, default=2, help="curl processes")
    ap.add_argument("--parallel", type=int, default=8, help="keep-alive connections per curl process")
    ap.add_argument("--serve", nargs=3, metavar=("PORT", "CERT", "KEY"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(int(args.serve[0]), args.serve[1], args.serve[2])
        return 0
    with tempfile.TemporaryDirectory(prefix="harness-loadgen-") as tmp, Upstream(Path(tmp)) as up:
        r = curl_load(up.url, str(up.ca_pem), seconds=args.seconds, procs=args.procs, parallel=args.parallel)
    print(f"direct (no proxy): {r.rate:.0f} requests/s ({r.flows} in {r.seconds:.1f} s, {r.errors} errors)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
