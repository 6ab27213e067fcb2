"""Recording overhead on loopback: flows/s of (a) bare mitmdump, (b) mitmdump -w, (c) the harness
recorder (``harness record``), with several concurrent keep-alive HTTPS clients; then the
recorder's RSS while recording many flows (it must stay flat: flows are streamed to disk).

    python benchmarks/record_overhead.py [--seconds 8] [--clients 8] [--rounds 3] [--flows 100000]

Throughput is reported twice: flows/s (wall clock) and flows per CPU-second of the proxy process
(all its threads, so the recorder's writer threads count too). Rounds interleave the
configurations and the best round of each counts, which evens out other load on the machine.

Everything listens on 127.0.0.1 and stops by itself. Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import http.server
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
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


# -- upstream: stdlib HTTPS server with keep-alive, in its own process ------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    body = b"x" * 512

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def serve_upstream(port: int, cert: str, key: str) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server.serve_forever()


# -- helpers ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def cpu_seconds(pid: int) -> float:
    """user + system CPU time of a process so far (robust against other load on the machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) in MiB of a process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        fields[k] = v.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Load:
    """``clients`` threads, each a keep-alive httpx client through the proxy, GETting in a loop."""

    def __init__(self, proxy_port: int, url: str, ca: str, clients: int) -> None:
        self.proxy = f"http://127.0.0.1:{proxy_port}"
        self.url, self.ca, self.clients = url, ca, clients
        self.count = 0
        self.errors = 0
        self._lock = threading.Lock()

    def run(self, *, seconds: float | None = None, flows: int | None = None,
            on_progress: object = None) -> float:
        stop_at = time.monotonic() + seconds if seconds else None
        done = threading.Event()

        def worker() -> None:
            with httpx.Client(proxy=self.proxy, verify=self.ca, timeout=30) as client:
                client.get(self.url)  # warm: CONNECT + TLS once per client
                while not done.is_set():
                    try:
                        client.get(self.url)
                    except httpx.HTTPError:
                        with self._lock:
                            self.errors += 1
                        continue
                    with self._lock:
                        self.count += 1
                        if (flows and self.count >= flows) or (stop_at and time.monotonic() >= stop_at):
                            done.set()

        threads = [threading.Thread(target=worker, daemon=True) for _ in range(self.clients)]
        start = time.monotonic()
        for t in threads:
            t.start()
        while not done.wait(0.2):
            if on_progress is not None:
                on_progress(self.count)  # type: ignore[operator]
            if stop_at and time.monotonic() > stop_at + 60:
                done.set()
        for t in threads:
            t.join(60)
        return self.count / (time.monotonic() - start)


# -- the three configurations ---------------------------------------------------------------------

_BARE_HARNESS = """
import signal, sys, threading
from harness.capture.proxy import ProxyRunner
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
runner = ProxyRunner(port=int(sys.argv[1]), confdir=sys.argv[2],
                     options={"ssl_verify_upstream_trusted_ca": sys.argv[3]})
runner.start()
stop.wait()
runner.stop()
"""

KINDS = ("mitmdump", "mitmdump -w", "harness recorder", "harness proxy")


def start_proxy(kind: str, port: int, tmp: Path, upstream_ca: str) -> subprocess.Popen:
    confdir = tmp / "ca"
    common = ["--listen-host", "127.0.0.1", "-p", str(port), "-q", "--set", f"confdir={confdir}",
              "--set", f"ssl_verify_upstream_trusted_ca={upstream_ca}"]
    out = tmp / f"out-{kind}-{time.monotonic_ns()}"
    if kind == "harness proxy":  # ProxyRunner without the recorder: isolates the recorder's cost
        cmd = [sys.executable, "-c", _BARE_HARNESS, str(port), str(confdir), upstream_ca]
    elif kind == "mitmdump":
        cmd = ["mitmdump", *common]
    elif kind == "mitmdump -w":
        cmd = ["mitmdump", *common, "-w", str(out)]
    else:
        cmd = [sys.executable, "-m", "harness", "record", "--quiet", "--port", str(port),
               "--upstream-ca", upstream_ca, "--out", str(out)]
    env = {**os.environ, "HARNESS_HOME": str(tmp)}
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def _summary(rates: dict[str, float], per_cpu: dict[str, float]) -> None:
    """The throughput table and which targets are met."""
    a, b, c = rates["mitmdump"], rates["mitmdump -w"], rates["harness recorder"]
    ea, eb, ec = per_cpu["mitmdump"], per_cpu["mitmdump -w"], per_cpu["harness recorder"]
    print()
    print(f"{'configuration':<20}{'flows/s':>10}{'flows/CPU-s':>14}")
    print(f"{'(a) mitmdump':<20}{a:>10.0f}{ea:>14.0f}")
    print(f"{'(b) mitmdump -w':<20}{b:>10.0f}{eb:>14.0f}")
    print(f"{'(c) harness record':<20}{c:>10.0f}{ec:>14.0f}")
    print(f"{'(d) harness, no rec.':<20}{rates['harness proxy']:>10.0f}{per_cpu['harness proxy']:>14.0f}")
    print()
    print("targets: (c) records at >= 0.90 of bare mitmdump (c/a) and at least as fast as mitmdump -w (c/b)")
    for label, ratio_a, ratio_b in (("flows/s", c / a, c / b), ("flows/CPU-s", ec / ea, ec / eb)):
        print(f"{label + ':':<13} c/a = {ratio_a:.2f} ({_verdict(ratio_a, 0.90)})   "
              f"c/b = {ratio_b:.2f} ({_verdict(ratio_b, 1.0)})")
    print("(flows/CPU-s counts the proxy process's CPU time, all threads: robust when the machine is "
          "shared; flows/s also depends on the load generator and other load)")


