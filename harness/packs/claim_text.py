"""The claim a pack states for each of its checks: the text of the ``@pytest.mark.claim("...")``
marker on the pack's test that runs the check, so ``harness demo`` says the same sentence as
``harness packs`` and ``harness run`` (trial report item 11).

Read from the tests' source (:func:`harness.scenario.testsource.module_definitions`, nothing is
imported): a test ``test_x`` marked ``@pytest.mark.claim("Text.")`` whose body calls
``check(lab)`` gives ``{"check": "Text."}``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from harness.scenario.testsource import Definition, module_definitions


def _definitions(paths: list[Path]) -> Iterator[tuple[Path, Definition]]:
    """The top-level definitions of each file of ``paths`` that parses (the others are skipped)."""
    for path in paths:
        for d in module_definitions(path) or ():
            yield path, d


def pack_tests(pack_dir: Path) -> dict[str, tuple[Path, str | None]]:
    """Test function name -> (the file defining it, its claim text or None) for the ``test_*.py``
    files under ``pack_dir`` (a file that does not parse is skipped)."""
    tests: dict[str, tuple[Path, str | None]] = {}
    for path, d in _definitions(sorted(Path(pack_dir).rglob("test_*.py"))):
        if not isinstance(d.node, ast.ClassDef) and d.name.startswith("test"):
            tests.setdefault(d.name, (path, d.claim))
    return tests


def claim_texts(pack_dir: Path) -> dict[str, str]:
    """Check function name -> the claim text of the test that calls it, for the ``test_*.py``
    files of ``pack_dir`` (a file that does not parse is skipped: ``harness packs`` names it)."""
    texts: dict[str, str] = {}
    for _, d in _definitions(sorted(Path(pack_dir).glob("test_*.py"))):
        if not isinstance(d.node, ast.FunctionDef) or d.claim is None:
            continue
        for call in ast.walk(d.node):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
                texts.setdefault(call.func.id, d.claim)
    return texts
