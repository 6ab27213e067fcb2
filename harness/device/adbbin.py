"""Which ``adb`` binary the harness runs, chosen once and shown everywhere.

Labs have many adb versions, and an adb client of one version kills a server of another on the
same port. adbutils on its own takes the first ``adb`` on ``PATH``, so installing Debian's
``adb`` package silently changed the harness's adb. The harness therefore decides, in this order:

1. an explicit ``--adb-path FILE`` option (``use_adb``),
2. the ``HARNESS_ADB`` environment variable,
3. adbutils' own variable ``ADBUTILS_ADB_PATH`` (adbutils ``_utils.adb_path`` reads it first),
4. the adb bundled with adbutils (platform-tools 36 at the time of writing),
5. the first ``adb`` on ``PATH``.

The choice is exported as ``ADBUTILS_ADB_PATH`` so adbutils' internal calls (its automatic
``adb start-server``, ``AdbDevice.install``...) run the same binary. ``doctor`` and every run's
device facts show the path, the version and where the choice came from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UsageError

ENV_VAR = "HARNESS_ADB"
ADBUTILS_ENV_VAR = "ADBUTILS_ADB_PATH"


@dataclass(frozen=True)
class AdbBinary:
    """``path`` of the adb executable, ``source`` of the choice (``--adb-path``, ``HARNESS_ADB``,
    ``ADBUTILS_ADB_PATH``, ``bundled`` or ``PATH``) and ``version`` (e.g. ``36.0.0-13206524``,
    None when ``adb version`` did not answer)."""

    path: str
    source: str
    version: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"path": self.path, "source": self.source, "version": self.version}

    def __str__(self) -> str:
        return f"{self.path} (version {self.version or 'unknown'}, from {self.source})"


def bundled_adb() -> str:
    """The adb binary shipped inside the adbutils package ("" if that build has none)."""
    try:
        from adbutils._utils import _get_bin_dir

        exe = Path(_get_bin_dir()) / ("adb.exe" if os.name == "nt" else "adb")
    except Exception:  # noqa: BLE001 - adbutils' private helper may change; fall back to PATH
        return ""
    return str(exe) if exe.is_file() else ""


def read_adb_version(path: str, timeout: float = 10.0) -> str | None:
    """The ``Version X`` line of ``adb version`` (e.g. ``36.0.0-13206524``; Debian's 29.0.6 prints
    ``Version 1:29.0.6-28``, given as is), else the protocol line ``1.0.41``; None if it fails."""
    try:
        proc = subprocess.run([path, "version"], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = proc.stdout.splitlines()
    for line in lines:
        if line.startswith("Version "):
            return line.split(None, 1)[1].strip()
    for line in lines:
        if line.startswith("Android Debug Bridge version"):
            return line.rsplit(" ", 1)[-1]
    return None


def _check(path: str, source: str) -> str:
    p = Path(path).expanduser()
    if not p.is_file() or not os.access(p, os.X_OK):
        shown = path if len(path) <= 80 else "..." + path[-77:]  # the file name is the telling end
        raise UsageError(
            f"{source} names {shown!r}, which is not an executable file",
            fix=f"give the path of an adb binary (e.g. /usr/bin/adb) or unset {source}"
            if source != "--adb-path" else "give the path of an adb binary, e.g. --adb-path /usr/bin/adb",
        )
    return str(p)


_chosen: AdbBinary | None = None
#: the value this module put into ADBUTILS_ADB_PATH (not a user's choice)
_exported: str | None = None


def resolve_adb(explicit: str | None = None) -> tuple[str, str]:
    """``(path, source)`` by the order in the module docstring; raises :class:`UsageError` when
    an explicitly named binary is missing or not executable, or when there is no adb at all."""
    if explicit:
        return _check(explicit, "--adb-path"), "--adb-path"
    for var in (ENV_VAR, ADBUTILS_ENV_VAR):
        value = os.environ.get(var)
        if value and not (var == ADBUTILS_ENV_VAR and _chosen is not None and value == _exported):
            return _check(value, var), var
    bundled = bundled_adb()
    if bundled:
        return bundled, "bundled"
    on_path = shutil.which("adb")
    if on_path:
        return on_path, "PATH"
    raise UsageError("no adb binary found",
                     fix="install platform-tools (or Debian's `adb` package), or give --adb-path FILE")


def use_adb(explicit: str | None = None) -> AdbBinary:
    """Choose the adb binary for this process (see the module docstring), export it to adbutils
    and return it. Later calls without ``explicit`` keep an earlier explicit choice."""
    global _chosen, _exported
    if explicit is None and _chosen is not None and _chosen.source == "--adb-path":
        return _chosen
    path, source = resolve_adb(explicit)
    if _chosen is None or _chosen.path != path or _chosen.source != source:
        version = _chosen.version if _chosen is not None and _chosen.path == path else read_adb_version(path)
        _chosen = AdbBinary(path, source, version)
    os.environ[ADBUTILS_ENV_VAR] = _exported = path
    return _chosen


def adb_binary() -> AdbBinary:
    """The adb binary in use (chosen on first call)."""
    return _chosen if _chosen is not None else use_adb()
