"""Which tnetstring parser is in use (compiled by mypyc, or pure Python) and the pure one on demand.

scripts/compile_parser.py may compile :mod:`harness.analysis.tnet` and
:mod:`harness.analysis.tnetflow` with mypyc into extension modules next to their source; Python's
import then prefers them (docs/analysis.md, "The compiled parser"). The tests compare both
implementations on the same inputs (tests/analysis/test_tnet_compiled.py) and run the
differential tests against the pure one too: :func:`pure_modules` loads the ``.py`` sources
explicitly; :func:`force_pure` makes every later import of the two modules load them (used by
tests/conftest.py when ``HARNESS_TEST_PARSER=pure``).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SOURCE = Path(__file__).resolve().parents[1] / "analysis"
#: the compiled modules, by their import names
NAMES = ("harness.analysis.tnet", "harness.analysis.tnetflow")


def parser_kind() -> str:
    """``"compiled (mypyc)"`` when the imported ``harness.analysis.tnet`` is an extension module,
    else ``"pure Python"``."""
    from harness.analysis import tnet, tnetflow

    compiled = [not str(m.__file__).endswith(".py") for m in (tnet, tnetflow)]
    return "compiled (mypyc)" if all(compiled) else "pure Python" if not any(compiled) else "mixed"


def _load(name: str) -> ModuleType:
    path = SOURCE / f"{name.rsplit('.', 1)[1]}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pure_modules() -> tuple[ModuleType, ModuleType]:
    """(tnet, tnetflow) executed from their ``.py`` sources, new module objects (the imported
    ones, compiled or not, are left as they are); the pure tnetflow uses the pure tnet."""
    import harness.analysis.tnet  # noqa: F401  (the package, imported first, as tnetflow imports it)

    tnet = _load(NAMES[0])
    saved = sys.modules[NAMES[0]]
    sys.modules[NAMES[0]] = tnet  # tnetflow's ``from harness.analysis.tnet import ...`` binds these
    try:
        tnetflow = _load(NAMES[1])
    finally:
        sys.modules[NAMES[0]] = saved
    return tnet, tnetflow


class _PureFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in NAMES:
            return None
        return importlib.util.spec_from_file_location(fullname, SOURCE / f"{fullname.rsplit('.', 1)[1]}.py")


def force_pure() -> None:
    """Every later import of the two modules loads the ``.py`` source (call before any import of
    ``harness.analysis``); ``RuntimeError`` if one is imported already."""
    if any(name in sys.modules for name in NAMES):
        raise RuntimeError("force_pure: the tnetstring parser is imported already")
    sys.meta_path.insert(0, _PureFinder())
