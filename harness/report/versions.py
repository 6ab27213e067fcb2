"""Versions of the tools a run depended on, for findings documents and evidence bundles."""

from __future__ import annotations

import platform
import subprocess
from functools import cache
from importlib import metadata

from harness import __version__

#: Python distributions whose versions change what a run records or concludes
DISTRIBUTIONS = ("mitmproxy", "frida", "adbutils", "pandas", "pyarrow", "iptocc", "maxminddb")
#: of :func:`tool_versions`, those an analysis of a flow or HAR file used (no device, no Frida):
#: the flow-file reader, the frames and the geolocation layers
ANALYSIS_TOOLS = ("harness", "python", "mitmproxy", "pandas", "pyarrow", "iptocc", "maxminddb")


def tool_versions() -> dict[str, str | None]:
    """A copy of :func:`_tool_versions` (asked once per process: versions do not change under it)."""
    return dict(_tool_versions())


def analysis_versions() -> dict[str, str | None]:
    """The :data:`ANALYSIS_TOOLS` of :func:`tool_versions`: what analysing a ``.mitm`` or HAR file
    depended on (adb, Frida and Java played no part)."""
    versions = _tool_versions()
    return {k: versions.get(k) for k in ANALYSIS_TOOLS}


@cache
def _tool_versions() -> dict[str, str | None]:
    """``{"harness": "0.1.0", "python": "3.11.7", "mitmproxy": "11.0.2", ..., "java": "...",
    "adb": "36.0.0-13206524", "adb_path": "/.../adb"}``; a tool that is absent or does not
    answer maps to ``None``. The adb is the one the harness runs (:mod:`harness.device.adbbin`)."""
    out: dict[str, str | None] = {"harness": __version__, "python": platform.python_version()}
    for dist in DISTRIBUTIONS:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    out["java"] = _first_line(["java", "-version"])
    try:
        from harness.device.adbbin import adb_binary

        chosen = adb_binary()
        out["adb"], out["adb_path"] = chosen.version, chosen.path
    except Exception:  # noqa: BLE001 - a version string is informational
        out["adb"] = out["adb_path"] = None
    return out


def _first_line(argv: list[str]) -> str | None:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (proc.stdout or proc.stderr).strip()
    return text.splitlines()[0] if text else None
