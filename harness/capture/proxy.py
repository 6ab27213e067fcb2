"""Run mitmproxy 11 in-process: a Master with its own event loop in its own thread.

mitmproxy keeps the running master in a process-wide context (``mitmproxy.ctx``), so only one
:class:`ProxyRunner` may run in a process at a time; a second ``start`` raises
:class:`~harness.errors.CaptureError`.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import threading
from collections.abc import Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mitmproxy import addons as mitm_addons
from mitmproxy import exceptions, options
from mitmproxy.addons import (
    block,
    core,
    disable_h2c,
    dns_resolver,
    next_layer,
    onboarding,
    proxyserver,
    strip_dns_https_records,
    tlsconfig,
    update_alt_svc,
)
from mitmproxy.master import Master

from harness.capture import ca
from harness.capture.ca import CA_BASENAME  # noqa: F401  (re-exported)
from harness.capture.exposure import ExposureGuard, ProxyAccess, is_loopback_host
from harness.errors import CaptureError
from harness.fsutil import FILE_MODE, check_private_file, open_private, private_dir

logger = logging.getLogger(__name__)

_active_lock = threading.Lock()
_active: ProxyRunner | None = None


def _quiet_cancel(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


@dataclass(frozen=True)
class CaFiles:
    """The proxy CA of a workspace: ``cert`` is what devices install; ``key`` (cert + key) is 0600."""

    confdir: Path
    cert: Path
    key: Path


def default_confdir() -> Path:
    return Path(os.environ.get("HARNESS_HOME", Path.home() / ".harness")) / "ca"


def ensure_ca(confdir: str | os.PathLike[str] | None = None) -> CaFiles:
    """Create the proxy CA in ``confdir`` (default ``HARNESS_HOME/ca``) if missing, generic or
    about to expire (see :mod:`harness.capture.ca`); every file in the folder must be ours (0600).
    Raises UnsafePathError (someone else's folder or file), CaptureError."""
    path = private_dir(Path(confdir) if confdir else default_confdir())
    key = ca.key_path(path)
    try:
        for name in sorted(os.listdir(path)):  # key, certificate, dhparam: ours, 0600
            check_private_file(path / name, FILE_MODE)
        if ca.needs_renewal(path):
            with open_private(path / ".lock", "ab") as lock:  # two runs starting at once
                fcntl.flock(lock, fcntl.LOCK_EX)
                if ca.needs_renewal(path):
                    ca.write_ca(path, path.parent)
    except OSError as exc:
        raise CaptureError(f"cannot create the proxy CA in {path}: {exc.strerror or exc}",
                           fix="make HARNESS_HOME writable", attempted="create proxy CA") from exc
    return CaFiles(confdir=path, cert=ca.cert_path(path), key=key)


#: mitmproxy's default addons that act with default options; the others (playback, map/modify
#: rules, sticky cookies, ``save``, ``hardump``, commands for the console, ...) act only when one of
#: their own options is set
ACTIVE_BY_DEFAULT = (core.Core, block.Block, strip_dns_https_records.StripDnsHttpsRecords, disable_h2c.DisableH2C,
                     onboarding.Onboarding, proxyserver.Proxyserver, dns_resolver.DnsResolver, next_layer.NextLayer,
                     tlsconfig.TlsConfig, update_alt_svc.UpdateAltSvc)


class _OptionNames:
    """A stand-in for mitmproxy's addon loader that only notes the names of declared options."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def add_option(self, name: str, *_: Any, **__: Any) -> None:
        self.names.add(name)

    def __getattr__(self, _name: str) -> Any:
        return lambda *_, **__: None


def mitmproxy_addons(option_names: Set[str] = frozenset()) -> list[Any]:
    """The mitmproxy default addons a harness proxy loads: those in :data:`ACTIVE_BY_DEFAULT`, or
    all of ``mitmproxy.addons.default_addons()`` if ``option_names`` sets an option of another one.

    mitmproxy offers every event to every addon in its chain (and an ``update`` event after each
    flow event), so each idle addon costs on every flow: the 21 idle default addons took about 30 %
    of the proxy's CPU per flow on loopback (559 → 792 flows per CPU-second, medians of 3 on 2
    shared cores; issue 17, ``benchmarks/record_overhead.py``). Behaviour with default options is
    unchanged.
    """
    chosen: list[Any] = []
    for addon in mitm_addons.default_addons():
        if isinstance(addon, ACTIVE_BY_DEFAULT):
            chosen.append(addon)
            continue
        loader = _OptionNames()
        if hasattr(addon, "load"):
            addon.load(loader)
        if loader.names & option_names:
            return mitm_addons.default_addons()
    return chosen


class _LogKeeper(logging.Handler):
    """Keeps mitmproxy's warnings and errors (to explain a failed start) instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage().strip()
        except Exception:  # noqa: BLE001 - a bad log call must not break the proxy
            return
        if msg:
            self.messages.append(msg)
            del self.messages[:-50]


