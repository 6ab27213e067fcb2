"""TLS key logs from the ``tls-keylog`` agent, written in the NSS key-log format (``SSLKEYLOGFILE``).

Wireshark and tshark decrypt a packet capture of traffic that never went through the proxy with
this file (``tshark -r capture.pcap -o tls.keylog_file:sslkeylog.txt``). Format: one
``LABEL <client_random hex> <secret hex>`` line per secret, as libssl hands them to its key-log
callback (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from harness.instrument.events import HookEvent

#: the key log's file name inside a run directory
KEYLOG_FILE = "sslkeylog.txt"


class KeyLogWriter:
    """An event sink appending every ``tls:keylog`` line to ``path`` (created 0600; other events are
    ignored). Pass it in ``sinks=`` or ``session.add_sink``; :meth:`close` when the session ends."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        self._file = os.fdopen(fd, "a", encoding="ascii", newline="\n")
        self._lock = threading.Lock()
        #: lines written so far
        self.lines = 0

    def __call__(self, event: HookEvent) -> None:
        if event.type != "tls:keylog":
            return
        line = str(event.payload.get("line", "")).strip()
        if not line or "\n" in line:
            return
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()
            self.lines += 1

    def close(self) -> None:
        with self._lock:
            self._file.close()
