"""Redaction of what is shown or shared: live lines, reports meant for others (issue 11 item 8).

The run store, ``--json`` output and ``findings.json`` keep full values: they are evidence. What
is printed while a run goes on (live lines) and what a report layer marks as "for sharing" goes
through these helpers:

* :func:`redact_url` keeps scheme, host, path and query *names*, drops query values, fragments
  and user info (a query often carries tokens, search terms and identifiers);
* :func:`redact_value` keeps the last four characters of an identifier (enough to tell two apart
  on a screen, as card numbers are shown);
* :func:`redact_facts` applies it to the device identifiers of ``artifacts/facts.json``
  (docs/dev/contracts.md §6).

>>> redact_url("https://ads.example.test/v1/config?token=abc123&q=free+tibet#top")
'https://ads.example.test/v1/config?token=…&q=…'
>>> redact_value("356938035643809")
'…3809'
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

MASK = "…"
#: device identifiers in facts.json that are personal data (docs/lab-guide.md §7)
IDENTIFIER_KEYS = ("android_id", "advertising_id", "imei", "serial", "adb_serial", "phone_number",
                   "account_email", "wifi_mac", "bluetooth_mac", "imsi", "iccid")


def redact_query(query: str) -> str:
    """``a=1&b=2`` → ``a=…&b=…`` (names kept, values dropped; a bare name stays bare)."""
    if not query:
        return ""
    parts = []
    for name, _value in parse_qsl(query, keep_blank_values=True):
        parts.append(f"{name}={MASK}")
    if not parts:  # not name=value pairs (e.g. a bare token): drop it whole
        return MASK
    return "&".join(parts)


def redact_url(url: str | None) -> str:
    """A URL without query values, fragment or user info; a path-only URL keeps its form."""
    if not url:
        return url or ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("?", 1)[0] + (f"?{MASK}" if "?" in url else "")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, redact_query(parts.query), ""))


def redact_value(value: Any, keep: int = 4) -> Any:
    """The last ``keep`` characters of a string identifier behind a mask; lists item by item;
    anything else (None, numbers) unchanged."""
    if isinstance(value, str):
        return MASK + value[-keep:] if len(value) > keep else MASK
    if isinstance(value, list):
        return [redact_value(v, keep) for v in value]
    return value


def redact_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """A copy of device facts with every identifier (also under ``identifiers``) redacted."""
    out = dict(facts)
    for key in IDENTIFIER_KEYS:
        if key in out:
            out[key] = redact_value(out[key])
    if isinstance(out.get("identifiers"), dict):
        out["identifiers"] = {k: redact_value(v) for k, v in out["identifiers"].items()}
    return out
