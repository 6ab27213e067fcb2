"""frida-server on the device: find a binary for its ABI, check it is pinned (SHA-256 per version
and ABI, :mod:`.frida_pins`) and its version matches the Python ``frida`` package, push, start as
root on a random loopback port with a random token, check it answers, stop it afterwards.

While it runs, its port and token are in ``HARNESS_HOME/frida-server/running/<serial>.json``
(0600) for ``harness hook --frida forward``; an app on the phone that finds the port still needs
the token (issue 11 item 6).

Binaries are looked up at a path the user gives or in the cache
``HARNESS_HOME/frida-server/<version>/<abi>/frida-server``. :func:`download` fills the cache from
Frida's GitHub releases; it is only called on explicit request and fails with a clear error
offline.

The virtual handset runs a stand-in instead of an ARM binary: a text file whose first line is
``#!vsim:frida-server VERSION``; the device runs it as a process named ``frida-server``.
"""

from __future__ import annotations

import json
import lzma
import secrets
import shlex
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import frida

from harness.device.frida_pins import STANDIN_MAGIC, check_binary
from harness.device.journal import safe_serial
from harness.device.parse import parse_pids
from harness.device.paths import FRIDA_PORT, FRIDA_SERVER
from harness.errors import FridaServerError, UsageError
from harness.fsutil import check_private_file, private_dir, write_private

if TYPE_CHECKING:
    from harness.device.adb import Device
    from harness.device.session import DeviceSession

#: device ports frida-server may be started on (random each time; 27042 is Frida's default)
PORT_RANGE = (20000, 60000)
RELEASE_URL = "https://github.com/frida/frida/releases/download/{v}/frida-server-{v}-android-{arch}.xz"

#: Android ABI → Frida's architecture name
ABI_ARCH = {"arm64-v8a": "arm64", "armeabi-v7a": "arm", "armeabi": "arm", "x86": "x86", "x86_64": "x86_64"}


def client_version() -> str:
    return str(frida.__version__)


def cache_path(home: Path, version: str, abi: str) -> Path:
    return Path(home) / "frida-server" / version / abi / "frida-server"


def standin_version(binary: bytes) -> str | None:
    """The version a virtual-handset stand-in declares, or None for a real binary."""
    if not binary.startswith(STANDIN_MAGIC):
        return None
    return binary.split(b"\n", 1)[0][len(STANDIN_MAGIC):].decode().strip()


def find_binary(home: Path, abi: str, version: str | None = None, path: Path | None = None) -> Path:
    """The frida-server to push: ``path`` if given, else the cache entry for ``abi``."""
    version = version or client_version()
    if path is not None:
        if not Path(path).is_file():
            raise UsageError(f"frida-server binary {path} does not exist",
                             fix="give the path of an unpacked frida-server for the device's ABI")
        return Path(path)
    cached = cache_path(home, version, abi)
    if cached.is_file():
        return cached
    arch = ABI_ARCH.get(abi, abi)
    raise FridaServerError(
        f"no frida-server {version} for ABI {abi} in the cache", attempted="find frida-server",
        fix=(f"download frida-server-{version}-android-{arch}.xz from github.com/frida/frida/releases, "
             f"check its SHA-256, unpack it to {cached} (or pass --frida-server FILE)"),
    )


def download(home: Path, abi: str, version: str | None = None, timeout: float = 60.0) -> Path:
    """Fetch and unpack the release binary into the cache (needs internet)."""
    version = version or client_version()
    arch = ABI_ARCH.get(abi)
    if arch is None:
        raise FridaServerError(f"unknown ABI {abi!r}", attempted="download frida-server",
                               fix="pass --frida-server FILE built for this device")
    url = RELEASE_URL.format(v=version, arch=arch)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (fixed https URL)
            packed = resp.read()
    except OSError as exc:
        raise FridaServerError(
            f"cannot download {url}: {exc}", attempted="download frida-server",
            fix=f"this machine seems offline: fetch the file elsewhere and unpack it to "
                f"{cache_path(home, version, abi)}",
        ) from exc
    try:
        binary = lzma.decompress(packed)
    except lzma.LZMAError as exc:
        raise FridaServerError(f"{url} is not an xz file: {exc}", attempted="download frida-server",
                               fix="retry; a proxy may have changed the download") from exc
    check_binary(binary, version, abi, home, name=url)  # nothing unpinned enters the cache
    target = cache_path(home, version, abi)
    private_dir(target.parent)
    write_private(target, binary)
    return target


@dataclass
class FridaServerStatus:
    running: bool
    pids: list[int]
    version: str | None
    client_version: str
    #: frida's client reached the server through an adb forward (None: not probed)
    answers: bool | None = None
    #: device loopback port and token of a server this harness started (None: Frida's defaults)
    port: int = FRIDA_PORT
    token: str | None = None

    @property
    def version_ok(self) -> bool:
        return self.version == self.client_version


def server_pids(device: Device) -> list[int]:
    pids = parse_pids(device.sh(f"pidof {FRIDA_SERVER}").stdout)
    return sorted(set(pids + parse_pids(device.sh("pidof frida-server").stdout)))


