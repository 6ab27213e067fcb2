"""Analysis benchmark: N realistic flows (mixed sizes and encodings, 1 % carrying PII) in a .mitm
file; prints a table with mitmproxy's FlowReader read time, full analysis time, their ratio
(target <= 2.0), flows/s and peak RSS of the analysis (target <= 1 GB).

    python benchmarks/analysis.py              # 100 000 flows
    python benchmarks/analysis.py --flows 5000 # quick run

Each measurement runs in its own child process so peak RSS is that phase's own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

TARGET_RATIO = 2.0
TARGET_RSS_MB = 1024


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


def phase_read(path: Path) -> dict:
    from mitmproxy.io import FlowReader

    t = time.perf_counter()
    with path.open("rb") as fh:
        n = sum(1 for _ in FlowReader(fh).stream())
    return {"seconds": time.perf_counter() - t, "flows": n}


def phase_analyze(path: Path) -> dict:
    from harness.analysis import Options, analyze
    from harness.analysis.synthetic import SAMPLE_FACTS

    t = time.perf_counter()
    a = analyze(path, Options(facts=SAMPLE_FACTS, lists_dir=None))
    secs = time.perf_counter() - t
    return {"seconds": secs, "flows": len(a.flows), "pii_flows": int(a.pii_hits["flow_id"].nunique()),
            "findings": len(a.finding_list)}


def child(phase: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", phase, str(path)], capture_output=True, text=True,
                         timeout=3600, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{phase} phase failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flows", type=int, default=100_000, help="number of flows to generate (default 100000)")
    ap.add_argument("--file", type=Path, help="use (or create) this .mitm file instead of a temporary one")
    ap.add_argument("--phase", choices=["read", "analyze"], help=argparse.SUPPRESS)
    ap.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        result = phase_read(args.path) if args.phase == "read" else phase_analyze(args.path)
        result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0

    tmp = tempfile.TemporaryDirectory(prefix="harness-bench-")
    path = args.file or Path(tmp.name) / "bench.mitm"
    if not path.exists():
        t = time.perf_counter()
        n = generate(path, args.flows)
        print(f"generated {n} flows ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
    read = child("read", path)
    full = child("analyze", path)
    ratio = full["seconds"] / read["seconds"] if read["seconds"] else float("inf")
    import pandas as pd

    table = pd.DataFrame([
        {"measure": "flows", "value": f"{full['flows']}", "target": ""},
        {"measure": "flows carrying PII (found)", "value": f"{full['pii_flows']}", "target": "1 %"},
        {"measure": "FlowReader read only (s)", "value": f"{read['seconds']:.2f}", "target": ""},
        {"measure": "full analysis (s)", "value": f"{full['seconds']:.2f}", "target": ""},
        {"measure": "ratio analysis / read", "value": f"{ratio:.2f}", "target": f"<= {TARGET_RATIO}"},
        {"measure": "flows/s (analysis)", "value": f"{full['flows'] / full['seconds']:.0f}", "target": ""},
        {"measure": "peak RSS analysis (MB)", "value": f"{full['rss_mb']:.0f}", "target": f"<= {TARGET_RSS_MB}"},
        {"measure": "peak RSS read only (MB)", "value": f"{read['rss_mb']:.0f}", "target": ""},
    ])
    print(table.to_string(index=False))
    ok = ratio <= TARGET_RATIO and full["rss_mb"] <= TARGET_RSS_MB
    print("targets met" if ok else "TARGETS MISSED")
    tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
