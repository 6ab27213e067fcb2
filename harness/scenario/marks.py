"""Step marks for a technician driving the phone by hand (``harness intercept``).

A mark begins a new step on the capture timeline (the previous manual step ends), so a manual
session gets per-step evidence and verdicts like a scripted one. Three ways in:

- the mitmproxy command ``harness.mark NAME`` (:class:`MarkAddon`, e.g. from a mitmproxy console
  script);
- ``harness mark NAME`` from another shell: it reads the session's control file
  (``HARNESS_HOME/intercept/SERIAL.json``, 0600: proxy address, run directory, a random token) and
  sends ``GET http://harness.mark/step?name=NAME&token=T`` through the proxy, which the addon
  answers itself (never forwarded) after calling ``harness.mark``; without the token the request
  is answered 403, so an app on the phone cannot insert steps. The request with the token is the
  harness's own: it becomes the step, never a flow of the run (no destination, no export row, its
  token nowhere in the run); one without it is recorded like any request the phone sends;
- a line typed in the intercept terminal (Enter alone: ``step-N``; a word: that name).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from mitmproxy import command, http

from harness.capture.connections import CONTROL_KEY
from harness.errors import UsageError
from harness.fsutil import private_dir, write_private
from harness.parsing import quote

#: the host name the proxy answers itself for marks (never resolved, never forwarded)
MARK_HOST = "harness.mark"


class MarkAddon:
    """mitmproxy addon: the ``harness.mark`` command and its HTTP entry through the proxy."""

    def __init__(self, mark: Callable[[str], str], token: str) -> None:
        self._mark = mark
        self.token = token

    @command.command("harness.mark")
    def mark(self, name: str) -> None:
        """Begin step NAME on the run's timeline (the previous manual step ends)."""
        self._mark(name)

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.request.pretty_host != MARK_HOST:
            return
        query = parse_qs(urlsplit(flow.request.path).query)
        if query.get("token", [""])[0] != self.token:
            flow.response = http.Response.make(403, b"bad token\n", {"content-type": "text/plain"})
            return
        flow.metadata[CONTROL_KEY] = True  # ours: the recorder keeps the step, not the request
        name = query.get("name", [""])[0]
        try:
            step = self._mark(name)
        except UsageError as exc:
            flow.response = http.Response.make(400, f"{exc.reason}\n".encode(), {"content-type": "text/plain"})
            return
        flow.response = http.Response.make(200, f"{step}\n".encode(), {"content-type": "text/plain"})


def valid_name(name: str) -> str:
    """A step name: 1-64 characters of letters, digits, ``-``, ``_`` or ``.``."""
    if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
        raise UsageError(f"bad step name {name[:80]!r}",
                         fix="use 1-64 letters, digits, '-', '_' or '.', e.g. search-sensitive")
    return name


def control_path(home: Path, serial: str) -> Path:
    safe = "".join(c if c.isalnum() else "_" for c in serial)
    return private_dir(Path(home) / "intercept") / f"{safe}.json"


def write_control(home: Path, serial: str, proxy: tuple[str, int], run_dir: Path,
                  token: str | None = None) -> tuple[Path, str]:
    """The control file of a running intercept session; (its path, the token)."""
    token = token or secrets.token_urlsafe(16)
    path = control_path(home, serial)
    write_private(path, json.dumps({"serial": serial, "proxy": list(proxy), "run_dir": str(run_dir),
                                    "token": token}))
    return path, token


def _serial_of(control: Path) -> str:
    """The device serial a session's control file names (its file name when unreadable)."""
    try:
        return str(json.loads(control.read_text())["serial"])
    except (OSError, ValueError, KeyError, TypeError):
        return control.stem


def send_mark(home: Path, name: str, serial: str | None = None, timeout: float = 10.0) -> str:
    """``harness mark NAME``: mark a step in the running intercept session (of ``serial``, or the
    only one running). Returns the step id. Raises :class:`UsageError` when no session runs."""
    import urllib.request

    valid_name(name)
    folder = Path(home) / "intercept"
    running = [f for f in (sorted(folder.glob("*.json")) if folder.is_dir() else []) if f.is_file()]
    files = [f for f in [control_path(home, serial)] if f.is_file()] if serial else running
    if serial and not files:  # the device was named: do not ask for it again
        others = ", ".join(_serial_of(f) for f in running)
        raise UsageError(f"no running `harness intercept` session for device {quote(serial)[1:-1]}"
                         + (f" (sessions run for: {others})" if others else ""),
                         fix=f"start `harness intercept --device {quote(serial)[1:-1]}` first"
                             + (", or name one of those devices" if others else ""))
    if not files:
        raise UsageError("no running `harness intercept` session", fix="start `harness intercept` first")
    if len(files) > 1:
        raise UsageError(f"{len(files)} intercept sessions run: {', '.join(_serial_of(f) for f in files)}",
                         fix="name the device with --device SERIAL")
    info = json.loads(files[0].read_text())
    host, port = info["proxy"]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://{host}:{port}"}))
    url = f"http://{MARK_HOST}/step?" + urlencode({"name": name, "token": info["token"]})
    try:
        with opener.open(url, timeout=timeout) as answer:
            return str(answer.read().decode().strip())
    except OSError as exc:
        raise UsageError(f"the intercept session of {info['serial']} does not answer ({exc})",
                         fix="is `harness intercept` still running? a stale control file is removed at its end") from None
