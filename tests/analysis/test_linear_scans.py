"""Every regular expression that scans response or request bodies is linear (issue 12 item 6).

Each pattern is run over 4 MiB built by repeating the prefix that makes a backtracking pattern
quadratic (an opening it can start at, never closed). A quadratic scan of 4 MiB takes hours; these
run in a child process with a 120 s bound (a bound that only a quadratic pattern can exceed, not a
timing assertion).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

#: (module, pattern name, the repeated adversarial piece)
PATTERNS = [
    ("harness.analysis.filtering", "TITLE_PATTERN", b"<title>"),
    ("harness.analysis.filtering", "TITLE_PATTERN", b"<title>" + b"a" * 511),
    ("harness.analysis.decode", "_B64_TOKEN", b"A" * 11 + b" "),
    ("harness.analysis.decode", "_B64_TOKEN", b"AAAA\n"),
    ("harness.analysis.decode", "_B64_TOKEN", b"A" * 12 + b"%0"),
    ("harness.analysis.decode", "_HEX_TOKEN", b"ab" * 7 + b"g"),
    ("harness.analysis.decode", "_PCT", b"%0"),
    ("harness.analysis.decode", "_LINE_BREAKS", b"\\r\\"),
    ("harness.analysis.lists", "_STRING_ARRAY", b'[ "' + b"x" * 79),
    ("harness.analysis.lists", "_STRING_ARRAY", b"[" + b" " * 50),
    ("harness.analysis.lists", "_LONG_TOKEN", b"A" * 39 + b"."),
    ("harness.analysis.containers", "_BOUNDARY_LINE", b"--" + b"a" * 69),
]


@pytest.mark.parametrize(("module", "name", "piece"), PATTERNS,
                         ids=[f"{m.rsplit('.', 1)[1]}.{n}-{i}" for i, (m, n, _) in enumerate(PATTERNS)])
def test_pattern_is_linear(module: str, name: str, piece: bytes) -> None:
    script = textwrap.dedent(f"""
        import importlib
        pattern = getattr(importlib.import_module({module!r}), {name!r})
        data = {piece!r} * (4 * 1024 * 1024 // {len(piece)})
        print("ok", sum(1 for _ in pattern.finditer(data)))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("ok"), proc.stderr[-2000:]


def test_name_pattern_is_linear() -> None:
    script = ("from harness.analysis.lists import NAME_PATTERN\n"
              "text = 'black_' * (4 * 1024 * 1024 // 6)\n"
              "print('ok', sum(1 for _ in NAME_PATTERN.finditer(text)))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("ok"), proc.stderr[-2000:]
