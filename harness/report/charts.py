"""Charts for the HTML report, drawn by matplotlib as inline SVG (offline, printable, no scripts).

Each function takes plain rows from a findings document and returns an ``<svg>`` element as text.
Output is deterministic for the same input (fixed hash salt, no date metadata), so a regenerated
report is byte-identical.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from harness.analysis.policy import jurisdiction_label

#: colour per jurisdiction class (EU/EEA, adequacy decision, third country, unknown)
JURISDICTION_COLOURS = {
    "domestic": "#2e7d32",
    "adequate": "#1565c0",
    "third_country": "#c62828",
    "unknown": "#757575",
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "harness-report", "svg.fonttype": "none", "font.size": 9})
    return plt


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    _pyplot().close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG is inlined in HTML


def destinations_chart(destinations: Sequence[dict[str, Any]], home: str | None = None) -> str | None:
    """Flows per country, one bar per (country, jurisdiction), coloured by jurisdiction.

    ``destinations``: rows with ``country`` (ISO 3166 alpha-2 or None), ``jurisdiction`` and
    ``flows`` (count); ``home``: the display word of class ``domestic`` (``EEA``; see
    harness.analysis.policy.jurisdiction_label). ``None`` when there is nothing to draw.
    """
    totals: dict[tuple[str, str], int] = {}
    for row in destinations:
        key = (str(row.get("country") or "??"), str(row.get("jurisdiction") or "unknown"))
        totals[key] = totals.get(key, 0) + int(row.get("flows") or 0)
    if not totals:
        return None
    items = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(items) + 0.9))
    labels = [f"{country} ({jurisdiction_label(jur, home).replace('_', ' ')})" for (country, jur), _ in items]
    colours = [JURISDICTION_COLOURS.get(jur, JURISDICTION_COLOURS["unknown"]) for (_, jur), _ in items]
    bars = ax.barh(labels, [n for _, n in items], color=colours)
    ax.bar_label(bars, padding=3)
    ax.invert_yaxis()
    ax.set_xlabel("flows")
    ax.set_title("Destinations by country and jurisdiction")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def timeline_chart(steps: Sequence[dict[str, Any]], flow_times: dict[str, list[float]]) -> str | None:
    """The step timeline: one bar per step (start to end, seconds from the first step) with a tick
    per flow recorded in it.

    ``steps``: rows with ``id``, ``started_at`` and ``ended_at`` (UNIX seconds; an open step ends
    at its last flow); ``flow_times``: step id → flow start times (UNIX seconds).
    """
    rows = [s for s in steps if s.get("started_at") is not None]
    if not rows:
        return None
    t0 = min(float(s["started_at"]) for s in rows)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 0.42 * len(rows) + 0.9))
    for y, step in enumerate(rows):
        start = float(step["started_at"]) - t0
        times = [t - t0 for t in flow_times.get(str(step["id"]), [])]
        end = float(step["ended_at"]) - t0 if step.get("ended_at") is not None else max(times, default=start)
        ax.broken_barh([(start, max(end - start, 0.05))], (y - 0.35, 0.7), color="#90caf9")
        if times:
            ax.plot(times, [y] * len(times), "|", color="#0d47a1", markersize=12)
    ax.set_yticks(range(len(rows)), [str(s["id"]) for s in rows])
    ax.invert_yaxis()
    ax.set_xlabel("seconds since the first step (ticks: flows)")
    ax.set_title("Timeline of steps and their flows")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
