"""The logcat ring buffer: app stdout lines and system messages, mirrored to a 0600 file."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.fsutil import private_file

LEVELS = "VDIWEF"
_LINE = re.compile(r"^([VDIWEF])/([^:]{1,100}?)\s*:\s?(.*)$")


@dataclass
class LogEntry:
    seq: int
    time: float
    pid: int
    tid: int
    level: str
    tag: str
    message: str

    def format(self, fmt: str = "threadtime") -> str:
        lt = time.localtime(self.time)
        stamp = time.strftime("%m-%d %H:%M:%S", lt) + f".{int(self.time * 1000) % 1000:03d}"
        if fmt == "brief":
            return f"{self.level}/{self.tag}({self.pid:5d}): {self.message}"
        if fmt == "time":
            return f"{stamp} {self.level}/{self.tag}({self.pid:5d}): {self.message}"
        if fmt == "raw":
            return self.message
        return f"{stamp} {self.pid:5d} {self.tid:5d} {self.level} {self.tag:<8}: {self.message}"


def parse_app_line(line: str) -> tuple[str, str, str] | None:
    """``"I/Probe: hello"`` -> ``("I", "Probe", "hello")``; None if not in logcat form."""
    m = _LINE.match(line)
    return (m.group(1), m.group(2), m.group(3)) if m else None


class LogBuffer:
    def __init__(self, file: Path, capacity: int = 20000) -> None:
        self.file = file
        self.entries: deque[LogEntry] = deque(maxlen=capacity)
        self.cond = threading.Condition()
        self._seq = 0
        self.clear()

    def clear(self) -> None:
        with self.cond:
            self.entries.clear()
            private_file(self.file)
            self.file.write_bytes(b"")

    def add(self, level: str, tag: str, message: str, pid: int = 0, tid: int | None = None) -> LogEntry:
        with self.cond:
            self._seq += 1
            entry = LogEntry(self._seq, time.time(), pid, tid if tid is not None else pid,
                             level if level in LEVELS else "I", tag, message)
            self.entries.append(entry)
            with self.file.open("a") as fh:
                fh.write(json.dumps(asdict(entry)) + "\n")
            self.cond.notify_all()
            return entry

    def snapshot(self) -> list[LogEntry]:
        with self.cond:
            return list(self.entries)

    def follow(self, stop: threading.Event, after: int = 0, poll: float = 0.2) -> Iterator[LogEntry]:
        """Entries with ``seq > after`` as they arrive, until ``stop`` is set."""
        last = after
        while not stop.is_set():
            with self.cond:
                new = [e for e in self.entries if e.seq > last]
                if not new:
                    self.cond.wait(poll)
                    continue
            for e in new:
                last = e.seq
                yield e


class LogFilter:
    """``-s TAG`` and ``TAG:LEVEL`` filter specs as logcat understands them."""

    def __init__(self, specs: list[str], silent: bool = False) -> None:
        self.default = "S" if silent else "V"
        self.tags: dict[str, str] = {}
        for spec in specs:
            tag, _, level = spec.partition(":")
            level = (level or "V").upper()[:1]
            if tag == "*":
                self.default = level
            else:
                self.tags[tag] = level

    def __call__(self, e: LogEntry) -> bool:
        want = self.tags.get(e.tag, self.default)
        if want == "S":
            return False
        return LEVELS.index(e.level) >= LEVELS.index(want)
