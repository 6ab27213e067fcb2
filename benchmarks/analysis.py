"""Streaming analysis benchmark (issue 17, target 3): N realistic flows (mixed sizes and encodings,
1 % carrying PII) analysed from a ``.mitm`` file and from a run directory holding the same flows,
each against mitmproxy's ``FlowReader`` reading them; peak RSS at two sizes (it must stay flat).

    python benchmarks/analysis.py                      # 10 000 and 100 000 flows, 3 rounds
    python benchmarks/analysis.py --flows 5000 --rounds 1
    python benchmarks/analysis.py --quick              # small sizes, one round (smoke test)
    python benchmarks/analysis.py --quick --baseline /work/main   # also main's code, same rounds

Each measurement runs in its own child process, so peak RSS is that phase's own. Times are CPU
seconds of that process (user + system): on a shared machine wall time measures the neighbours.
Rounds interleave the phases; the median of each counts. Targets: analysis <= 1.0 x the
FlowReader time, peak RSS <= 512 MB and flat (100 k within 20 % of 10 k). A change made for speed
must keep the results: ``python benchmarks/same_results.py BASELINE .`` compares them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from table import Row, report, row  # noqa: E402

TARGET_RATIO = 1.0
TARGET_RSS_MB = 512
#: "flat": peak RSS at the larger size within this factor of the smaller one
FLAT_FACTOR = 1.2
SIZES = (10_000, 100_000)
QUICK_SIZES = (300, 1_000)


def generate(path: Path, n: int, seed: int = 42) -> int:
    from harness.analysis.synthetic import PLANT_ENCODINGS, SAMPLE_FACTS, ordinary_flows, planted_flow

    rng = random.Random(seed)
    values = [SAMPLE_FACTS["android_id"], SAMPLE_FACTS["imei"], SAMPLE_FACTS["advertising_id"],
              SAMPLE_FACTS["account_email"], SAMPLE_FACTS["wifi_mac"]]

    def flows() -> Iterator:
        for i, f in enumerate(ordinary_flows(n, seed=seed)):
            if i % 100 == 50:  # 1 % carry PII, in a random encoding chain
                yield planted_flow(rng.choice(values), rng.choice(PLANT_ENCODINGS), server_ip="203.116.1.10",
                                   step_id=f"step-{i // 1000}")
            else:
                yield f

    from harness.analysis.synthetic import write_flows

    return write_flows(path, flows())


def make_run_dir(mitm: Path, run_dir: Path) -> int:
    """A run directory (store.sqlite + flows.mitm) holding the flows of ``mitm``, each row built by
    the recorder's own :func:`harness.capture.httprecord.http_record`. Built beside ``run_dir`` and
    renamed when complete, so an interrupted build is never taken for a finished one."""
    import shutil

    from mitmproxy.io import FlowReader

    from harness.capture import RunStore
    from harness.capture.httprecord import ConnFacts, http_record

    partial = run_dir.with_name(run_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    store = RunStore.create(partial, meta={"kind": "benchmark"})
    n = 0
    with mitm.open("rb") as fh:
        for f in FlowReader(fh).stream():
            step = f.metadata.get("harness.step_id")
            store.add_flow(http_record(f, "http", facts=ConnFacts.of(f), step=step, cap=1 << 20))
            n += 1
            if n % 5000 == 0:
                store.flush(timeout=120)
    store.flush(timeout=300)
    store.close("complete", timeout=300)
    os.link(mitm, partial / "flows.mitm")
    partial.rename(run_dir)
    return n


def phase_read(path: Path) -> dict:
    from mitmproxy.io import FlowReader

    mitm = path / "flows.mitm" if path.is_dir() else path
    with mitm.open("rb") as fh:
        c, t = time.process_time(), time.perf_counter()
        n = sum(1 for _ in FlowReader(fh).stream())
    return {"cpu": time.process_time() - c, "seconds": time.perf_counter() - t, "flows": n}


def phase_analyze(path: Path) -> dict:
    from harness.analysis import Options, analyze
    from harness.analysis.synthetic import SAMPLE_FACTS

    c, t = time.process_time(), time.perf_counter()
    a = analyze(path, Options(facts=SAMPLE_FACTS, lists_dir=None))
    return {"cpu": time.process_time() - c, "seconds": time.perf_counter() - t, "flows": len(a.flows),
            "pii_flows": int(a.pii_hits["flow_id"].nunique()), "findings": len(a.finding_list)}


def peak_rss_mb() -> float:
    """This process's peak RSS (``VmHWM``: unlike ``ru_maxrss`` it does not inherit the parent's
    peak across fork + exec, proc(5))."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class AnonPeak:
    """The peak of this process's anonymous resident memory (``RssAnon``, proc(5)), sampled every
    20 ms while the block runs, in MB. Peak RSS (``VmHWM``) also counts resident pages of mapped
    files — the shared libraries and the memory-mapped spill file of the flows table — which the
    kernel can drop and re-read; this is the part the process allocated."""

    def __init__(self) -> None:
        import threading

        self.mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                self.mb = max(self.mb, int(line.split()[1]) / 1024)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._sample()

    def __enter__(self) -> AnonPeak:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def child(phase: str, path: Path, tree: Path | None = None) -> dict:
    """One phase in its own process: this checkout's code, or (``tree``) another checkout's, run
    by that checkout's own copy of this script."""
    script, env = __file__, None
    if tree is not None:
        script = str(tree / "benchmarks" / "analysis.py")
        env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, script, "--phase", phase, str(path)], capture_output=True, text=True,
                         timeout=3600, check=False, env=env)
    if out.returncode != 0:
        raise SystemExit(f"{phase} phase failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(n: int, rounds: int, work: Path, baseline: Path | None = None) -> dict[str, dict]:
    """Medians over ``rounds`` interleaved rounds of read / analyse .mitm / analyse run dir (and,
    with ``baseline``, the analyses by that checkout's code in the same rounds)."""
    mitm, run_dir = work / f"bench-{n}.mitm", work / f"run-{n}"
    if not mitm.exists():
        t = time.perf_counter()
        generate(mitm, n)
        print(f"generated {n} flows ({mitm.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s",
              file=sys.stderr)
    if not run_dir.exists():
        make_run_dir(mitm, run_dir)
    samples: dict[str, list[dict]] = {"read": [], "mitm": [], "run": []}
    if baseline:
        samples |= {"base mitm": [], "base run": []}
    for i in range(rounds):
        samples["read"].append(child("read", mitm))
        if baseline:
            samples["base mitm"].append(child("analyze", mitm, baseline))
            samples["base run"].append(child("analyze", run_dir, baseline))
        samples["mitm"].append(child("analyze", mitm))
        samples["run"].append(child("analyze", run_dir))
        print(f"{n} flows, round {i + 1}/{rounds}: " + ", ".join(
            f"{k} {v[-1]['cpu']:.1f} s CPU {v[-1]['rss_mb']:.0f} MB" for k, v in samples.items()), file=sys.stderr)
    return {k: {f: statistics.median(s.get(f, 0.0) for s in v) for f in ("cpu", "seconds", "rss_mb", "anon_mb", "flows")}
            | {"pii_flows": v[-1].get("pii_flows"), "findings": v[-1].get("findings")} for k, v in samples.items()}


def run(quick: bool = False, sizes: tuple[int, ...] | None = None, rounds: int | None = None,
        work: Path | None = None, baseline: Path | None = None) -> list[Row]:
    """Target 3 as table rows (see :mod:`table`): for each size the FlowReader time, the analysis
    time of the .mitm file and of the run directory, their ratios and peak RSS; with ``baseline``
    (another checkout, e.g. main) its analysis times and ratios too, measured in the same rounds."""
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    rounds = rounds or (1 if quick else 3)
    tmp = None
    if work is None:
        tmp = tempfile.TemporaryDirectory(prefix="harness-bench-")
        work = Path(tmp.name)
    rows: list[Row] = []
    rss: dict[int, float] = {}
    anon: dict[int, float] = {}
    try:
        for n in sizes:
            m = measure(n, rounds, work, baseline)
            k = f"{n // 1000}k" if n >= 1000 else str(n)
            rows.append(row(f"FlowReader read, {k} flows", m["read"]["cpu"], unit="CPU s"))
            for src, label in (("base mitm", ".mitm"), ("base run", "run dir")) if baseline else ():
                ratio = m[src]["cpu"] / m["read"]["cpu"] if m["read"]["cpu"] else float("inf")
                rows.append(row(f"baseline analysis {label}, {k} flows", m[src]["cpu"], unit="CPU s"))
                rows.append(row(f"baseline analysis {label} / FlowReader, {k} flows", ratio, unit="x"))
            for src, label in (("mitm", ".mitm"), ("run", "run dir")):
                ratio = m[src]["cpu"] / m["read"]["cpu"] if m["read"]["cpu"] else float("inf")
                rows.append(row(f"analysis {label}, {k} flows", m[src]["cpu"], unit="CPU s"))
                rows.append(row(f"analysis {label} / FlowReader, {k} flows", ratio, f"<= {TARGET_RATIO}",
                                ratio <= TARGET_RATIO if n == sizes[-1] else None, "x"))
                rows.append(row(f"peak RSS analysis {label}, {k} flows", m[src]["rss_mb"], f"<= {TARGET_RSS_MB}",
                                m[src]["rss_mb"] <= TARGET_RSS_MB, "MB"))
            rows.append(row(f"flows with PII found, {k} flows", f"{m['mitm']['pii_flows']} / {m['run']['pii_flows']}",
                            f"{n // 100} (1 %)", m["mitm"]["pii_flows"] == m["run"]["pii_flows"] == n // 100))
            rss[n] = max(m["mitm"]["rss_mb"], m["run"]["rss_mb"])
            anon[n] = max(m["mitm"]["anon_mb"], m["run"]["anon_mb"])
        if len(sizes) > 1:
            lo, hi = sizes[0], sizes[-1]
            growth = rss[hi] / rss[lo]
            rows.append(row(f"peak RSS {hi // 1000 or hi}k / {lo // 1000 or lo}k flows" if lo >= 1000
                            else f"peak RSS {hi} / {lo} flows", growth, f"<= {FLAT_FACTOR} (flat)",
                            growth <= FLAT_FACTOR if not quick else None, "x"))
            if anon[lo]:  # informative: the part of the peak the process allocated (AnonPeak)
                rows.append(row(f"peak anonymous memory {hi // 1000 or hi}k / {lo // 1000 or lo}k flows" if lo >= 1000
                                else f"peak anonymous memory {hi} / {lo} flows", anon[hi] / anon[lo], unit="x"))
    finally:
        if tmp is not None:
            tmp.cleanup()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flows", type=int, nargs="+", help="flow counts to measure (default 10000 100000)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds; medians are reported (default 3)")
    ap.add_argument("--quick", action="store_true", help="small sizes, one round (for the smoke test)")
    ap.add_argument("--work", type=Path, help="keep generated captures in this folder (reused when present)")
    ap.add_argument("--baseline", type=Path, help="another checkout (e.g. main) whose analysis is measured in "
                                                  "the same rounds, for a before/after comparison")
    ap.add_argument("--phase", choices=["read", "analyze"], help=argparse.SUPPRESS)
    ap.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        with AnonPeak() as anon:
            result = phase_read(args.path) if args.phase == "read" else phase_analyze(args.path)
        result["rss_mb"] = peak_rss_mb()
        result["anon_mb"] = anon.mb
        print(json.dumps(result))
        return 0
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
    rows = run(args.quick, tuple(args.flows) if args.flows else None, args.rounds, args.work,
               args.baseline.resolve() if args.baseline else None)
    return report(rows)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
