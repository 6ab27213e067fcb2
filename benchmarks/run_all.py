"""Every figure of issue 17 in one table, each with its target and met / not met.

    python benchmarks/run_all.py           # full sizes (tens of minutes on 2 shared cores)
    python benchmarks/run_all.py --quick   # small sizes, one round each (the smoke test)

Targets 1-2 (recorder cost, load generator) come from ``record_overhead.run``, target 3
(streaming analysis) from ``analysis.run``, target 4 (scenario latency, demo time) from
``scenario_latency.run``, the growth with list terms from ``scaling.run`` and with virtual handsets
(CPU per lab with 2 handsets at once against 1) from ``handsets.run``; each returns rows
``{"figure", "value", "target", "met", "unit"}``
(:mod:`table`). A benchmark that cannot run here is a row saying so, never a silent gap.
The machine (cores, CPU model, load average) is printed above the table. Exit 0 when every target
is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from table import Row, render, row  # noqa: E402

#: (module in benchmarks/, what it measures)
BENCHMARKS = (
    ("record_overhead", "targets 1-2: recorder cost and load generator"),
    ("analysis", "target 3: streaming analysis"),
    ("scenario_latency", "target 4: scenario latency"),
    ("scaling", "cost against keyword-list terms (docs/performance.md)"),
    ("handsets", "cost against virtual handsets: 1 vs 2 labs at once (docs/performance.md)"),
)


def machine() -> str:
    """``N cores, MODEL, load a b c`` from os.cpu_count, /proc/cpuinfo and os.getloadavg."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {model}, load average {load}"


def collect(quick: bool, only: list[str] | None = None) -> list[Row]:
    rows: list[Row] = []
    for name, what in BENCHMARKS:
        if only and name not in only:
            continue
        print(f"== {name} ({what}) ...", file=sys.stderr)
        try:
            module = importlib.import_module(name)
            bench_run = module.run
        except (ImportError, AttributeError) as exc:
            rows.append(row(f"{what}: not run", f"benchmarks/{name}.py has no run(): {exc}"[:100], met=None))
            continue
        t = time.perf_counter()
        try:
            rows += bench_run(quick=quick)
        except (OSError, RuntimeError, ValueError, SystemExit) as exc:
            rows.append(row(f"{what}: failed", str(exc).strip().splitlines()[-1][:100] if str(exc) else
                            type(exc).__name__, met=False))
        print(f"== {name} took {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, one round each (smoke test)")
    ap.add_argument("--only", nargs="+", choices=[n for n, _ in BENCHMARKS], help="run only these benchmarks")
    args = ap.parse_args(argv)
    before = machine()
    rows = collect(args.quick, args.only)
    print(f"machine: {before} (at start); load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.quick:
        print("quick run: small sizes, one round; figures are not comparable with the targets' sizes")
    print(render(rows))
    missed = [r for r in rows if r["met"] is False]
    print("all targets met" if not missed else f"TARGETS MISSED: {len(missed)} ("
          + "; ".join(r["figure"] for r in missed) + ")")
    return 0 if not missed else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
