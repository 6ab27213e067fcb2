"""The adb binaries the handset's ADB tests run against, each with its own adb server.

``available_adbs()`` lists the bundled adb (adbutils') and, when installed, Debian's older adb
(package ``adb``, 29.0.6, ``/usr/bin/adb``). Two adb versions must never share a server port:
a client of one version kills a server of another. The bundled one uses the session's server
(``ANDROID_ADB_SERVER_PORT`` from ``tests/conftest.py``, shared by xdist workers); every other
one gets a private server on a free port, killed when its fixture ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import adbutils

from harness.device.adbbin import bundled_adb, read_adb_version

DEBIAN_ADB = "/usr/bin/adb"


@dataclass
class AdbTool:
    """One adb binary and the port of the adb server it talks to."""

    name: str
    path: str
    port: int
    own_server: bool

    @property
    def version(self) -> str:
        return read_adb_version(self.path) or "?"

    def __call__(self, *args: str, timeout: float = 30, stdin: bytes | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [self.path, "-P", str(self.port), *args],
            capture_output=True,
            timeout=timeout,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )

    def start_server(self) -> adbutils.AdbClient:
        for _ in range(5):
            # xdist workers share the bundled server; when two start it at once one loses the port
            if self("start-server").returncode == 0:
                break
            time.sleep(0.5)
        client = adbutils.AdbClient(host="127.0.0.1", port=self.port)
        assert client.server_version() > 0
        return client

    def stop_server(self) -> None:
        if self.own_server:
            self("kill-server", timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available_adbs() -> list[str]:
    """Names of the adb binaries on this machine: ``bundled`` and, if installed, ``debian``."""
    names = ["bundled"]
    debian = Path(DEBIAN_ADB)
    if debian.is_file() and os.access(debian, os.X_OK) and shutil.which(DEBIAN_ADB):
        names.append("debian")
    return names


def make_tool(name: str) -> AdbTool:
    if name == "bundled":
        return AdbTool(name, bundled_adb(), int(os.environ["ANDROID_ADB_SERVER_PORT"]), own_server=False)
    return AdbTool(name, DEBIAN_ADB, _free_port(), own_server=True)
