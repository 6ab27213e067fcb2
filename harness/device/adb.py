"""Talking to handsets: the adb server (local or remote) through adbutils, nothing else.

A physical phone, a device-farm phone behind a remote adb server and the virtual handset all go
through the same code here. Every adbutils failure is turned into a typed
:class:`~harness.errors.DeviceError` that names the serial, what was attempted and the fix.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import adbutils
from adbutils.errors import AdbError, AdbTimeout

from harness.errors import (
    DeviceDiskFull,
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceUnauthorized,
    RootRequired,
    UsageError,
)

DEFAULT_TIMEOUT = 30.0
#: what to do when no handset is attached (a phone, a TCP device or the virtual handset)
NO_DEVICE_HINT = ("plug in a phone with USB debugging on, `adb connect HOST:PORT` a TCP device, "
                  "or start the virtual handset with `harness sim start`; then check `harness devices`")
_DISK_FULL_MARKERS = ("No space left on device", "ENOSPC")


@dataclass(frozen=True)
class AdbServer:
    """Where the adb server listens: the local one (``ANDROID_ADB_SERVER_PORT``, default 5037)
    or a remote one such as a DeviceFarmer/STF host."""

    host: str = "127.0.0.1"
    port: int = 5037

    @classmethod
    def parse(cls, text: str | None) -> AdbServer:
        """``None`` → the local server; ``HOST:PORT`` or ``PORT`` → that server."""
        if not text:
            return cls(
                os.environ.get("ANDROID_ADB_SERVER_HOST", "127.0.0.1"),
                int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037")),
            )
        host, sep, port = text.rpartition(":")
        if not sep:
            host, port = "127.0.0.1", text
        try:
            number = int(port)
        except ValueError:
            number = -1
        if not host or not 0 < number < 65536:
            raise UsageError(
                f"bad adb server address {text!r}",
                fix="give it as HOST:PORT, e.g. --adb 127.0.0.1:5037 or --adb farm.lab:7100",
            )
        return cls(host, number)

    @property
    def is_local(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1")

    @property
    def is_default(self) -> bool:
        """The local server adb itself starts (``ANDROID_ADB_SERVER_PORT``, default 5037): the
        only one the harness ever starts. Any other address is a server someone runs already."""
        return self.is_local and self.port == int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037"))

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def server_reachable(server: AdbServer, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection((server.host, server.port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_server(server: AdbServer, timeout: float = 30.0) -> adbutils.AdbClient:
    """An adbutils client for ``server``. Only the default local server
    (:attr:`AdbServer.is_default`) is started when none runs, with the chosen adb binary
    (:mod:`harness.device.adbbin`); for any other address a :class:`DeviceError` says that
    nothing answers there (a server started on a mistyped port would linger and show no devices)."""
    if not server_reachable(server):
        if not server.is_default:
            raise DeviceError(
                f"no adb server answers at {server}",
                attempted="connect to adb server",
                fix=("check the port (the local adb server listens on "
                     f"{os.environ.get('ANDROID_ADB_SERVER_PORT', '5037')}; omit --adb for it)"
                     if server.is_local else
                     "check the device farm address and that its adb port is reachable from this host"),
            )
        from harness.device.adbbin import adb_binary

        try:
            subprocess.run(
                [adb_binary().path, "-P", str(server.port), "start-server"],
                timeout=timeout, capture_output=True, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeviceError(
                f"cannot start the local adb server: {exc}",
                attempted="start adb server",
                fix="run `adb start-server` by hand and look at its output",
            ) from exc
        if not server_reachable(server):
            raise DeviceError(
                f"the local adb server did not come up on port {server.port}",
                attempted="start adb server",
                fix="run `adb kill-server; adb start-server` and retry",
            )
    return adbutils.AdbClient(host=server.host, port=server.port, socket_timeout=DEFAULT_TIMEOUT)


def connect_tcp_device(client: adbutils.AdbClient, address: str, timeout: float = 15.0) -> str:
    """``adb connect HOST:PORT`` for a device reachable over TCP; returns its serial."""
    try:
        answer = client.connect(address, timeout=timeout)
    except AdbError as exc:
        raise DeviceNotFound(
            f"adb connect failed: {exc}", serial=address, attempted="adb connect",
            fix="check the device's IP and that `adb tcpip 5555` was run on it",
        ) from exc
    if "connected" not in answer or "unable" in answer or "failed" in answer:
        raise DeviceNotFound(
            answer.strip() or "adb connect failed", serial=address, attempted="adb connect",
            fix="check the device's IP and that `adb tcpip 5555` was run on it",
        )
    return address


@dataclass
class ShellResult:
    command: str
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def text(self) -> str:
        return (self.stdout + self.stderr).strip()


def classify_failure(serial: str, result: ShellResult, attempted: str) -> DeviceError:
    """The typed error for a shell command that ran but failed."""
    text = result.text
    if any(m in text for m in _DISK_FULL_MARKERS):
        return DeviceDiskFull(
            "the device's storage is full", serial=serial, attempted=attempted,
            fix="free space on the phone (delete media or apps) and retry",
        )
    if "Permission denied" in text or "Operation not permitted" in text or "Read-only" in text:
        return RootRequired(
            f"not permitted: {text[:200]}", serial=serial, attempted=attempted,
            fix="root the device (Magisk) or use an emulator image that allows `adb root`",
        )
    return DeviceError(
        f"exit {result.returncode}: {text[:300]}", serial=serial, attempted=attempted,
        fix="see the message above; `harness doctor --device SERIAL` checks the usual causes",
    )


def _device_state(client: adbutils.AdbClient, serial: str) -> str | None:
    try:
        for info in client.list():
            if info.serial == serial:
                return info.state
    except (AdbError, OSError):
        return None
    return None


def check_state(client: adbutils.AdbClient, serial: str, attempted: str = "open device") -> None:
    """Raise the typed error for a device that is missing, unauthorized or offline."""
    state = _device_state(client, serial)
    if state == "device":
        return
    if state is None:
        raise DeviceNotFound(
            "no such device on the adb server", serial=serial, attempted=attempted,
            fix=NO_DEVICE_HINT,
        )
    if state == "unauthorized":
        raise DeviceUnauthorized(
            "the device has not accepted this computer's adb key", serial=serial, attempted=attempted,
            fix="unlock the phone and accept the RSA prompt ('Allow USB debugging'), then retry",
        )
    raise DeviceOffline(
        f"the device is {state}", serial=serial, attempted=attempted,
        fix=("reconnect the cable or `adb reconnect` (toggle USB debugging on the phone); "
             f"then `harness restore --device {serial}` puts back anything already changed"),
    )


class Device:
    """One handset behind an adb server. All device I/O of the harness goes through this."""

    def __init__(self, client: adbutils.AdbClient, serial: str, server: AdbServer | None = None) -> None:
        self.client = client
        self.serial = serial
        self.server = server or AdbServer(client.host, client.port)
        self._adb = client.device(serial=serial)
        self._root_method: str | None = None
        self._root_probed = False

    @classmethod
    def open(cls, serial: str | None = None, adb: str | AdbServer | None = None) -> Device:
        """Open ``serial`` (or the only attached device) on the given adb server."""
        server = adb if isinstance(adb, AdbServer) else AdbServer.parse(adb)
        client = ensure_server(server)
        if serial is None:
            ready = [i for i in client.list() if i.state == "device"]
            if len(ready) != 1:
                raise DeviceNotFound(
                    f"{len(ready)} devices ready, cannot choose" if ready else "no device attached",
                    attempted="open device",
                    fix="pass --device SERIAL (see `harness devices`)",
                )
            serial = ready[0].serial
        check_state(client, serial)
        return cls(client, serial, server)

    # -- error translation -------------------------------------------------------------------

    def _fail(self, exc: BaseException, attempted: str) -> DeviceError:
        text = str(exc)
        if any(m in text for m in _DISK_FULL_MARKERS):
            return DeviceDiskFull(
                "the device's storage is full", serial=self.serial, attempted=attempted,
                fix="free space on the phone (delete media or apps) and retry",
            )
        try:
            check_state(self.client, self.serial, attempted)
        except DeviceNotFound:
            return DeviceOffline(
                "the device went away during the operation", serial=self.serial, attempted=attempted,
                fix=f"reconnect the phone, then run `harness restore --device {self.serial}`",
            )
        except DeviceError as err:
            return err
        if isinstance(exc, AdbTimeout | TimeoutError | socket.timeout):
            return DeviceOffline(
                "the device stopped answering (timeout)", serial=self.serial, attempted=attempted,
                fix="check the cable/network; then run `harness restore --device SERIAL`",
            )
        return DeviceError(
            f"adb failed: {text}", serial=self.serial, attempted=attempted,
            fix="check `adb devices`; retry",
        )

    # -- shell -------------------------------------------------------------------------------

    def sh(self, command: str, *, timeout: float = DEFAULT_TIMEOUT, check: bool = False,
           attempted: str | None = None) -> ShellResult:
        """Run an Android shell line; ``check`` raises a DeviceError on a non-zero exit."""
        what = attempted or f"shell `{command}`"
        try:
            ret = self._adb.shell2(command, timeout=timeout, v2=True)
        except (AdbError, OSError) as exc:
            raise self._fail(exc, what) from exc
        # shell v2 separates stdout/stderr; the v1 fallback only has the merged output
        stdout = ret.stdout if (ret.stdout or ret.stderr) else ret.output
        result = ShellResult(command, ret.returncode, stdout, ret.stderr or "")
        if check and not result.ok:
            raise self._command_failed(result, what)
        return result

    def _command_failed(self, result: ShellResult, attempted: str) -> DeviceError:
        return classify_failure(self.serial, result, attempted)

    # -- root --------------------------------------------------------------------------------

    @property
    def root_method(self) -> str | None:
        """``adb-root``, ``magisk``, ``su`` or ``None``; probed once."""
        if not self._root_probed:
            from harness.device.root import detect_root_method

            self._root_method = detect_root_method(self)
            self._root_probed = True
        return self._root_method

    def forget_root(self) -> None:
        self._root_probed = False

    def su(self, command: str, *, timeout: float = DEFAULT_TIMEOUT, check: bool = False,
           attempted: str | None = None) -> ShellResult:
        """Run ``command`` as root, by whatever method this device offers."""
        what = attempted or f"root shell `{command}`"
        method = self.root_method
        if method is None:
            raise RootRequired(
                "this needs root and the device offers none (no adb root, no su)",
                serial=self.serial, attempted=what,
                fix="root the phone with Magisk, or use an emulator/userdebug build and run `adb root`",
            )
        line = command if method == "adb-root" else f"su -c {shlex.quote(command)}"
        return self.sh(line, timeout=timeout, check=check, attempted=what)

    # -- properties ---------------------------------------------------------------------------

    def getprop(self, key: str) -> str:
        return self.sh(f"getprop {shlex.quote(key)}", attempted=f"getprop {key}").stdout.strip()

    def props(self) -> dict[str, str]:
        from harness.device.parse import parse_getprop

        return parse_getprop(self.sh("getprop", attempted="read properties").stdout)

    # -- files --------------------------------------------------------------------------------

    def push(self, data: bytes | Path, remote: str, mode: int = 0o644) -> None:
        what = f"push {remote}"
        try:
            src = data if isinstance(data, bytes) else Path(data).read_bytes()
            self._adb.sync.push(src, remote, mode=mode, check=False)
        except (AdbError, OSError) as exc:
            raise self._fail(exc, what) from exc

    def read_bytes(self, remote: str) -> bytes:
        try:
            return self._adb.sync.read_bytes(remote)
        except (AdbError, OSError) as exc:
            raise self._fail(exc, f"pull {remote}") from exc

    def exists(self, remote: str) -> bool:
        return self.sh(f"ls {shlex.quote(remote)}", attempted=f"stat {remote}").ok

    # -- port mapping -------------------------------------------------------------------------

    def reverse(self, device_port: int, host_port: int) -> None:
        try:
            self._adb.reverse(f"tcp:{device_port}", f"tcp:{host_port}")
        except (AdbError, OSError) as exc:
            raise self._fail(exc, f"adb reverse tcp:{device_port} tcp:{host_port}") from exc

    def reverse_remove(self, device_port: int) -> None:
        try:
            self._adb.reverse_remove(f"tcp:{device_port}")
        except AdbError as exc:
            if "not found" in str(exc) or "listener" in str(exc):
                return
            raise self._fail(exc, f"adb reverse --remove tcp:{device_port}") from exc
        except OSError as exc:
            raise self._fail(exc, f"adb reverse --remove tcp:{device_port}") from exc

    def reverse_list(self) -> list[tuple[str, str]]:
        try:
            return [(r.remote, r.local) for r in self._adb.reverse_list()]
        except (AdbError, OSError) as exc:
            raise self._fail(exc, "adb reverse --list") from exc

    def forward(self, device_port: int) -> int:
        """Forward a free host loopback port to ``device_port``; returns the host port."""
        try:
            return self._adb.forward_port(device_port)
        except (AdbError, OSError) as exc:
            raise self._fail(exc, f"adb forward tcp:{device_port}") from exc

    def forward_remove(self, host_port: int) -> None:
        try:
            self._adb.forward_remove(f"tcp:{host_port}", raise_non_found=False)
        except (AdbError, OSError) as exc:
            raise self._fail(exc, f"adb forward --remove tcp:{host_port}") from exc

    # -- misc ---------------------------------------------------------------------------------

    def screencap(self) -> bytes:
        try:
            ret = self._adb.shell2("screencap -p", encoding=None, timeout=DEFAULT_TIMEOUT, v2=True)
        except (AdbError, OSError) as exc:
            raise self._fail(exc, "screencap") from exc
        if ret.returncode != 0:
            raise DeviceError("screencap failed", serial=self.serial, attempted="screencap",
                              fix="unlock the screen and retry")
        return bytes(ret.stdout if ret.stdout else ret.output)

    def adb_root(self) -> str:
        """``adb root``: restart adbd as root (emulators and userdebug builds only)."""
        try:
            return str(self._adb.root())
        except (AdbError, OSError) as exc:
            raise self._fail(exc, "adb root") from exc
