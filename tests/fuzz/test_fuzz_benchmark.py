"""``benchmarks/fuzz.py`` runs end to end for a few seconds and prints its table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fuzz_script_prints_table(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), "--surface", "adb",
                           "--minutes", "0.05", "--out", str(tmp_path / "found")],
                          capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)
    lines = proc.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("surface"))
    assert lines[head].split() == ["surface", "inputs", "crashes", "hangs>20s", ">1024MB", "peak", "MB", "targets"]
    row = lines[head + 1].split()
    assert row[0] == "adb" and int(row[1]) > 0, proc.stdout + proc.stderr
    assert (row[-1] == "met") == (proc.returncode == 0), proc.stdout
