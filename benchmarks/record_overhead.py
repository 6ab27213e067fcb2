"""Recorder CPU cost (issue 17, targets 1 and 2): flows per proxy CPU-second of bare ``mitmdump``,
``mitmdump -w FILE`` and the harness recorder (``harness record``), side by side.

    python benchmarks/record_overhead.py [--reps 5] [--seconds 6] [--procs 2] [--parallel 8]
                                         [--rss-flows 100000] [--quick]

Load: :mod:`benchmarks.loadgen` (``curl --parallel`` processes, HTTPS through the proxy with
keep-alive, 512-byte responses from a multi-process asyncio upstream). Its direct rate (no proxy)
is printed beside the proxied rates: when it is several times higher, the proxy is the limit and
flows/s means something.

Cost: user + system CPU-seconds of the proxy process (all its threads, so the recorder's writer
threads count) over a measured window after a warm-up, read from ``/proc/PID/stat``; flows are
the 200 responses the clients received in that window. Repetitions interleave the configurations
(the order rotates each repetition) and the median counts, which evens out other load on a shared
machine; the spread (min–max) is printed too.

Targets (issue 17): recorder flows/CPU-s >= 0.95 x bare mitmdump and >= 1.10 x ``mitmdump -w``.
``run(quick)`` returns the figures as rows for ``benchmarks/run_all.py``. Loopback only; it stops
by itself. Not a test: it prints a table (exit 0 when every target is met, else 1).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen  # noqa: E402 - benchmarks/ is not a package

BARE, SAVE, RECORDER, HARNESS_PROXY = "mitmdump", "mitmdump -w", "harness record", "harness proxy only"
#: the configurations of one repetition; the last isolates the recorder's own cost
KINDS = (BARE, SAVE, RECORDER, HARNESS_PROXY)
TARGET_VS_BARE = 0.95
TARGET_VS_SAVE = 1.10
#: direct rate / best proxied rate at or above which the generator is not the limit
TARGET_HEADROOM = 2.0

_PROXY_ONLY = """
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


