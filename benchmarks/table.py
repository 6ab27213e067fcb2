"""The one table format of the benchmarks: rows ``{"figure", "value", "target", "met", "unit"}``.

``met`` is True, False or None (not measured, e.g. a quick run that cannot reach the target's
size); ``value`` a number or text. Printed with pandas (a dependency already), never parsed.
"""

from __future__ import annotations

from typing import Any

Row = dict[str, Any]


def row(figure: str, value: Any, target: str = "", met: bool | None = None, unit: str = "") -> Row:
    """One table row (``met`` None = informative figure or not measured)."""
    return {"figure": figure, "value": value, "target": target, "met": met, "unit": unit}


def verdict(met: bool | None) -> str:
    return {True: "met", False: "NOT MET", None: ""}[met]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def render(rows: list[Row]) -> str:
    """The rows as a plain-text table (columns: figure, value, unit, target, verdict)."""
    import pandas as pd

    frame = pd.DataFrame([{"figure": r["figure"], "value": _fmt(r["value"]), "unit": r.get("unit", ""),
                           "target": r.get("target", ""), "verdict": verdict(r.get("met"))} for r in rows])
    return frame.to_string(index=False, justify="left")


def report(rows: list[Row]) -> int:
    """Print the table and the verdict line (``targets met`` / ``TARGETS MISSED: N``); the exit
    status of a benchmark: 0 when no target was missed, else 1."""
    print(render(rows))
    missed = [r for r in rows if r["met"] is False]
    print("targets met" if not missed else f"TARGETS MISSED: {len(missed)}")
    return 0 if not missed else 1