def _verdict(ratio: float, target: float) -> str:
    return f"target >= {target:.2f}: {'met' if ratio >= target else 'NOT met'}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=8.0, help="duration of each throughput run")
    ap.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients")
    ap.add_argument("--rounds", type=int, default=3,
                    help="throughput runs per configuration (best counts; 0 skips the throughput part)")
    ap.add_argument("--flows", type=int, default=100_000, help="flows for the RSS run (0 skips it)")
    ap.add_argument("--serve-upstream", nargs=3, metavar=("PORT", "CERT", "KEY"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve_upstream:
        port, cert, key = args.serve_upstream
        serve_upstream(int(port), cert, key)
        return 0
    if shutil.which("mitmdump") is None:
        print("mitmdump not on PATH", file=sys.stderr)
        return 2

    from harness.capture.proxy import ensure_ca
    from harness.testing.pki import make_ca, make_leaf

    tmp = Path(tempfile.mkdtemp(prefix="harness-bench-"))
    world = make_ca("Bench World CA")
    leaf = make_leaf(world, ["127.0.0.1", "localhost"])
    world.write(tmp / "world.pem", tmp / "world-key.pem")
    leaf.write(tmp / "leaf.pem", tmp / "leaf-key.pem")
    ca = ensure_ca(tmp / "ca")
    up_port = free_port()
    upstream = subprocess.Popen([sys.executable, __file__, "--serve-upstream", str(up_port),
                                 str(tmp / "leaf.pem"), str(tmp / "leaf-key.pem")])
    procs: list[subprocess.Popen] = [upstream]
    try:
        wait_listening(up_port, upstream)
        url = f"https://127.0.0.1:{up_port}/"
        rates: dict[str, float] = {}
        per_cpu: dict[str, float] = {}
        for _round in range(args.rounds):
            for kind in KINDS:
                port = free_port()
                proc = start_proxy(kind, port, tmp, str(tmp / "world.pem"))
                procs.append(proc)
                wait_listening(port, proc)
                load = Load(port, url, str(ca.cert), args.clients)
                cpu0 = cpu_seconds(proc.pid)
                rate = load.run(seconds=args.seconds)
                cpu = cpu_seconds(proc.pid) - cpu0
                stop(proc)
                rates[kind] = max(rates.get(kind, 0.0), rate)
                eff = load.count / cpu if cpu > 0 else 0.0
                per_cpu[kind] = max(per_cpu.get(kind, 0.0), eff)
                print(f"  round {_round + 1}: {kind:<17} {rate:8.0f} flows/s {eff:8.0f} flows/CPU-s "
                      f"({load.count} flows, {load.errors} errors)", flush=True)
        if rates:
            _summary(rates, per_cpu)

        if args.flows:
            port = free_port()
            proc = start_proxy("harness recorder", port, tmp, str(tmp / "world.pem"))
            procs.append(proc)
            wait_listening(port, proc)
            marks = sorted({min(10_000, args.flows), args.flows})
            samples: dict[int, tuple[float, float]] = {}

            def progress(n: int) -> None:
                for m in marks:
                    if n >= m and m not in samples:
                        samples[m] = rss_mb(proc.pid)

            load = Load(port, url, str(ca.cert), args.clients)
            load.run(flows=args.flows, on_progress=progress)
            samples[args.flows] = rss_mb(proc.pid)
            stop(proc)
            print()
            print(f"{'flows recorded':<16}{'RSS MiB':>10}{'peak MiB':>10}")
            for m in marks:
                rss, peak = samples.get(m, (float('nan'), float('nan')))
                print(f"{m:<16}{rss:>10.1f}{peak:>10.1f}")
    finally:
        for p in reversed(procs):
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
