"""``benchmarks/run_all.py --quick`` runs every benchmark end to end (the real proxy, analysis and
the demo on the virtual handset, the ncsc_2021 pack on one and on two virtual handsets at once) and
prints one table with a verdict column. No timing is asserted: figures go to benchmarks/, never to
tests; the one verdict checked is that two handsets at once give the single handset's claim
verdicts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RUN_ALL = Path(__file__).resolve().parents[1] / "benchmarks" / "run_all.py"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def test_run_all_quick_prints_one_table() -> None:
    proc = subprocess.run([sys.executable, str(RUN_ALL), "--quick"], capture_output=True, text=True, timeout=1200)
    out = proc.stdout
    assert proc.returncode in (0, 1), out + proc.stderr  # 1 = a target missed (a quick run is small)
    assert out.startswith("machine: ") and " cores, " in out.splitlines()[0], out
    header = next(line for line in out.splitlines() if line.startswith("figure"))
    assert header.split() == ["figure", "value", "unit", "target", "verdict"], header
    for figure in ("analysis .mitm / FlowReader, 1k flows", "peak RSS analysis run dir, 1k flows",
                   "peak RSS 1000 / 300 flows", "harness demo end to end", "step settle, launch",
                   "cost 4490 / 449 terms", "CPU per lab, 2 handsets / 1 handset",
                   "2 handsets, whole pack each: labs / flows per lab"):
        assert figure in out, out + proc.stderr
    # two virtual handsets at once must give the single handset's verdicts (a correctness check)
    same = [line for line in out.splitlines() if "each claim's verdict as on 1 handset" in line]
    assert len(same) == 3 and all(line.rstrip().endswith(" met") for line in same), out + proc.stderr
    # ... and their labs share nothing that must be their own (serial, proxy, world, flows)
    own = [line for line in out.splitlines() if "what the labs share" in line]
    assert len(own) == 1 and own[0].split()[-2:] == ["nothing", "met"], out + proc.stderr
    assert "Traceback" not in out