def device_version(device: Device, remote: str = FRIDA_SERVER) -> str | None:
    """``frida-server --version`` run on the device."""
    res = device.sh(f"{remote} --version", timeout=20)
    text = res.stdout.strip()
    return text.splitlines()[-1].strip() if res.ok and text else None


def probe(device: Device, timeout: float = 5.0, port: int = FRIDA_PORT, token: str | None = None) -> bool:
    """Does a frida client reach the server? (adb forward to its port + a real frida query; the
    forward is removed in every case)."""
    host_port = device.forward(port)
    try:
        kwargs = {"token": token} if token else {}
        remote = frida.get_device_manager().add_remote_device(f"127.0.0.1:{host_port}", **kwargs)
        try:
            remote.query_system_parameters()
            return True
        except frida.TransportError:
            return False
        except frida.ServerNotRunningError:
            return False
        finally:
            frida.get_device_manager().remove_remote_device(f"127.0.0.1:{host_port}")
    finally:
        device.forward_remove(host_port)


def running_file(home: Path, serial: str) -> Path:
    return Path(home) / "frida-server" / "running" / f"{safe_serial(serial)}.json"


def running_server(home: Path, serial: str) -> tuple[int, str | None]:
    """``(device port, token)`` of the frida-server this harness started on ``serial``, or Frida's
    default port without a token."""
    path = running_file(home, serial)
    if not path.exists():
        return FRIDA_PORT, None
    check_private_file(path)
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
        port, token = int(rec["port"]), str(rec["token"])
    except (ValueError, KeyError, TypeError, RecursionError):
        raise FridaServerError(f"{path} is not a record the harness wrote", attempted="read frida-server port",
                               fix="delete it; restart frida-server with `harness intercept --frida-server FILE`") from None
    return port, token


def status(device: Device, check_answers: bool = False) -> FridaServerStatus:
    pids = server_pids(device)
    version = device_version(device) if device.exists(FRIDA_SERVER) else None
    answers = probe(device) if (check_answers and pids) else None
    return FridaServerStatus(bool(pids), pids, version, client_version(), answers)


def deploy(session: DeviceSession, binary: Path, *, check_answers: bool = True,
           timeout: float = 15.0) -> FridaServerStatus:
    """Push and start ``binary`` as root; verify version and that it runs (and answers)."""
    device = session.device
    data = Path(binary).read_bytes()
    want = client_version()
    abi = device.getprop("ro.product.cpu.abi")
    check_binary(data, want, abi, session.home, name=str(binary))
    declared = standin_version(data)
    if declared is not None and declared != want:
        raise FridaServerError(
            f"frida-server {declared} does not match the frida client {want}",
            serial=device.serial, attempted="check frida-server version",
            fix=f"use frida-server {want} (pip's frida and the server must be the same version)",
        )
    if device.root_method is None:
        from harness.errors import RootRequired

        raise RootRequired("frida-server must run as root", serial=device.serial,
                           attempted="start frida-server",
                           fix="root the phone (Magisk) or use `adb root` on an emulator")
    if server_pids(device):
        raise FridaServerError(
            "a frida-server is already running", serial=device.serial, attempted="start frida-server",
            fix="stop it (`adb shell su -c 'pkill frida-server'`) so the harness can run its own version",
        )
    session.record("file", f"frida-server binary {FRIDA_SERVER}", {"path": FRIDA_SERVER, "root": True})
    device.push(data, FRIDA_SERVER, mode=0o755)
    device.sh(f"chmod 755 {FRIDA_SERVER}")
    version = device_version(device)
    if version != want:
        raise FridaServerError(
            f"frida-server on the device reports version {version!r}, the frida client is {want}",
            serial=device.serial, attempted="check frida-server version",
            fix=f"use frida-server {want} for this device's ABI",
        )
    session.record("process", "running frida-server", {"path": FRIDA_SERVER, "root": True})
    port = PORT_RANGE[0] + secrets.randbelow(PORT_RANGE[1] - PORT_RANGE[0])
    token = secrets.token_urlsafe(24)
    state = running_file(session.home, device.serial)
    private_dir(state.parent)
    write_private(state, json.dumps({"port": port, "token": token}))
    device.su(f"{FRIDA_SERVER} -D -l 127.0.0.1:{port} --token {shlex.quote(token)}", check=True,
              attempted="start frida-server")
    deadline = time.monotonic() + timeout
    while not server_pids(device):
        if time.monotonic() > deadline:
            raise FridaServerError("frida-server did not start", serial=device.serial,
                                   attempted="start frida-server",
                                   fix="check SELinux (`harness doctor`) and `adb logcat` for its error")
        time.sleep(0.3)
    st = FridaServerStatus(True, server_pids(device), version, want, port=port, token=token)
    if check_answers:
        st.answers = probe(device, port=port, token=token)
        if not st.answers:
            raise FridaServerError("frida-server runs but does not answer", serial=device.serial,
                                   attempted="probe frida-server",
                                   fix=f"check nothing else uses port {port} on the device; restart it")
    return st


def stop(device: Device, home: Path | None = None) -> None:
    for pid in server_pids(device):
        device.su(f"kill {pid}")
    device.su(f"rm -f {shlex.quote(FRIDA_SERVER)}")
    if home is not None:
        running_file(home, device.serial).unlink(missing_ok=True)