class _Running:
    """Internal addon: tells the starting thread that the servers are up."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def running(self) -> None:
        self.event.set()


class ProxyRunner:
    """mitmproxy on ``listen_host:port`` (0 = a free port) with extra addons and options.

    Listening beyond loopback adds :class:`~harness.capture.exposure.ExposureGuard` with
    ``access`` (random credentials if not given): no open relay into this machine.

    Upstream certificates are verified only if ``ssl_verify_upstream_trusted_ca`` is given
    (or ``verify_upstream=True``); otherwise verification is off (``ssl_insecure``), so the proxy
    records whatever the device talks to.
    """

    def __init__(
        self,
        *,
        listen_host: str = "127.0.0.1",
        port: int = 0,
        confdir: str | os.PathLike[str] | None = None,
        addons: Sequence[Any] = (),
        options: dict[str, Any] | None = None,
        verify_upstream: bool | None = None,
        access: ProxyAccess | None = None,
    ) -> None:
        self.listen_host = listen_host
        self.port = port
        self.ca = ensure_ca(confdir)
        self.addons = list(addons)
        #: who may use the proxy when it listens beyond loopback (None: loopback only)
        self.access: ProxyAccess | None = None
        if not is_loopback_host(listen_host):
            self.access = access or ProxyAccess.make()
            self.addons.append(ExposureGuard(self.access))
        self.options = dict(options or {})
        if verify_upstream is None:
            verify_upstream = bool(self.options.get("ssl_verify_upstream_trusted_ca"))
        self.options.setdefault("ssl_insecure", not verify_upstream)
        self.master: Master | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.address: tuple[str, int] | None = None
        self._thread: threading.Thread | None = None
        self._startup_error: BaseException | None = None
        self._stopped = threading.Event()
        self.log = _LogKeeper()

    @property
    def url(self) -> str:
        if self.address is None:
            raise CaptureError("the proxy is not running", attempted="get proxy address")
        host, port = self.address
        return f"http://{host}:{port}"

    def start(self, timeout: float = 20.0) -> tuple[str, int]:
        """Start and return the bound (host, port)."""
        global _active
        with _active_lock:
            if _active is not None:
                raise CaptureError("a proxy is already running in this process",
                                   fix="stop it first (mitmproxy allows one master per process)",
                                   attempted="start proxy")
            _active = self
        probe = _Running()
        logging.getLogger("mitmproxy").addHandler(self.log)
        self._thread = threading.Thread(target=self._thread_main, args=(probe,), name="mitmproxy", daemon=True)
        self._thread.start()
        if not probe.event.wait(timeout) or self._startup_error is not None:
            err = self._startup_error
            self.stop()
            if isinstance(err, CaptureError):
                raise err
            raise CaptureError(f"mitmproxy did not start: {err or f'no answer within {timeout} s'}",
                               fix="check the port is free and the options are valid",
                               attempted=f"start proxy on {self.listen_host}:{self.port}") from err
        assert self.master is not None
        addrs = self.master.addons.get("proxyserver").listen_addrs()
        if not addrs:
            self.stop()
            why = next((m for m in reversed(self.log.messages) if "listen" in m.lower() or "address" in m.lower()),
                       None)
            raise CaptureError(f"mitmproxy could not listen on {self.listen_host}:{self.port}"
                               + (f": {why.splitlines()[0]}" if why else ""),
                               fix="choose a free port (or 0 for any) and a local address",
                               attempted="start proxy")
        host, port = addrs[0][:2]
        self.address = (str(host), int(port))
        return self.address

    def _thread_main(self, probe: _Running) -> None:
        try:
            asyncio.run(self._main(probe))
        except BaseException as exc:  # noqa: BLE001 - reported to start()/wait()
            if not probe.event.is_set():
                self._startup_error = exc
                probe.event.set()
            else:
                logger.exception("mitmproxy stopped with an error")
        finally:
            self._stopped.set()
            self._release()

    async def _main(self, probe: _Running) -> None:
        self.loop = asyncio.get_running_loop()
        opts = options.Options()
        master = Master(opts, event_loop=self.loop)
        master.addons.add(*mitmproxy_addons(set(self.options)))
        master.addons.add(*self.addons)
        master.addons.add(probe)
        try:
            opts.update(
                listen_host=self.listen_host, listen_port=self.port, confdir=str(self.ca.confdir),
                **self.options,
            )
        except (exceptions.OptionsError, KeyError) as exc:
            raise CaptureError(f"invalid proxy option: {exc}", fix="check option names and values",
                               attempted="configure proxy") from exc
        self.master = master
        try:
            await master.run()
            # mitmproxy leaves its listening sockets to process exit; close them now
            if ps := master.addons.get("proxyserver"):
                await ps.servers.update([])
        finally:
            # connections still open at shutdown are cancelled by asyncio.run: expected, not errors
            self.loop.set_exception_handler(_quiet_cancel)

    def _release(self) -> None:
        global _active
        logging.getLogger("mitmproxy").removeHandler(self.log)
        with _active_lock:
            if _active is self:
                _active = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the proxy stops (e.g. an addon shut it down); True if it stopped."""
        return self._stopped.wait(timeout)

    def stop(self, timeout: float = 15.0) -> None:
        """Shut down (runs addons' ``done``) and join the thread. Idempotent."""
        if self.master is not None and self.running:
            self.master.shutdown()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise CaptureError(f"mitmproxy did not stop within {timeout} s", attempted="stop proxy")
        self._release()

    def __enter__(self) -> ProxyRunner:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
