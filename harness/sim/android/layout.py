"""Android's filesystem layout as the virtual handset shows it: fixed facts, no state.

- device paths: :func:`norm` (absolute, normalised, never above ``/``) and :func:`under`;
- the folders a fresh handset has (:data:`BASE_DIRS`), its CA stores (system, the Android 14
  Conscrypt APEX, the user store) and the public roots seeded into them from certifi's Mozilla
  bundle (:func:`seed_certificates`);
- the permission model: root may do anything a writable mount allows; the ``shell`` user (uid
  2000) may write only below :data:`SHELL_WRITABLE` (``/data/local/tmp``, ``/sdcard``,
  ``/storage``), may not read :data:`SHELL_UNREADABLE` (app data) nor list
  :data:`SHELL_UNLISTABLE`;
- file metadata (:class:`FileMeta`: mode, owner, group, SELinux label) and what a fresh device
  shows for a path until ``chmod``/``chown``/``chcon`` change it (:func:`default_meta`); owners'
  uids as in AOSP's ``android_filesystem_config.h`` (:data:`OWNER_UIDS`).

The stateful file tree (mounts, host folders, recorded metadata) is
:class:`harness.sim.android.fs.DeviceFS`. Nothing here raises on a path (any string is a path);
:func:`seed_certificates` raises :class:`OSError` when certifi's bundle cannot be read.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

SYSTEM_CACERTS = "/system/etc/security/cacerts"
APEX_CACERTS = "/apex/com.android.conscrypt/cacerts"
USER_CACERTS = "/data/misc/user/0/cacerts-added"

#: folders a fresh handset has
BASE_DIRS = (
    "/data/local/tmp",
    "/data/data",
    "/data/app",
    "/data/misc/user/0",
    "/data/system",
    "/sdcard/Download",
    "/sdcard/Pictures",
    "/storage/emulated/0",
    "/system/bin",
    "/system/etc/security/cacerts",
    "/system/app",
    "/system/priv-app",
    "/vendor",
    "/product",
    "/mnt",
    "/dev",
    "/proc",
    "/cache",
)

#: shell-user writable trees
SHELL_WRITABLE = ("/data/local/tmp", "/sdcard", "/storage")
#: trees the shell user cannot even read
SHELL_UNREADABLE = ("/data/data", "/data/misc", "/data/system", "/data/user")
#: folders the shell user cannot list although it may read known files below (APKs)
SHELL_UNLISTABLE = ("/data", "/data/app")

#: certificates seeded into the system store from certifi's bundle, by subject CN
SEED_CA_NAMES = (
    "ISRG Root X1",
    "DigiCert Global Root G2",
    "GlobalSign Root CA",
    "Amazon Root CA 1",
    "GTS Root R1",
)

#: Android uids of the owners the handset shows (``android_filesystem_config.h``)
OWNER_UIDS = {"root": 0, "system": 1000, "shell": 2000}


@dataclass
class FileMeta:
    """A path's metadata; None = not recorded (the default of where it lives applies)."""

    mode: int | None = None
    owner: str | None = None
    group: str | None = None
    label: str | None = None


def norm(path: str, cwd: str = "/") -> str:
    """Absolute, normalised device path (no ``..`` can climb above ``/``)."""
    if not path.startswith("/"):
        path = posixpath.join(cwd, path)
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    return path


def under(path: str, top: str) -> bool:
    """True when device path ``path`` is ``top`` or below it (both normalised)."""
    return path == top or path.startswith(top.rstrip("/") + "/")


def default_meta(path: str, is_dir: bool) -> FileMeta:
    """What a fresh Android device shows for ``path``: shell-owned 0771 folders under
    ``/data/local/tmp`` and the storage trees, system-owned app data, root-owned system files."""
    if under(path, "/data/local/tmp") or under(path, "/sdcard") or under(path, "/storage"):
        owner = group = "shell"
        label = "u:object_r:shell_data_file:s0"
    elif under(path, "/data"):
        owner = "system" if not under(path, "/data/local") else "shell"
        group = owner
        label = "u:object_r:system_data_file:s0"
    else:
        owner = group = "root"
        label = "u:object_r:system_file:s0"
    if under(path, "/system/etc/security/cacerts") or under(path, "/apex"):
        label = "u:object_r:system_security_cacerts_file:s0" if not under(path, "/apex") else \
            "u:object_r:system_file:s0"
    mode = (0o771 if under(path, "/data") else 0o755) if is_dir else 0o644
    return FileMeta(mode, owner, group, label)


def seed_certificates() -> list[tuple[str, bytes]]:
    """A few real public root CAs (from certifi's Mozilla bundle) as ``(android_name, pem)``."""
    import certifi
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509.oid import NameOID

    from harness.testing.pki import android_cert_name

    out = []
    for cert in x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes()):
        cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        if cns and cns[0].value in SEED_CA_NAMES:
            out.append((android_cert_name(cert), cert.public_bytes(Encoding.PEM)))
    return out
