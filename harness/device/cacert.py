"""Installing the proxy's CA certificate where Android reads it.

* **system store** (root): a tmpfs is mounted over ``/system/etc/security/cacerts`` holding the
  existing certificates plus ours (``<subject_hash_old>.0``, root:root, 0644, SELinux label
  ``system_file``). Nothing is written to the real system partition; unmounting (or a reboot)
  undoes it.
* **Android 14+** (API 34): apps read the Conscrypt APEX store
  ``/apex/com.android.conscrypt/cacerts``. The tmpfs above is bind-mounted over it in the init
  mount namespace and, with ``nsenter``, inside each zygote's and each running app's mount
  namespace, because each of those has its own copy of the mount table.
* **user store** with root: the file goes to ``/data/misc/user/0/cacerts-added``. Without root a
  user CA can only be added through the Settings UI: the certificate is pushed to
  ``/sdcard/Download`` and the installer is opened; the technician finishes on the phone.

Every step is journaled before it is made and checked after.
"""

from __future__ import annotations

import hashlib
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography import x509

from harness.device.parse import parse_pids, parse_ps
from harness.device.paths import APEX_CACERTS, SDCARD_CA, STAGING, SYSTEM_CACERTS, USER_CACERTS
from harness.errors import DeviceError, RootRequired, UsageError

if TYPE_CHECKING:
    from harness.device.adb import Device
    from harness.device.session import DeviceSession

SYSTEM_FILE_LABEL = "u:object_r:system_file:s0"
APEX_MIN_API = 34


def android_cert_name(cert: x509.Certificate) -> str:
    """File name Android uses in ``cacerts`` folders: ``<subject_hash_old>.0``.

    ``subject_hash_old`` is OpenSSL's MD5-based hash of the DER subject name (first 4 bytes, little
    endian), which is what ``openssl x509 -subject_hash_old`` prints.
    """
    digest = hashlib.md5(cert.subject.public_bytes()).digest()
    value = int.from_bytes(digest[:4], "little")
    return f"{value:08x}.0"


