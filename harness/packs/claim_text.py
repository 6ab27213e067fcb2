"""The claim a pack states for each of its checks: the text of the ``@pytest.mark.claim("...")``
marker on the pack's test that runs the check, so ``harness demo`` says the same sentence as
``harness packs`` and ``harness run`` (trial report item 11).

Read from the tests' source with :mod:`ast` (nothing is imported): a test ``test_x`` marked
``@pytest.mark.claim("Text.")`` whose body calls ``check(lab)`` gives ``{"check": "Text."}``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path


def _claim_of(decorator: ast.expr) -> str | None:
    """``"Text."`` of ``@pytest.mark.claim("Text.")`` (also ``@mark.claim``), else None."""
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "claim" and decorator.args):
        return None
    first = decorator.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def _test_modules(paths: list[Path]) -> Iterator[tuple[Path, ast.Module]]:
    """Each file of ``paths`` that parses, with its tree (the others are skipped)."""
    for path in paths:
        try:
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (OSError, SyntaxError, ValueError):
            continue


def pack_tests(pack_dir: Path) -> dict[str, tuple[Path, str | None]]:
    """Test function name -> (the file defining it, its claim text or None) for the ``test_*.py``
    files under ``pack_dir`` (read with :mod:`ast`; a file that does not parse is skipped)."""
    tests: dict[str, tuple[Path, str | None]] = {}
    for path, tree in _test_modules(sorted(Path(pack_dir).rglob("test_*.py"))):
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                text = next((t for t in map(_claim_of, node.decorator_list) if t), None)
                tests.setdefault(node.name, (path, text))
    return tests


def claim_texts(pack_dir: Path) -> dict[str, str]:
    """Check function name -> the claim text of the test that calls it, for the ``test_*.py``
    files of ``pack_dir`` (a file that does not parse is skipped: ``harness packs`` names it)."""
    texts: dict[str, str] = {}
    for _, tree in _test_modules(sorted(Path(pack_dir).glob("test_*.py"))):
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            text = next((t for t in map(_claim_of, node.decorator_list) if t), None)
            if text is None:
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
                    texts.setdefault(call.func.id, text)
    return texts