def cpu_seconds(pid: int) -> float:
    """user + system CPU-seconds of process ``pid`` (all threads) so far, from ``/proc/PID/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of process ``pid`` in MiB, from ``/proc/PID/status``."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def start_proxy(kind: str, port: int, tmp: Path, upstream_ca: str) -> subprocess.Popen:
    """Start configuration ``kind`` listening on 127.0.0.1:``port``, writing under ``tmp``."""
    confdir = tmp / "ca"
    out = tmp / f"out-{kind.replace(' ', '_')}-{time.monotonic_ns()}"
    mitmdump = shutil.which("mitmdump") or str(Path(sys.executable).with_name("mitmdump"))
    common = [mitmdump, "--listen-host", "127.0.0.1", "-p", str(port), "-q", "--set", f"confdir={confdir}",
              "--set", f"ssl_verify_upstream_trusted_ca={upstream_ca}"]
    if kind == BARE:
        cmd = common
    elif kind == SAVE:
        cmd = [*common, "-w", str(out)]
    elif kind == RECORDER:
        cmd = [sys.executable, "-m", "harness", "record", "--quiet", "--port", str(port),
               "--upstream-ca", upstream_ca, "--out", str(out)]
    elif kind == HARNESS_PROXY:
        cmd = [sys.executable, "-c", _PROXY_ONLY, str(port), str(confdir), upstream_ca]
    else:
        raise ValueError(kind)
    env = {**os.environ, "HARNESS_HOME": str(tmp)}
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def measure(kind: str, up: loadgen.Upstream, tmp: Path, ca: str, *, seconds: float, warmup: float,
            procs: int, parallel: int) -> loadgen.LoadResult:
    """One window of load through a fresh proxy of configuration ``kind``."""
    port = loadgen.free_port()
    proc = start_proxy(kind, port, tmp, str(up.ca_pem))
    try:
        loadgen.wait_listening(port, proc)
        return loadgen.curl_load(up.url, ca, proxy=f"http://127.0.0.1:{port}", seconds=seconds, warmup=warmup,
                                 procs=procs, parallel=parallel, cpu=lambda: cpu_seconds(proc.pid))
    finally:
        loadgen.stop(proc)


def _rows(results: dict[str, list[loadgen.LoadResult]], direct: list[float], *,
          judge: bool = True) -> list[dict[str, Any]]:
    eff = {k: statistics.median(r.flows / r.cpu for r in rs if r.cpu) for k, rs in results.items()}
    rate = {k: statistics.median(r.rate for r in rs) for k, rs in results.items()}
    rows: list[dict[str, Any]] = []
    for k in results:
        rows.append({"figure": f"{k}: flows per proxy CPU-second", "value": eff[k], "target": "",
                     "met": None, "unit": "flows/CPU-s"})
    for k in results:
        rows.append({"figure": f"{k}: flows/s", "value": rate[k], "target": "", "met": None, "unit": "flows/s"})
    d = statistics.median(direct)
    rows.append({"figure": "load generator direct (no proxy)", "value": d, "target": "", "met": None,
                 "unit": "requests/s"})
    headroom = d / max(rate.values())
    rows.append({"figure": "generator headroom: direct / best proxied rate", "value": headroom,
                 "target": f">= {TARGET_HEADROOM:.1f}", "met": headroom >= TARGET_HEADROOM if judge else None,
                 "unit": "x"})
    for other, target in ((BARE, TARGET_VS_BARE), (SAVE, TARGET_VS_SAVE)):
        ratio = eff[RECORDER] / eff[other]
        rows.append({"figure": f"recorder / {other} (flows per CPU-s)", "value": ratio,
                     "target": f">= {target:.2f}", "met": ratio >= target if judge else None, "unit": "x"})
    return rows


def run(quick: bool = False, *, reps: int = 5, seconds: float = 6.0, procs: int = 2, parallel: int = 8,
        verbose: bool = False) -> list[dict[str, Any]]:
    """Measure every configuration ``reps`` times (interleaved, rotating order) and return rows
    ``{"figure", "value", "target", "met", "unit"}`` (medians; ``met`` None for plain figures).

    ``quick``: one repetition of 1 s windows, so a smoke test sees it run; the numbers then mean
    little, so ``met`` is None on every row.
    Raises RuntimeError if curl or mitmdump is missing or a proxy passes no traffic.
    """
    if quick:
        reps, seconds, warmup = 1, 1.0, 0.5
    else:
        warmup = 1.5
    from harness.capture.proxy import ensure_ca

    results: dict[str, list[loadgen.LoadResult]] = {k: [] for k in KINDS}
    direct: list[float] = []
    with tempfile.TemporaryDirectory(prefix="harness-bench-") as name:
        tmp = Path(name)
        ca = str(ensure_ca(tmp / "ca").cert)
        with loadgen.Upstream(tmp) as up:
            for rep in range(reps):
                d = loadgen.curl_load(up.url, str(up.ca_pem), seconds=min(seconds, 2.0), warmup=0.5,
                                      procs=procs, parallel=parallel)
                direct.append(d.rate)
                if verbose:
                    print(f"  rep {rep + 1}: {'direct (no proxy)':<20}{d.rate:8.0f} requests/s", flush=True)
                order = KINDS[rep % len(KINDS):] + KINDS[:rep % len(KINDS)]
                for kind in order:
                    r = measure(kind, up, tmp, ca, seconds=seconds, warmup=warmup, procs=procs, parallel=parallel)
                    results[kind].append(r)
                    if verbose:
                        print(f"  rep {rep + 1}: {kind:<20}{r.rate:8.0f} flows/s {r.flows / (r.cpu or 1):8.0f} "
                              f"flows/CPU-s ({r.flows} flows, {r.cpu:.2f} CPU-s, {r.errors} errors)", flush=True)
    rows = _rows(results, direct, judge=not quick)
    if verbose:
        _print_table(results, direct)
    return rows


def _print_table(results: dict[str, list[loadgen.LoadResult]], direct: list[float]) -> None:
    bare = statistics.median(r.flows / r.cpu for r in results[BARE] if r.cpu)
    print()
    print(f"{'configuration':<22}{'flows/s':>9}{'flows/CPU-s':>13}{'(min-max)':>13}{'x bare':>8}{'CPU use':>9}")
    for kind, rs in results.items():
        eff = sorted(r.flows / r.cpu for r in rs if r.cpu)
        med = statistics.median(eff)
        use = statistics.median((r.cpu or 0) / r.seconds for r in rs)
        print(f"{kind:<22}{statistics.median(r.rate for r in rs):>9.0f}{med:>13.0f}"
              f"{f'{eff[0]:.0f}-{eff[-1]:.0f}':>13}{med / bare:>8.2f}{use:>8.2f}c")
    print(f"{'direct (no proxy)':<22}{statistics.median(direct):>9.0f}   (the load generator alone)")
    print("(medians of the repetitions; CPU use = proxy CPU-seconds per wall second, 1.00c = one core busy)")


def print_rows(rows: list[dict[str, Any]]) -> None:
    """The target rows: value, target, met / NOT met."""
    print()
    for r in rows:
        if r["target"]:
            verdict = {True: "met", False: "NOT met", None: "(not judged: quick run)"}[r["met"]]
            print(f"{r['figure']:<48}{r['value']:>7.2f} {r['unit']:<3} target {r['target']:<8} {verdict}")


def rss_run(flows: int, *, procs: int = 2, parallel: int = 8) -> None:
    """Record ``flows`` flows through ``harness record`` and print its RSS at 10 000 and at ``flows``."""
    from harness.capture.proxy import ensure_ca

    with tempfile.TemporaryDirectory(prefix="harness-bench-") as name:
        tmp = Path(name)
        ca = str(ensure_ca(tmp / "ca").cert)
        with loadgen.Upstream(tmp) as up:
            port = loadgen.free_port()
            proc = start_proxy(RECORDER, port, tmp, str(up.ca_pem))
            try:
                loadgen.wait_listening(port, proc)
                marks = sorted({min(10_000, flows), flows})
                print(f"\n{'flows recorded':<16}{'RSS MiB':>10}{'peak MiB':>10}")
                done = 0
                for m in marks:
                    while done < m:  # windows of load until the mark is passed
                        r = loadgen.curl_load(up.url, ca, proxy=f"http://127.0.0.1:{port}", seconds=2.0,
                                              warmup=0.0, procs=procs, parallel=parallel)
                        done += r.flows
                    rss, peak = rss_mb(proc.pid)
                    print(f"{done:<16}{rss:>10.1f}{peak:>10.1f}")
            finally:
                loadgen.stop(proc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5, help="repetitions per configuration (median counts)")
    ap.add_argument("--seconds", type=float, default=6.0, help="measured window per run (after a warm-up)")
    ap.add_argument("--procs", type=int, default=2, help="curl processes")
    ap.add_argument("--parallel", type=int, default=8, help="keep-alive connections per curl process")
    ap.add_argument("--rss-flows", type=int, default=0, help="also record this many flows and print RSS")
    ap.add_argument("--quick", action="store_true", help="one repetition of 1 s windows (smoke test)")
    args = ap.parse_args(argv)
    try:
        rows = run(args.quick, reps=args.reps, seconds=args.seconds, procs=args.procs, parallel=args.parallel,
                   verbose=True)
        print_rows(rows)
        if args.rss_flows:
            rss_run(args.rss_flows, procs=args.procs, parallel=args.parallel)
    except RuntimeError as exc:
        print(f"record_overhead: {exc}", file=sys.stderr)
        return 2
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