def load_cert(pem: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise UsageError(f"not a PEM certificate: {exc}",
                         fix="pass the proxy CA as PEM (mitmproxy: ~/.mitmproxy/mitmproxy-ca-cert.pem)") from exc


@dataclass
class CaInstall:
    method: str  # "system", "system+apex", "user-root", "user-manual"
    file_name: str
    #: device paths where the certificate was verified to be visible
    verified_paths: list[str] = field(default_factory=list)
    #: namespaces (pids) the APEX store was bound into
    namespaces: list[int] = field(default_factory=list)
    #: what the technician must do on the phone (user-manual only)
    instructions: str | None = None

    @property
    def verified(self) -> bool:
        return bool(self.verified_paths)


def choose_method(api: int, root: bool) -> str:
    """The CA install method this device allows: the system store with root (through the APEX on
    Android 14+), else the manual user store."""
    if not root:
        return "user-manual"
    return "system+apex" if api >= APEX_MIN_API else "system"


def _api(device: Device) -> int:
    text = device.getprop("ro.build.version.sdk")
    return int(text) if text.isdigit() else 0


def _root(session: DeviceSession, attempted: str) -> Device:
    device = session.device
    if device.root_method is None:
        raise RootRequired("installing into this CA store needs root", serial=device.serial,
                           attempted=attempted,
                           fix="root the phone (Magisk), use `adb root` on an emulator, or use --ca user")
    return device


def _stage(session: DeviceSession, pem: bytes, name: str) -> str:
    """Put our certificate in the staging folder on the device; return its path."""
    device = session.device
    session.record("file", f"staging folder {STAGING}", {"path": STAGING, "root": True})
    device.su(f"mkdir -p {STAGING}", check=True, attempted="create staging folder")
    device.su(f"chmod 777 {STAGING}", check=True, attempted="open staging folder for push")
    staged = f"{STAGING}/{name}"
    device.push(pem, staged, mode=0o644)
    return staged


def _verify(device: Device, path: str, ns_pid: int | None = None) -> bool:
    cmd = f"ls {shlex.quote(path)}"
    if ns_pid:
        cmd = f"nsenter --mount=/proc/{ns_pid}/ns/mnt -- {cmd}"
    return device.su(cmd).ok


def _namespace_pids(device: Device) -> list[int]:
    """Zygotes and the apps they forked: each has its own mount namespace."""
    zygotes = set(parse_pids(device.sh("pidof zygote64 zygote").stdout))
    pids = set(zygotes)
    for row in parse_ps(device.sh("ps -A").stdout):
        if row.get("PPID", "").isdigit() and int(row["PPID"]) in zygotes and row.get("PID", "").isdigit():
            pids.add(int(row["PID"]))
    return sorted(pids)


def install_system_ca(session: DeviceSession, pem: bytes) -> CaInstall:
    """tmpfs over the system store (plus the APEX store on Android 14+); needs root."""
    device = _root(session, "install CA into the system store")
    cert = load_cert(pem)
    name = android_cert_name(cert)
    apex = _api(device) >= APEX_MIN_API and device.sh(f"ls -d {APEX_CACERTS}").ok
    source = APEX_CACERTS if apex else SYSTEM_CACERTS
    staged = _stage(session, pem, name)
    copy = f"{STAGING}/cacerts"
    device.su(f"mkdir -p {copy} && cp {source}/* {copy}/ && cp {staged} {copy}/{name}", check=True,
              attempted="copy the current CA store")

    session.record("mount", f"tmpfs over {SYSTEM_CACERTS}", {"target": SYSTEM_CACERTS})
    device.su(f"mount -t tmpfs tmpfs {SYSTEM_CACERTS}", check=True, attempted=f"mount tmpfs on {SYSTEM_CACERTS}")
    device.su(
        f"cp {copy}/* {SYSTEM_CACERTS}/ && chown root:root {SYSTEM_CACERTS}/* "
        f"&& chmod 644 {SYSTEM_CACERTS}/* && chcon {SYSTEM_FILE_LABEL} {SYSTEM_CACERTS}/*",
        check=True, attempted="fill the tmpfs CA store",
    )
    result = CaInstall("system+apex" if apex else "system", name)
    if _verify(device, f"{SYSTEM_CACERTS}/{name}"):
        result.verified_paths.append(f"{SYSTEM_CACERTS}/{name}")

    if apex:
        session.record("mount", f"bind {SYSTEM_CACERTS} over {APEX_CACERTS}", {"target": APEX_CACERTS})
        device.su(f"mount --bind {SYSTEM_CACERTS} {APEX_CACERTS}", check=True,
                  attempted=f"bind-mount over {APEX_CACERTS}")
        for pid in _namespace_pids(device):
            session.record("mount", f"bind over {APEX_CACERTS} in mount namespace of pid {pid}",
                           {"target": APEX_CACERTS, "ns_pid": pid})
            res = device.su(f"nsenter --mount=/proc/{pid}/ns/mnt -- "
                            f"mount --bind {SYSTEM_CACERTS} {APEX_CACERTS}")
            if res.ok and _verify(device, f"{APEX_CACERTS}/{name}", pid):
                result.namespaces.append(pid)
        if _verify(device, f"{APEX_CACERTS}/{name}"):
            result.verified_paths.append(f"{APEX_CACERTS}/{name}")
        else:
            result.verified_paths.clear()
    if not result.verified:
        raise DeviceError(f"the CA file {name} is not visible where Android reads it",
                          serial=device.serial, attempted="verify CA install",
                          fix="check SELinux (`harness doctor`); on Android 14+ reboot and retry")
    return result


def install_user_ca(session: DeviceSession, pem: bytes) -> CaInstall:
    """The user store: directly with root; without root, push + open the installer."""
    device = session.device
    cert = load_cert(pem)
    name = android_cert_name(cert)
    if device.root_method is None:
        return _user_ca_manual(session, pem, name)
    staged = _stage(session, pem, name)
    target = f"{USER_CACERTS}/{name}"
    session.record("file", f"user CA {target}", {"path": target, "root": True})
    device.su(f"mkdir -p {USER_CACERTS} && cp {staged} {target} && chmod 644 {target}", check=True,
              attempted="install user CA")
    device.su(f"chown system:system {target}")
    result = CaInstall("user-root", name)
    if _verify(device, target):
        result.verified_paths.append(target)
    else:
        raise DeviceError(f"{target} is not visible after install", serial=device.serial,
                          attempted="verify user CA", fix="check SELinux mode and free space")
    return result


def _user_ca_manual(session: DeviceSession, pem: bytes, name: str) -> CaInstall:
    device = session.device
    session.record("file", f"CA copy {SDCARD_CA}", {"path": SDCARD_CA, "root": False})
    device.sh("mkdir -p /sdcard/Download")
    device.push(pem, SDCARD_CA, mode=0o644)
    if not device.exists(SDCARD_CA):
        raise DeviceError(f"{SDCARD_CA} missing after push", serial=device.serial,
                          attempted="push CA to sdcard", fix="check free space on the phone")
    if _api(device) < 30:
        device.sh(f"am start -a android.credentials.INSTALL -t application/x-x509-ca-cert "
                  f"-d file://{SDCARD_CA}")
    else:  # Android 11+ refuses CA certificates through the installer intent
        device.sh("am start -a android.settings.SECURITY_SETTINGS")
    return CaInstall(
        "user-manual", name,
        instructions=("On the phone: Settings > Security > Encryption & credentials > Install a "
                      f"certificate > CA certificate, pick Download/harness-ca.crt ({name}). "
                      "Apps targeting Android 7+ ignore user CAs unless their network security "
                      "config allows them; use a rooted phone for system apps."),
    )


def ca_visible(device: Device, name: str) -> dict[str, bool]:
    """Where the certificate ``name`` is visible now (used by doctor and tests)."""
    paths = [SYSTEM_CACERTS, APEX_CACERTS] + ([USER_CACERTS] if device.root_method else [])
    out = {}
    for p in paths:
        res = device.su(f"ls {p}/{name}") if device.root_method else device.sh(f"ls {p}/{name}")
        out[p] = res.ok
    return out


#: ``--ca`` choices: ``auto`` (system store with root, else the user store), one of them, or none
CA_CHOICES = ("auto", "system", "user", "none")


def install_ca(session: DeviceSession, pem: bytes, choice: str = "auto") -> CaInstall | None:
    """Install ``pem`` where ``choice`` says (:data:`CA_CHOICES`); None for ``none``.

    Raises :class:`~harness.errors.UsageError` for an unknown choice."""
    if choice == "none":
        return None
    device = session.device
    if choice == "auto":
        sdk = device.getprop("ro.build.version.sdk")
        choice = "user" if choose_method(int(sdk) if sdk.isdigit() else 0,
                                         device.root_method is not None) == "user-manual" else "system"
    if choice == "system":
        return install_system_ca(session, pem)
    if choice == "user":
        return install_user_ca(session, pem)
    raise UsageError(f"unknown CA method {choice!r}", fix=f"use one of {', '.join(CA_CHOICES)}")
