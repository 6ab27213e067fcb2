"""Analysis layer: flows -> Arrow-backed pandas frames -> geo, jurisdiction, PII, config lists,
filtering verdicts -> findings. See docs/analysis.md.

``analyze(path, Options(...))`` works on a run directory, a ``.mitm`` flow file or a HAR file.
"""

from harness.analysis.findings import Finding, Severity
from harness.analysis.pipeline import Analysis, Options, analyze

__all__ = ["Analysis", "Finding", "Options", "Severity", "analyze"]
