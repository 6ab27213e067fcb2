"""``cmd SERVICE ARGS``: Android's binder shell command runner, for the services adb uses.

The handset advertises the ``cmd`` feature, so adb (29 and 36 alike) installs with
``exec:cmd package 'install' -S SIZE`` and the APK bytes on stdin (``install_app_streamed`` in
adb's ``client/adb_install.cpp``) and uninstalls with ``cmd package uninstall PKG``. ``cmd
package`` is ``pm`` with that streamed install added; other services answer as Android does when
a service is missing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from harness.sim.android.shell.commands import command
from harness.sim.android.shell.commands.packages import pm
from harness.sim.android.shell.interp import CmdIO, Shell

#: a streamed "APK" larger than this is refused (virtual apps are zips of sources)
MAX_STREAMED_APK = 256 * 1024 * 1024
#: where a streamed package is staged (readable by the shell user, as a pushed file)
STAGING_DIR = "/data/local/tmp"


@command("cmd")
def cmd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    if len(argv) < 2 or argv[1] in ("-l", "-h"):
        io.print("Currently running services:")
        io.print("  activity")
        io.print("  package")
        io.print("  settings")
        return 0
    service, args = argv[1], argv[2:]
    if service == "package":
        if args[:1] == ["install"] and "-S" in args:
            return _streamed_install(sh, args[1:], io)
        return pm(sh, ["pm", *args], io)
    if service in ("activity", "settings"):
        from harness.sim.android.shell.commands import COMMANDS

        return COMMANDS["am" if service == "activity" else "settings"](sh, [service, *args], io)
    io.error(f"cmd: Can't find service: {service}")
    return 20


def _streamed_install(sh: Shell, args: list[str], io: CmdIO) -> int:
    """``cmd package install [OPTIONS] -S SIZE``: SIZE bytes of the package on stdin, staged as
    ``/data/local/tmp/vmdlN.tmp`` (adb's non-streamed install pushes there too) and installed by
    ``pm install``, so every rule of ``pm install`` applies to both paths."""
    index = args.index("-S")
    try:
        size = int(args[index + 1])
    except (IndexError, ValueError):
        io.error("Error: must specify a APK size")
        return 1
    if not 0 < size <= MAX_STREAMED_APK:
        io.print("Failure [INSTALL_FAILED_INVALID_APK: bad size]")
        return 1
    folder = sh.device.fs.host_path(STAGING_DIR)
    fd, name = tempfile.mkstemp(prefix="vmdl", suffix=".tmp", dir=folder)
    device_path = f"{STAGING_DIR}/{Path(name).name}"
    try:
        remaining = size
        with os.fdopen(fd, "wb") as fh:
            while remaining:
                chunk = io.stdin.read(min(remaining, 65536))  # type: ignore[attr-defined]
                if not chunk:
                    break
                fh.write(chunk)
                remaining -= len(chunk)
        if remaining:
            io.print(f"Failure [INSTALL_FAILED_INVALID_APK: got {size - remaining} of {size} bytes]")
            return 1
        return pm(sh, ["pm", "install", device_path], io)
    finally:
        os.unlink(name)
