"""Body scans stay linear: time of every regex over bodies on adversarial inputs of 256 KiB, 1 MiB
and 4 MiB (the inputs of tests/analysis/test_linear_scans.py). Linear means the time grows about
4x per row; a quadratic pattern would grow 16x (the old title pattern took 42 s at 256 KiB).

    python benchmarks/linear_scans.py
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "analysis"))

from test_linear_scans import PATTERNS  # noqa: E402

SIZES = (256 * 1024, 1024 * 1024, 4 * 1024 * 1024)


def main() -> int:
    print(f"{'pattern':44} " + " ".join(f"{s // 1024:>8} KiB" for s in SIZES) + "   growth x4")
    worst = 0.0
    for module, name, piece in PATTERNS:
        pattern = getattr(importlib.import_module(module), name)
        times = []
        for size in SIZES:
            data = piece * (size // len(piece))
            best = float("inf")
            for _ in range(3):  # the best of three: a loaded machine adds noise, never removes work
                t0 = time.perf_counter()
                sum(1 for _ in pattern.finditer(data))
                best = min(best, time.perf_counter() - t0)
            times.append(best)
        growth = times[-1] / max(times[-2], 1e-9)
        if times[-1] > 0.05:  # growth of a few milliseconds is noise
            worst = max(worst, growth)
        label = f"{module.rsplit('.', 1)[1]}.{name} {piece[:12]!r}"
        print(f"{label:44} " + " ".join(f"{t:10.4f} s" for t in times) + f"   {growth:6.1f}")
    print(f"worst growth per 4x input: {worst:.1f} (linear ~4, quadratic ~16)")
    return 0 if worst < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
