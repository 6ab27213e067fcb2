"""ADB authentication as adbd does it: AUTH TOKEN → SIGNATURE verified against trusted keys.

Keys use Android's own RSA public key encoding (``libcrypto_utils/android_pubkey.cpp``): base64
of a little-endian struct ``{u32 modulus_size_words (64); u32 n0inv (-1/n mod 2^32);
u8 modulus[256]; u8 rr[256] (R^2 mod n, R = 2^2048); u32 exponent}``, followed by ``" user@host"``
in ``adbkey.pub`` files and in an ``AUTH RSAPUBLICKEY`` payload. A host signs the 20-byte token
with PKCS#1 v1.5 as if it were a SHA-1 digest (``RSA_sign(NID_sha1, token, ...)``).

Trusted keys (:class:`TrustedKeys`): the starting user's ``~/.android/adbkey.pub`` and the public
half of ``~/.android/adbkey`` (where that user's adb server finds them, see
:func:`user_key_files`; re-read at every check, because the adb server writes them on its first
start, possibly after the daemon started), plus key files named explicitly.

A public key alone is never accepted: on a phone, ``RSAPUBLICKEY`` opens the "Allow USB
debugging?" prompt, and the key is public (``adbkey.pub`` is often world-readable). A host that
holds a trusted key proves it by signing the token, as the stock adb server does first.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from harness.errors import SimError

log = logging.getLogger("harness.sim.adb")

MODULUS_SIZE = 2048 // 8
_WORDS = MODULUS_SIZE // 4
_STRUCT = struct.Struct(f"<II{MODULUS_SIZE}s{MODULUS_SIZE}sI")
#: base64 of the struct is 700 characters; anything much longer is not a key
MAX_KEY_TEXT = 4096


class AdbKeyError(SimError):
    """A file or payload is not an adb RSA public key."""


def decode_pubkey(text: str | bytes) -> rsa.RSAPublicKey:
    """Decode Android's encoding (the first word of ``adbkey.pub`` / an RSAPUBLICKEY payload).

    Raises :class:`AdbKeyError` for anything but a 2048-bit key in that format."""
    if isinstance(text, bytes):
        text = text.rstrip(b"\0").decode("ascii", "replace")
    words = text.strip().split()
    if not words or len(text) > MAX_KEY_TEXT:
        raise AdbKeyError("not an adb public key (empty or oversized)")
    try:
        raw = base64.b64decode(words[0], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AdbKeyError(f"adb public key is not base64: {exc}") from exc
    if len(raw) != _STRUCT.size:
        raise AdbKeyError(f"adb public key has {len(raw)} bytes, expected {_STRUCT.size}")
    size_words, _n0inv, modulus, _rr, exponent = _STRUCT.unpack(raw)
    if size_words != _WORDS:
        raise AdbKeyError(f"adb public key of {size_words * 32} bits; adb uses 2048")
    n = int.from_bytes(modulus, "little")
    try:
        return rsa.RSAPublicNumbers(exponent, n).public_key()
    except ValueError as exc:
        raise AdbKeyError(f"adb public key is not a valid RSA key: {exc}") from exc


def encode_pubkey(key: rsa.RSAPublicKey) -> str:
    """Android's encoding of ``key`` (base64, without the ``user@host`` comment)."""
    numbers = key.public_numbers()
    n, e = numbers.n, numbers.e
    if n.bit_length() > MODULUS_SIZE * 8:
        raise AdbKeyError("adb keys are 2048-bit RSA keys")
    n0inv = (-pow(n, -1, 1 << 32)) % (1 << 32)
    rr = pow(1 << (MODULUS_SIZE * 8), 2, n)
    raw = _STRUCT.pack(_WORDS, n0inv, n.to_bytes(MODULUS_SIZE, "little"), rr.to_bytes(MODULUS_SIZE, "little"), e)
    return base64.b64encode(raw).decode()


