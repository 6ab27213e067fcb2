"""A recording session: run store + recorder + in-process proxy, started and stopped together.

>>> with CaptureSession() as cap:                      # doctest: +SKIP
...     cap.timeline.begin("s1", "search")
...     ...  # drive the device through cap.address, trusting cap.ca.cert
>>> RunStore.open(cap.run_dir).status                  # doctest: +SKIP
'complete'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.capture.exposure import ProxyAccess
from harness.capture.proxy import CaFiles, ProxyRunner
from harness.capture.recorder import Recorder
from harness.capture.store import RunStore
from harness.capture.timeline import Timeline
from harness.errors import CaptureError, StoreError
from harness.fsutil import private_dir
from harness.runid import new_run_id


def runs_root() -> Path:
    return Path(os.environ.get("HARNESS_HOME", Path.home() / ".harness")) / "runs"


def new_run_dir(root: str | os.PathLike[str] | None = None) -> Path:
    base = private_dir(Path(root) if root else runs_root())
    return base / new_run_id()


class CaptureSession:
    """Everything needed to record a run; see the module docstring."""

    def __init__(
        self,
        run_dir: str | os.PathLike[str] | None = None,
        *,
        listen_host: str = "127.0.0.1",
        port: int = 0,
        confdir: str | os.PathLike[str] | None = None,
        addons: Sequence[Any] = (),
        options: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        body_cap: int | None = None,
        write_mitm: bool = True,
        access: ProxyAccess | None = None,
    ) -> None:
        self.run_dir = Path(run_dir) if run_dir else new_run_dir()
        self._listen = (listen_host, port)
        self._confdir = confdir
        self._addons = list(addons)
        self._options = dict(options or {})
        self._meta = dict(meta or {})
        self._body_cap = body_cap
        self._write_mitm = write_mitm
        self._access = access
        self.store: RunStore | None = None
        self.timeline = Timeline()
        self.recorder: Recorder | None = None
        self.proxy: ProxyRunner | None = None
        self.address: tuple[str, int] | None = None

    @property
    def ca(self) -> CaFiles:
        if self.proxy is None:
            raise CaptureError("the capture session is not started", attempted="get proxy CA")
        return self.proxy.ca

    @property
    def proxy_url(self) -> str:
        if self.proxy is None:
            raise CaptureError("the capture session is not started", attempted="get proxy address")
        return self.proxy.url

    def start(self) -> CaptureSession:
        host, port = self._listen
        self.store = RunStore.create(self.run_dir, meta=self._meta)
        self.timeline.attach(self.store)
        self.recorder = Recorder(self.store, self.timeline, write_mitm=self._write_mitm, body_cap=self._body_cap)
        self.proxy = ProxyRunner(listen_host=host, port=port, confdir=self._confdir,
                                 addons=[*self._addons, self.recorder], options=self._options,
                                 access=self._access)
        try:
            self.address = self.proxy.start()
        except CaptureError as exc:
            self.recorder.close_files()
            self.store.close("incomplete", reason=exc.reason)
            raise
        self.store.set_meta("proxy", {"host": self.address[0], "port": self.address[1],
                                      "ca_cert": str(self.proxy.ca.cert)})
        return self

    @property
    def error(self) -> StoreError | None:
        return self.recorder.failure if self.recorder else None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the proxy stops by itself (a recording error); True if it did."""
        return self.proxy.wait(timeout) if self.proxy else True

    def flush(self, timeout: float = 5.0) -> None:
        if self.recorder is not None:
            self.recorder.flush(timeout)

    def stop(self, status: str = "complete", reason: str | None = None) -> None:
        """Stop the proxy, close the files; the run is ``incomplete`` if recording failed.

        Raises the recording :class:`StoreError` (after closing) if there was one.
        """
        stop_error: CaptureError | None = None
        try:
            if self.proxy is not None:
                self.proxy.stop()
        except CaptureError as exc:
            stop_error = exc
        if self.recorder is not None:
            self.recorder.close_files()
        err: CaptureError | None = self.error or stop_error
        if self.store is not None:
            if err is None and self.timeline.current:
                self.timeline.end()
            if err is not None:
                status, reason = "incomplete", err.reason
            self.store.close(status, reason=reason)
        if err is not None:
            raise err

    def __enter__(self) -> CaptureSession:
        return self.start()

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.stop("complete" if exc_type is None else "incomplete")
