"""Typed reads of fields in untrusted JSON (HAR files and the like): a field of the wrong type
reads as missing, never as an exception. Booleans are not numbers; infinities and NaN are not
numbers either."""

from __future__ import annotations

import ipaddress
import math
import re
from datetime import UTC, datetime
from typing import Any


def as_str(value: Any) -> str | None:
    """A string field: strings as they are, numbers as text, anything else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return str(value)
    return None


def as_int(value: Any) -> int | None:
    """An integer field: ints, finite floats (truncated) and digit strings; anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,30}\s*", value):
        return int(value)
    return None


def as_float(value: Any) -> float | None:
    """A finite number as float; booleans, infinities, NaN and anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def as_dict(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def is_ip(text: str | None) -> bool:
    """True for an IPv4 or IPv6 literal (an IPv6 zone ``%eth0`` allowed)."""
    if not text:
        return False
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
        return True
    except ValueError:
        return False


def iso_timestamp(text: str) -> float:
    """UNIX seconds of an ISO 8601 date-time (``Z`` allowed). One without a UTC offset (HAR 1.2
    requires one; mitmproxy's old HARExtractor wrote none, in UTC) is taken as UTC, never as the
    analysing machine's local time. Raises ValueError/OverflowError/OSError when it is not one."""
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)).timestamp()


def iso_seconds(value: Any) -> float | None:
    """:func:`iso_timestamp` of a string field, else None."""
    try:
        return iso_timestamp(value) if isinstance(value, str) else None
    except (ValueError, OverflowError, OSError):
        return None
