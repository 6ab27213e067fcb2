"""Parsers for the text Android tools print (getprop, pm, settings, ps, mounts)."""

from __future__ import annotations

import re

_PROP_LINE = re.compile(r"^\[(?P<key>[^\]]+)\]: \[(?P<value>.*)\]$")


def parse_getprop(text: str) -> dict[str, str]:
    """``getprop`` without arguments: lines ``[key]: [value]`` (values may span lines)."""
    props: dict[str, str] = {}
    key: str | None = None
    for line in text.splitlines():
        m = _PROP_LINE.match(line)
        if m:
            props[m["key"]] = m["value"]
            key = None
            continue
        # a multi-line value: "[key]: [first" ... "last]"
        if line.startswith("[") and "]: [" in line:
            key, _, first = line[1:].partition("]: [")
            props[key] = first
        elif key is not None:
            if line.endswith("]"):
                props[key] += "\n" + line[:-1]
                key = None
            else:
                props[key] += "\n" + line
    return props


def parse_packages(text: str) -> dict[str, str | None]:
    """``pm list packages --show-versioncode``: ``package:NAME versionCode:N`` → {name: code}."""
    out: dict[str, str | None] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("package:"):
            continue
        fields = line[len("package:"):].split()
        if not fields:
            continue
        name, code = fields[0], None
        for f in fields[1:]:
            if f.startswith("versionCode:"):
                code = f.split(":", 1)[1]
        out[name] = code
    return out


def parse_setting(text: str) -> str | None:
    """``settings get``: the literal ``null`` means the key is absent."""
    value = text.strip()
    return None if value in ("", "null") else value


def parse_pids(text: str) -> list[int]:
    """``pidof NAME`` (space separated) or one pid per line."""
    return [int(t) for t in text.split() if t.isdigit()]


def mount_targets(text: str) -> list[str]:
    """Mount points from ``/proc/mounts`` or ``mount`` output (``dev on TARGET type ...`` or
    ``dev TARGET fstype ...``)."""
    targets = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "on":
            targets.append(parts[2])
        elif len(parts) >= 2:
            targets.append(parts[1])
    return targets


_PARCEL_WORD = re.compile(r"0x[0-9a-fA-F]+: ((?:[0-9a-fA-F]{8} ?){1,4})")


def parse_parcel_string(text: str) -> str | None:
    """The UTF-16 string in ``service call iphonesubinfo N`` output (``Result: Parcel(...)``).

    Words are little-endian 32-bit; after the status word and the length word come UTF-16 code
    units, two per word.
    """
    words: list[int] = []
    for m in _PARCEL_WORD.finditer(text):
        words.extend(int(w, 16) for w in m.group(1).split())
    if len(words) < 3 or words[0] != 0:
        return None
    length = words[1]
    if length <= 0 or length > 64:
        return None
    units: list[int] = []
    for w in words[2:]:
        units.append(w & 0xFFFF)
        units.append(w >> 16)
    chars = "".join(chr(u) for u in units[:length])
    return chars if chars.isprintable() else None


def parse_ps(text: str) -> list[dict[str, str]]:
    """``ps -A`` output as rows keyed by the header's column names (``PID``, ``PPID``, ``NAME``)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = lines[0].split()
    rows = []
    for line in lines[1:]:
        fields = line.split(None, len(header) - 1)
        if len(fields) == len(header):
            rows.append(dict(zip(header, fields, strict=True)))
    return rows
