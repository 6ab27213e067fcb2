"""Session-wide isolation: every test session gets its own HOME, HARNESS_HOME, compile cache
(HARNESS_CACHE) and adb server port, so tests never touch the developer's ``~/.android`` keys, an adb
server on 5037 or their ``~/.cache/harness``."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

# the pure-Python tnetstring parser even where a compiled one is built (tests/analysis/test_tnet_compiled.py)
if os.environ.get("HARNESS_TEST_PARSER") == "pure":
    from harness.testing.parsers import force_pure

    force_pure()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pytest_configure(config):  # noqa: ARG001
    if os.environ.get("HARNESS_TEST_ISOLATED") == "1":
        return
    root = Path(tempfile.mkdtemp(prefix="harness-tests-"))
    os.environ["HOME"] = str(root / "home")
    os.environ["HARNESS_HOME"] = str(root / "harness-home")
    # one compile cache (virtual apps, trust stores) for the session's many fresh HARNESS_HOMEs:
    # content-keyed and file-locked, so each app compiles once instead of once per demo or pack run
    # (about 12 CPU s each); tests of compiling itself pass their own cache_dir
    os.environ["HARNESS_CACHE"] = str(root / "cache")
    (root / "home").mkdir(mode=0o700)
    # adb scans 5555-5585 for emulators; a private server port avoids the user's server on 5037
    os.environ["ANDROID_ADB_SERVER_PORT"] = str(_free_port())
    os.environ["HARNESS_TEST_ISOLATED"] = "1"
    # one adb for the whole session (bundled unless HARNESS_ADB names another): adbutils would
    # take the first adb on PATH, and two adb versions on one server port kill each other's server
    from harness.device.adbbin import use_adb

    chosen = use_adb()
    # the adb key before any adb server starts (xdist workers would race to create it): the
    # virtual handset trusts it, the adb servers sign with it
    import subprocess

    (root / "home" / ".android").mkdir(mode=0o700)
    subprocess.run([chosen.path, "keygen", str(root / "home" / ".android" / "adbkey")],
                   capture_output=True, timeout=60, check=False)


def pytest_unconfigure(config):  # noqa: ARG001
    if hasattr(config, "workerinput"):  # an xdist worker: the controller owns the shared adb server
        return
    port = os.environ.get("ANDROID_ADB_SERVER_PORT")
    if port and os.environ.get("HARNESS_TEST_ISOLATED") == "1":
        import subprocess

        try:
            from adbutils._utils import adb_path

            subprocess.run([adb_path(), "-P", port, "kill-server"], timeout=10, capture_output=True)
        except Exception:
            pass


def pytest_collection_modifyitems(config, items):  # noqa: ARG001
    """Run order for ``make test`` (``-n 2 --dist loadfile --no-loadscope-reorder``): the modules
    holding a ``slow`` test (the long end-to-end ones, minutes each) first, the others after them,
    most tests first (xdist's own order); a module's tests stay in their order.

    xdist hands each worker the next module when it runs dry, so a long module near the end of the
    queue keeps one worker busy while the other idles; starting the long ones first leaves only
    short modules for the end (longest-first scheduling)."""
    per_file: dict[Path, int] = {}
    slow: set[Path] = set()
    for item in items:
        per_file[item.path] = per_file.get(item.path, 0) + 1
        if item.get_closest_marker("slow"):
            slow.add(item.path)
    items.sort(key=lambda item: (item.path not in slow, -per_file[item.path]))
