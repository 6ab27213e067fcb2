"""How analysis cost grows with the size of a keyword list (issue 17, docs/performance.md): the
world's 449-term ad blacklist, and a synthetic list ten times as long (4 490 terms: each term again
with a number), served as the vendor serves it (``MiAdBlacklistConfig``: base64 of gzipped JSON in
a JSON document). Each capture is that one flow; the CPU time of :func:`harness.analysis.analyze`
(median of rounds, in this process) and the terms analysis reported are printed.

    python benchmarks/scaling.py [--rounds 5] [--quick]

Flows (10 k vs 100 k) are measured by analysis.py; handsets are not measured here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from table import Row, render, row  # noqa: E402

SIZES = (449, 4490)


def terms(n: int) -> list[str]:
    from harness.sim.world.blacklist import default_terms

    base = [t.text for t in default_terms()]
    out = list(base)
    k = 2
    while len(out) < n:
        out += [f"{t} {k}" for t in base]
        k += 1
    return out[:n]


def capture(path: Path, n: int) -> None:
    from harness.analysis.synthetic import make_flow, write_flows
    from harness.sim.world.blacklist import config_document

    doc = config_document(version=7, update_time=1_700_000_000, enable=True, region="LT", terms=terms(n))
    flow = make_flow("https://api.ad.xiaomi.test/api/v1/blacklist?k=MiAdBlacklistConfig",
                     response_body=json.dumps(doc).encode())
    write_flows(path, [flow])


def analyse(path: Path) -> tuple[float, int]:
    from harness.analysis import Options, analyze

    c = time.process_time()
    a = analyze(path, Options(lists_dir=None))
    n = max((int(x) for x in a.lists["n_terms"]), default=0) if not a.lists.empty else 0
    return time.process_time() - c, n


def run(quick: bool = False, rounds: int | None = None) -> list[Row]:
    """Rows: analysis CPU ms of a capture holding one keyword list of 449 and 4 490 terms."""
    rounds = rounds or (1 if quick else 5)
    rows: list[Row] = []
    cost: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="harness-bench-terms-") as tmp:
        analyse_warm = Path(tmp) / "warm.mitm"
        capture(analyse_warm, 10)
        analyse(analyse_warm)  # imports and the geo database once, outside the figures
        for n in SIZES:
            p = Path(tmp) / f"terms-{n}.mitm"
            capture(p, n)
            samples = [analyse(p) for _ in range(rounds)]
            cost[n] = statistics.median(s for s, _ in samples) * 1000
            found = samples[-1][1]
            rows.append(row(f"analysis of one {n}-term keyword list", cost[n], unit="CPU ms"))
            rows.append(row(f"terms reported, {n}-term list", found, str(n), found == n))
    rows.append(row(f"cost {SIZES[1]} / {SIZES[0]} terms", cost[SIZES[1]] / cost[SIZES[0]], unit="x"))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, help="rounds; medians are reported (default 5)")
    ap.add_argument("--quick", action="store_true", help="one round (smoke test)")
    args = ap.parse_args()
    print(render(run(args.quick, args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
