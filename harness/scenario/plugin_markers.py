"""The harness plugin's markers on a test, read and checked in one place (the pytest plugin and the
``harness run`` / ``harness packs`` collection plugin :mod:`harness.scenario.run_events` use it).

- ``@pytest.mark.claim("The sentence tested.")``: the claim is that sentence;
- a bare ``@pytest.mark.claim`` (no arguments, also ``claim()``): the test is a claim test whose
  claim is the first line of its docstring, else its name (``test_searches_are_never_restricted``);
- anything else (a non-str or empty argument, two arguments, keywords, two claim markers) is a
  marker problem, stopped at collection before any lab starts;
- ``@pytest.mark.app(role)`` and ``@pytest.mark.world(name)`` take exactly one non-empty str.
"""

from __future__ import annotations

import inspect

import pytest

from harness.parsing import one_line

#: markers that take exactly one non-empty str argument
ONE_STR_MARKERS = ("app", "world")
#: the fix of a wrong ``claim`` marker
CLAIM_FIX = ('write @pytest.mark.claim("The sentence tested."), or a bare @pytest.mark.claim to claim the first line '
             "of the test's docstring")


def _shown(mark: pytest.Mark) -> str:
    args = ", ".join([*map(repr, mark.args), *(f"{k}={v!r}" for k, v in mark.kwargs.items())])
    return f"{mark.name}({one_line(args, 80)})"


def marker_problem(item: pytest.Item) -> tuple[str, str] | None:
    """``(problem, fix)`` of the item's first wrong harness marker, or None when they are right."""
    claims = list(item.iter_markers("claim"))
    if len(claims) > 1:
        return f"{len(claims)} claim markers (one test tests one claim)", "keep one @pytest.mark.claim"
    for mark in claims:
        bare = not mark.args and not mark.kwargs
        sentence = len(mark.args) == 1 and not mark.kwargs and isinstance(mark.args[0], str) and mark.args[0].strip()
        if not (bare or sentence):
            return (f"@pytest.mark.claim takes one sentence (a non-empty str) or nothing, got {_shown(mark)}",
                    CLAIM_FIX)
    for name in ONE_STR_MARKERS:
        for mark in item.iter_markers(name):
            if len(mark.args) != 1 or mark.kwargs or not isinstance(mark.args[0], str) or not mark.args[0].strip():
                return (f"@pytest.mark.{name} takes exactly one non-empty str, got {_shown(mark)}",
                        f'write it as @pytest.mark.{name}("{"browser" if name == "app" else "compliant"}")')
    return None


def claim_text(item: pytest.Item) -> str | None:
    """The claim a test checks (see the module docstring), or None for a test without a ``claim``
    marker. Call it on a collected item whose markers :func:`marker_problem` passed."""
    mark = item.get_closest_marker("claim")
    if mark is None:
        return None
    if mark.args:
        return str(mark.args[0])
    doc = inspect.getdoc(getattr(item, "obj", None)) if getattr(item, "obj", None) is not None else None
    first = doc.strip().splitlines()[0].strip() if doc and doc.strip() else ""
    return first or item.name


def place(item: pytest.Item) -> tuple[str, int | None]:
    """``(file, 1-based line)`` of a test's definition."""
    _, line, _ = item.reportinfo()
    return str(item.path), (line + 1 if isinstance(line, int) else None)
