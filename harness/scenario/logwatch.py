"""A streaming logcat watcher: one ``adb shell logcat -v brief`` stream for the whole lab.

The stream (adbutils' ``shell(..., stream=True)``, the same service ``adb logcat`` uses) is read on
its own thread; every line is parsed (``V/Tag( pid): message``), kept in order, and wakes the
lab's :class:`~harness.scenario.waits.Pulse`, so a step waiting for an app's log line is woken by
the line itself instead of re-reading ``logcat -d``. When the stream ends before :meth:`close`
(the device went away, adb restarted), :attr:`ended` says so and the lab's checks raise.

An action that reads what the app logs in answer (``lab.search`` / ``lab.trigger`` with
``surfaces=``) first writes a marker line to the device log (:meth:`LogWatcher.mark`: ``adb shell
log -t HarnessMark``) and reads only the lines after it (:meth:`LogWatcher.after`): the device log's
own order, so a line the app wrote before the action began is never taken as its answer, even when
the stream delivers it late (the watcher's line count at that moment would be).

``I/Render`` lines are the virtual app contract for what an app put on screen (JSON with ``pkg``,
``surface``, ``subject``, ``items``: docs/dev/contracts.md); :func:`renders` reads them, and
:func:`search_failures` the lines in which an app says that its search for a term failed.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import threading
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from harness.device.logcat import LogLine

if TYPE_CHECKING:
    from harness.device.adb import Device
    from harness.scenario.waits import Pulse

_BRIEF = re.compile(r"^([VDIWEF])/(.+?)\(\s*(\d+)\): ?(.*)$")
#: the tag of the harness's marker lines in the device log (:meth:`LogWatcher.mark`)
MARK_TAG = "HarnessMark"


def parse_brief(raw: str) -> LogLine | None:
    """One ``logcat -v brief`` line, or None for headers (``--------- beginning of main``)."""
    m = _BRIEF.match(raw.rstrip("\r\n"))
    return LogLine(m.group(1), m.group(2).strip(), int(m.group(3)), m.group(4)) if m else None


class LogWatcher:
    """The device log as a growing list; ``start()`` opens the stream, ``close()`` ends it."""

    def __init__(self, device: Device, pulse: Pulse | None = None) -> None:
        self.device = device
        self.pulse = pulse
        self._lines: list[LogLine] = []
        self._lock = threading.Lock()
        self._conn: Any = None
        self._thread: threading.Thread | None = None
        self._closing = False
        #: why the stream ended on its own (None while it runs or after close())
        self.ended: str | None = None

    def start(self) -> LogWatcher:
        from adbutils.errors import AdbError

        try:
            adb = self.device.client.device(serial=self.device.serial)
            self._conn = adb.shell("logcat -v brief", stream=True)
        except (AdbError, OSError) as exc:
            raise self.device._fail(exc, "stream logcat") from exc
        self._thread = threading.Thread(target=self._read, name=f"logcat:{self.device.serial}", daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        reader = self._conn.conn.makefile("rb")
        try:
            for raw in reader:
                line = parse_brief(raw.decode("utf-8", "replace"))
                if line is None:
                    continue
                with self._lock:
                    self._lines.append(line)
                if self.pulse is not None:
                    self.pulse.notify()
        except (OSError, ValueError) as exc:
            if not self._closing:
                self.ended = f"the logcat stream failed: {exc}"
        finally:
            if not self._closing and self.ended is None:
                self.ended = "the logcat stream ended (device disconnected?)"
            if self.pulse is not None:
                self.pulse.notify()

    def close(self) -> None:
        self._closing = True
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.conn.shutdown(2)
            with contextlib.suppress(Exception):
                self._conn.close()
        if self._thread is not None:
            self._thread.join(5)

    # -- reading ---------------------------------------------------------------------------------

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._lines)

    def lines(self, tags: tuple[str, ...] | str | None = None, pid: int | None = None,
              since: int = 0) -> list[LogLine]:
        """Lines from index ``since`` on, optionally of ``tags`` and ``pid``."""
        wanted = (tags,) if isinstance(tags, str) else tags
        with self._lock:
            chunk = self._lines[since:]
        return [ln for ln in chunk if (not wanted or ln.tag in wanted) and (pid is None or ln.pid == pid)]

    def mark(self, what: str) -> str:
        """Write a marker line ``I/HarnessMark: WHAT <random hex>`` to the device log (``log -t``,
        Android's toybox command; the virtual handset has it too) and return its message, for
        :meth:`after`. Raises :class:`~harness.errors.DeviceError` when the device refuses it."""
        message = f"{what[:60]} {uuid.uuid4().hex[:16]}"
        self.device.sh(f"log -p i -t {MARK_TAG} {shlex.quote(message)}", timeout=30, check=True,
                       attempted="write a marker to the device log")
        return message

    def after(self, message: str, since: int = 0) -> int | None:
        """The index of the first line after the marker ``message`` (:meth:`mark`; looked for from
        index ``since`` on), or None while the stream has not delivered it yet."""
        with self._lock:
            for i in range(since, len(self._lines)):
                line = self._lines[i]
                if line.tag == MARK_TAG and line.message == message:
                    return i + 1
        return None

    def find(self, tag: str, predicate: Callable[[str], bool], *, pid: int | None = None,
             since: int = 0) -> LogLine | None:
        return next((ln for ln in self.lines(tag, pid, since) if predicate(ln.message)), None)

    def tail(self, n: int = 15) -> str:
        with self._lock:
            last = self._lines[-n:]
        return " | ".join(f"{ln.level}/{ln.tag}({ln.pid}): {ln.message[:100]}" for ln in last)


def renders(lines: list[LogLine], package: str, subject: str | None = None) -> list[dict[str, Any]]:
    """What an app put on screen: the JSON documents of its ``I/Render`` lines, in order."""
    out = []
    for line in lines:
        if line.tag != "Render":
            continue
        try:
            doc = json.loads(line.message)
        except ValueError:
            continue
        if isinstance(doc, dict) and doc.get("pkg") == package and (subject is None or doc.get("subject") == subject):
            out.append(doc)
    return out


#: ``search failed query="TERM": reason`` (the query JSON-quoted, as the virtual browser logs it) or
#: ``search failed: reason``; only at the start of a message, so that an analytics SDK's
#: ``event search failed: ...`` (its usage event named "search" was not sent) is not taken for it
_SEARCH_FAILED = re.compile(r'^search failed(?: query=("(?:[^"\\]|\\.)*"))?(?=[:\s]|$)')


def search_failures(lines: list[LogLine], tags: tuple[str, ...], term: str) -> list[str]:
    """The messages, in order, of the lines of ``tags`` in which the app reports that its search
    for ``term`` failed (docs/dev/contracts.md §4): ``search failed query="TERM": reason``, or
    ``search failed: reason`` naming no query (then taken as this search's). Not one: a line
    naming another query (an earlier search's failure logged late), or one where the words only
    appear inside the message, such as the virtual browser's ``W/SensorsData: event search failed:
    ... Certificate pinning failure!`` (its pinned analytics event named "search", sent after
    every search, which the interception proxy's certificate fails: a ``pinning_failure`` finding
    of the analysis, not a failed search). ``lines`` are the caller's: :meth:`LogWatcher.after`
    a search's marker, so that a failure logged before the search began is not read at all."""
    out = []
    for line in lines:
        if line.tag not in tags:
            continue
        m = _SEARCH_FAILED.match(line.message)
        if m is None:
            continue
        if m.group(1) is not None:
            try:
                query = json.loads(m.group(1))
            except ValueError:
                query = None
            if query != term:
                continue
        out.append(line.message)
    return out
