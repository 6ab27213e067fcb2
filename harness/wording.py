"""How counts, ratios and times read in text for people (report.html, claim reasoning): one place,
so ``1 check`` / ``2 checks`` and ``0.82`` read the same everywhere. Machine values (findings.json,
``details``) keep their full precision; only the words change.
"""

from __future__ import annotations

import datetime
from typing import Any


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``"1 check"``, ``"2 checks"``, ``"0 checks"``: ``n`` with the noun in the number it takes
    in English (``plural`` for irregular nouns, default ``singular + "s"``, so a phrase ends in its
    noun: ``"agent event"``; words after the noun go after the call: ``counted(n, "flow") + " captured"``).

    >>> counted(1, "check"), counted(3, "check"), counted(1, "agent event"), counted(2, "entry", "entries")
    ('1 check', '3 checks', '1 agent event', '2 entries')
    """
    if n == 1:
        return f"{n} {singular}"
    return f"{n} {plural if plural is not None else singular + 's'}"


def ratio_text(value: Any, digits: int = 2) -> str:
    """A ratio for a reader, rounded to ``digits`` decimals (``0.8221343873517787`` → ``"0.82"``);
    anything that is not a number is shown as it is.

    >>> ratio_text(0.8221343873517787), ratio_text(0.4444444444444444), ratio_text(1), ratio_text(None)
    ('0.82', '0.44', '1.00', 'None')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.{digits}f}"


def utc_seconds(iso: Any) -> str:
    """An ISO 8601 time for a reader: UTC, to the second, with ``Z``
    (``2026-12-01T12:44:39.125094Z`` → ``2026-12-01T12:44:39Z``; an offset is converted to UTC; a
    time without a zone is taken as UTC, as the harness writes them). Text that is not a time is
    returned unchanged; None and ``""`` give ``""``.

    >>> utc_seconds("2026-12-01T12:44:39.125094Z"), utc_seconds("2026-12-01T13:44:39+01:00")
    ('2026-12-01T12:44:39Z', '2026-12-01T12:44:39Z')
    """
    if iso in (None, ""):
        return ""
    try:
        t = datetime.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.UTC)
    return t.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
