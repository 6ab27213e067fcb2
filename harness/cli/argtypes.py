"""Shared ``type=`` callables of the ``harness`` commands' options, so a bad value is refused while
the command line is parsed, before anything starts, and every command words it the same way.

Each raises ``ValueError`` for a bad value; argparse then reports ``invalid <function name>
value``, which :mod:`harness.cli.parser` turns into the one line naming the option, the value and
the form expected (its ``_TYPE_WORDS``: ``harness intercept: --duration '-5': expected a positive
number of seconds (e.g. 30 or 2.5); see harness intercept --help``), exit 2.
"""

from __future__ import annotations

import math
import re

#: the largest TCP port number (RFC 793: a 16-bit field)
MAX_PORT = 65535

_HEX64 = re.compile(r"[0-9a-f]{64}")


def seconds(value: str) -> float:
    """A duration in seconds: a finite number above 0 (``30``, ``2.5``). Raises ValueError."""
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(value)
    return number


def port(value: str) -> int:
    """A TCP port 0-65535 (0: let the system pick a free one). Raises ValueError."""
    number = int(value)
    if not 0 <= number <= MAX_PORT:
        raise ValueError(value)
    return number


def sha256_hex(value: str) -> str:
    """A SHA-256 as 64 hexadecimal digits (case and surrounding blanks ignored); the lower-case
    digits. Raises ValueError (a hash cut short, ``sha256:`` prefixed, not hex)."""
    digits = value.strip().lower()
    if not _HEX64.fullmatch(digits):
        raise ValueError(value)
    return digits


#: each callable's name (as argparse reports it) -> the form a value must have
TYPE_WORDS = {
    "seconds": "a positive number of seconds (e.g. 30 or 2.5)",
    "port": f"a port number 0-{MAX_PORT}",
    "sha256_hex": "64 hexadecimal digits (the SHA-256 `harness bundle` printed)",
}
