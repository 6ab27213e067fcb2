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

_HOME = {"Finding": "findings", "Severity": "findings", "Analysis": "pipeline", "Options": "pipeline",
         "analyze": "pipeline"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'harness.analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"harness.analysis.{_HOME[name]}"), name)
    globals()[name] = value
    return value
