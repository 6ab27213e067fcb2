"""The test functions and classes a test module defines, read from its source with :mod:`ast`
(nothing is imported, so a module whose imports fail, or a pack not installed, is still read).

One reader serves ``harness run`` (:func:`harness.scenario.run_results.not_found`: the tests a
file defines, when a test id names none of them) and the packs' claim texts
(:mod:`harness.packs.claim_text`: the ``@pytest.mark.claim("...")`` sentence of each test).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

#: a top-level definition a test module can hold
DefNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


@dataclass(frozen=True)
class Definition:
    """A top-level function or class of a test module: its name, its node (for callers that look
    inside, e.g. at the calls a test makes) and the text of its ``@pytest.mark.claim("Text.")``
    marker (also ``@mark.claim``), or None."""

    name: str
    node: DefNode
    claim: str | None


def claim_of(decorator: ast.expr) -> str | None:
    """``"Text."`` of ``@pytest.mark.claim("Text.")`` (also ``@mark.claim``), else None."""
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "claim" and decorator.args):
        return None
    first = decorator.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def module_definitions(path: str | Path) -> list[Definition] | None:
    """The top-level functions (sync and async) and classes of the Python file ``path``, in source
    order, each with its claim text; None when the file cannot be read or does not parse (an
    ``OSError``, a ``SyntaxError``, a null byte)."""
    p = Path(path)
    try:
        tree = ast.parse(p.read_text(encoding="utf-8"), str(p))
    except (OSError, SyntaxError, ValueError):
        return None
    return [Definition(node.name, node, next((t for t in map(claim_of, node.decorator_list) if t), None))
            for node in tree.body if isinstance(node, DefNode)]
