"""Debian's headless Chromium driven by Playwright, for the tests that open report.html as a
reviewer's browser would (offline: no background networking, no component updates, no sync).

``CHROMIUM`` is the browser's path, or ``None`` when it is not installed (scripts/setup.sh
installs it; tests skip with that reason). :func:`headless_chromium` yields a launched
``playwright.sync_api.Browser`` and closes it on the way out.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: offline and quiet: a report must render from its own file, with nothing fetched
ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run")


@contextlib.contextmanager
def headless_chromium() -> Iterator[Any]:
    """A launched headless Chromium (``playwright.sync_api.Browser``), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(ARGS))
        try:
            yield browser
        finally:
            browser.close()
