"""Analysis layer: flows -> Arrow-backed pandas frames -> geo, jurisdiction, PII, config lists,
filtering verdicts -> findings. See docs/analysis.md.

``analyze(path, Options(...))`` works on a run directory, a ``.mitm`` flow file or a HAR file.

The names below are imported on first use (PEP 562), so ``python -m harness.analysis.geodata``
(``scripts/setup.sh``) runs its module once, not after the package imported it through the
pipeline (runpy's "found in sys.modules ... prior to execution" RuntimeWarning).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.analysis.findings import Finding, Severity
    from harness.analysis.pipeline import Analysis, Options, analyze

__all__ = ["Analysis", "Finding", "Options", "Severity", "analyze"]



def _compiled_parser_is_stale(here: Any = None) -> bool:
    """True when a mypyc build of the tnetstring parser (scripts/compile_parser.py) is older than
    the source it was built from: it would run old code, so the ``.py`` modules are used instead."""
    import sysconfig
    from pathlib import Path

    here = Path(here or Path(__file__).parent)
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    for name in ("tnet", "tnetflow"):
        built = here / f"{name}{suffix}"
        if built.exists() and built.stat().st_mtime < (here / f"{name}.py").stat().st_mtime:
            return True
    return False


if _compiled_parser_is_stale():
    from harness.testing.parsers import force_pure

    force_pure()

_HOME = {"Finding": "findings", "Severity": "findings", "Analysis": "pipeline", "Options": "pipeline",
         "analyze": "pipeline"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'harness.analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"harness.analysis.{_HOME[name]}"), name)
    globals()[name] = value
    return value
