"""Run ids: the one format of the name of every run directory and pytest session the harness makes.

``YYYYMMDDTHHMMSSZ-xxxxxx``: the UTC time the run started in ISO 8601's basic format (``T`` between
date and time, ``Z`` for UTC), then 6 random hex digits so two runs started in the same second
(two workers, two labs) never share a name, e.g. ``20261201T101530Z-3f9a1c``. Ids sort by start
time as text. Used by ``harness record``/``intercept``/``demo`` and every lab
(:func:`harness.capture.session.new_run_dir`), by the pytest plugin's session folders
(``OUT/<session id>/``) and by ``harness run``'s run directory when pytest made none.

Earlier versions named pytest sessions ``YYYYMMDD-HHMMSS-xxxx`` and that fallback
``harness-run-YYYYMMDD-HHMMSS``; :func:`run_id_time` still reads both (docs/dev/contracts.md).
"""

from __future__ import annotations

import datetime
import re
import secrets
import time

#: the format of a run id (``20261201T101530Z-3f9a1c``)
RUN_ID = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)-[0-9a-f]{6}$")
#: the older formats still read: a pytest session id (``20261201-101530-ab12``) and ``harness run``'s
#: run directory when pytest made no session folder (``harness-run-20261201-101530``)
OLD_RUN_IDS = (re.compile(r"^(?P<stamp>\d{8}-\d{6})-[0-9a-f]{4}$"), re.compile(r"^harness-run-(?P<stamp>\d{8}-\d{6})$"))


def new_run_id(started_at: float | None = None) -> str:
    """A fresh run id for a run started at ``started_at`` (UNIX seconds; default now)."""
    when = time.time() if started_at is None else started_at
    stamp = datetime.datetime.fromtimestamp(when, datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def run_id_time(name: str) -> float | None:
    """The UTC start time (UNIX seconds, whole) a run id names, in the current format or an older
    one (:data:`OLD_RUN_IDS`); None for a name that is no run id (a folder named by the user)."""
    if m := RUN_ID.match(name):
        fmt, stamp = "%Y%m%dT%H%M%SZ", m["stamp"]
    elif m := next((m for p in OLD_RUN_IDS if (m := p.match(name))), None):
        fmt, stamp = "%Y%m%d-%H%M%S", m["stamp"]
    else:
        return None
    try:
        parsed = datetime.datetime.strptime(stamp, fmt)
    except ValueError:  # e.g. a 13th month
        return None
    return parsed.replace(tzinfo=datetime.UTC).timestamp()