def sign_token(private_key: rsa.RSAPrivateKey, token: bytes) -> bytes:
    """What an adb host sends in ``AUTH SIGNATURE`` for ``token``."""
    return private_key.sign(token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))


def verify_token(key: rsa.RSAPublicKey, token: bytes, signature: bytes) -> bool:
    if len(token) != 20:  # a SHA-1 sized token, as adbd sends
        return False
    try:
        key.verify(signature, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))
    except (InvalidSignature, ValueError):
        return False
    return True


def user_key_files(home: Path | None = None) -> list[Path]:
    """The starting user's adb key files, where that user's adb server finds them: ``adbkey.pub``
    and ``adbkey`` in ``$ANDROID_USER_HOME``, else ``$ANDROID_SDK_HOME/.android``, else
    ``~/.android``; plus the keys of ``$ADB_VENDOR_KEYS`` (files, or folders of ``*.adb_key``)."""
    if home is None and os.environ.get("ANDROID_USER_HOME"):
        folder = Path(os.environ["ANDROID_USER_HOME"])
    elif home is None and os.environ.get("ANDROID_SDK_HOME"):
        folder = Path(os.environ["ANDROID_SDK_HOME"]) / ".android"
    else:
        folder = (home or Path.home()) / ".android"
    files = [folder / "adbkey.pub", folder / "adbkey"]
    for entry in filter(None, os.environ.get("ADB_VENDOR_KEYS", "").split(os.pathsep)):
        path = Path(entry)
        files += sorted(path.glob("*.adb_key")) if path.is_dir() else [path]
    return files


def load_key_file(path: Path) -> rsa.RSAPublicKey:
    """A public key from an adb ``.pub`` file, or the public half of an adb private key (PEM).

    Raises :class:`AdbKeyError` (with the file name) or ``OSError``."""
    data = path.read_bytes()[:65536]
    if b"PRIVATE KEY" in data:
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise AdbKeyError(f"{path}: not an unencrypted PEM private key: {exc}") from exc
        if not isinstance(private, rsa.RSAPrivateKey):
            raise AdbKeyError(f"{path}: not an RSA key")
        return private.public_key()
    try:
        return decode_pubkey(data)
    except AdbKeyError as exc:
        raise AdbKeyError(f"{path}: {exc.reason}",
                          fix="give an adb public key file such as ~/.android/adbkey.pub") from exc


@dataclass
class TrustedKeys:
    """The keys the daemon accepts: explicit ``files`` plus (with ``user_keys``) the starting
    user's adb key, looked up in ``home`` (default: ``Path.home()`` at each check)."""

    files: tuple[Path, ...] = ()
    user_keys: bool = True
    home: Path | None = None

    def __post_init__(self) -> None:
        from harness.parsing import short_path

        for f in self.files:  # explicit keys must be readable now: fail at start, not at connect
            try:
                load_key_file(Path(f))
            except OSError as exc:  # a folder, a missing or unreadable file: one line, not a traceback
                raise AdbKeyError(f"cannot read the adb key {short_path(f)}: {exc.strerror or type(exc).__name__}",
                                  fix="give an adb public key file such as ~/.android/adbkey.pub") from None

    def keys(self) -> list[rsa.RSAPublicKey]:
        paths = [Path(f) for f in self.files]
        if self.user_keys:
            paths += [p for p in user_key_files(self.home) if p.exists()]
        out = []
        for path in paths:
            try:
                out.append(load_key_file(path))
            except (OSError, AdbKeyError) as exc:
                log.warning("adbd: ignoring key file %s: %s", path, exc)
        return out

    def verify(self, token: bytes, signature: bytes) -> bool:
        """True when ``signature`` is a trusted key's signature of ``token``."""
        return any(verify_token(k, token, signature) for k in self.keys())

    def knows(self, keys: Iterable[rsa.RSAPublicKey], offered: rsa.RSAPublicKey) -> bool:
        want = offered.public_numbers()
        return any(k.public_numbers() == want for k in keys)
