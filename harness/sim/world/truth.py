"""The world's ground-truth log: what it served, which terms were in force, what it received.

One JSON object per line, appended and flushed as it happens (0600 file)::

    {"seq": 7, "ts": "2026-11-28T11:40:02.123456+00:00", "event": "ads_served",
     "service": "ads", "host": "api.ad.vendor.test", "client": "127.0.0.1", ...event fields}
"""

from __future__ import annotations

import datetime
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from harness.fsutil import FILE_MODE


class TruthLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._seq = 0
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        os.chmod(self.path, FILE_MODE)
        self._file = os.fdopen(fd, "a", encoding="utf-8")

    def record(self, event: str, **fields: object) -> dict:
        with self._lock:
            self._seq += 1
            entry = {
                "seq": self._seq,
                "ts": datetime.datetime.now(datetime.UTC).isoformat(),
                "event": event,
                **fields,
            }
            if not self._file.closed:
                self._file.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
                self._file.flush()
            return entry

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()

    def entries(self, event: str | None = None, **match: object) -> list[dict]:
        """Read back the log (optionally only one event kind and entries whose fields equal ``match``)."""
        return list(read_truth(self.path, event, **match))


def read_truth(path: Path, event: str | None = None, **match: object) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            entry = json.loads(line)
            if event is not None and entry.get("event") != event:
                continue
            if any(entry.get(k) != v for k, v in match.items()):
                continue
            yield entry
