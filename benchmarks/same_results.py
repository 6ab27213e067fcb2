"""Do two checkouts' ``analyze`` give the same results? (issue 17: every speed change must keep them)

    python benchmarks/same_results.py /work/main /work/wt/mitmspeed
    python benchmarks/same_results.py A B --inputs /tmp/perfbench/bench-10000.mitm /tmp/perfbench/run-10000

Each checkout analyses every input in a child process of its own (``PYTHONPATH`` = the checkout),
with the input's own device facts and with the synthetic corpus's (``SAMPLE_FACTS``), and writes a
pickle of everything the analysis returns: every frame (flows, destinations, steps, agent events,
findings, PII hits, lists), the finding list (``Finding.to_dict``), ``meta``, ``problems``,
``incomplete``, or the error it raised (type and text). The parent compares them exactly
(``pandas.testing.assert_frame_equal``, ``check_exact``). Inputs by default: every ``.mitm`` and
``.har`` file under the first checkout's ``tests/``, plus ``/tmp/perfbench/bench-10000.mitm`` and
``/tmp/perfbench/run-10000`` where they exist (``benchmarks/analysis.py --work /tmp/perfbench``
makes them). Exit status 0 when all are equal, 1 when any differs (each difference is printed).
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH_INPUTS = (Path("/tmp/perfbench/bench-10000.mitm"), Path("/tmp/perfbench/run-10000"))


def default_inputs(tree: Path) -> list[Path]:
    found = sorted(p for p in (tree / "tests").rglob("*") if p.is_file() and p.suffix in (".mitm", ".har"))
    return found + [p for p in BENCH_INPUTS if p.exists()]


def snapshot(inputs: list[Path], out: Path) -> None:
    """(Child.) Analyse each input twice (its own facts, ``SAMPLE_FACTS``) with this process's
    ``harness`` and pickle the results to ``out``."""
    import pandas as pd

    from harness.analysis import Options, analyze
    from harness.analysis.synthetic import SAMPLE_FACTS

    results: dict[str, Any] = {}
    for path in inputs:
        for facts_name, facts in (("own facts", None), ("SAMPLE_FACTS", SAMPLE_FACTS)):
            key = f"{path} ({facts_name})"
            try:
                a = analyze(path, Options(facts=facts, lists_dir=None))
            except Exception as exc:  # noqa: BLE001 - the error is the result to compare
                results[key] = {"error": f"{type(exc).__name__}: {exc}"}
                continue
            frames = {name: pd.DataFrame(df).copy(deep=True) for name, df in a.frames().items()}
            results[key] = {
                "frames": frames, "finding_list": [f.to_dict() for f in a.finding_list],
                "meta": a.meta, "problems": a.problems, "incomplete": a.incomplete, "source": a.source,
                "known_values": a.known_values, "comparisons": [repr(c) for c in a.comparisons],
            }
    with out.open("wb") as fh:
        pickle.dump(results, fh)


def run_tree(tree: Path, inputs: list[Path], out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    args = [sys.executable, str(Path(__file__).resolve()), "--snapshot", str(out), "--inputs", *map(str, inputs)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: analysis failed:\n{done.stderr[-3000:]}")


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """What differs between two snapshots (empty: the same)."""
    import pandas as pd

    out: list[str] = []
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            out.append(f"{key}: analysed by one checkout only")
            continue
        ra, rb = a[key], b[key]
        if "error" in ra or "error" in rb:
            if ra.get("error") != rb.get("error"):
                out.append(f"{key}: error {ra.get('error')!r} != {rb.get('error')!r}")
            continue
        for name in sorted(set(ra["frames"]) | set(rb["frames"])):
            try:
                pd.testing.assert_frame_equal(ra["frames"][name], rb["frames"][name], check_exact=True)
            except (AssertionError, KeyError) as exc:
                out.append(f"{key}: frame {name} differs: {str(exc)[:400]}")
        for field in ("finding_list", "meta", "problems", "incomplete", "source", "known_values", "comparisons"):
            if ra[field] != rb[field]:
                out.append(f"{key}: {field} differs")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="*", type=Path, help="two checkouts (e.g. /work/main and a branch's worktree)")
    ap.add_argument("--inputs", nargs="+", type=Path, help="inputs to analyse (default: see the module docstring)")
    ap.add_argument("--snapshot", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.snapshot:
        snapshot(args.inputs, args.snapshot)
        return 0
    if len(args.trees) != 2:
        ap.error("give two checkouts")
    a_tree, b_tree = (t.resolve() for t in args.trees)
    inputs = [p.resolve() for p in args.inputs] if args.inputs else default_inputs(a_tree)
    with tempfile.TemporaryDirectory(prefix="harness-same-") as tmp:
        pa, pb = Path(tmp) / "a.pickle", Path(tmp) / "b.pickle"
        run_tree(a_tree, inputs, pa)
        run_tree(b_tree, inputs, pb)
        with pa.open("rb") as fa, pb.open("rb") as fb:
            diffs = differences(pickle.load(fa), pickle.load(fb))  # noqa: S301 - our own children's files
    for d in diffs:
        print(d)
    print(f"{len(inputs)} inputs x 2 fact sets: " + ("the same results" if not diffs else f"{len(diffs)} DIFFERENCES"))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
