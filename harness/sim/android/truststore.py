"""PKCS12 trust stores for app processes, built from the device's CA folders as mounted now.

Java only treats PKCS12 certificate entries as trust anchors when they carry Oracle's trusted-key
attribute, which Python's ``cryptography`` cannot write; the JDK's own KeyStore API (the small
``vapp.TrustStoreTool``) can. Stores are cached by the set of certificates they hold.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from harness.errors import SimError
from harness.fsutil import private_dir
from harness.sim.android.javabuild import java_bin, runtime_classes

PASSWORD = "changeit"


def load_ca_folder(folder: Path) -> list[x509.Certificate]:
    """Certificates in an Android ``cacerts`` folder (PEM or DER files); unreadable files skipped."""
    certs: list[x509.Certificate] = []
    if not folder.is_dir():
        return certs
    for f in sorted(folder.iterdir()):
        if not f.is_file():
            continue
        data = f.read_bytes()
        try:
            if b"-----BEGIN CERTIFICATE-----" in data:
                certs.extend(x509.load_pem_x509_certificates(data))
            else:
                certs.append(x509.load_der_x509_certificate(data))
        except ValueError:
            continue
    return certs


def build_truststore(certs: list[x509.Certificate], cache: Path) -> Path:
    ders = sorted({c.public_bytes(Encoding.DER) for c in certs})
    key = hashlib.sha256(b"".join(hashlib.sha256(d).digest() for d in ders)).hexdigest()[:24]
    folder = private_dir(cache / "truststores")
    out = folder / f"{key}.p12"
    if out.exists():
        return out
    runtime = runtime_classes(cache)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.exists():
            return out
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            bundle = Path(tmp) / "bundle.pem"
            bundle.write_bytes(b"".join(x509.load_der_x509_certificate(d).public_bytes(Encoding.PEM) for d in ders))
            target = Path(tmp) / "store.p12"
            cmd = [java_bin(), "-Xshare:auto", "-cp", str(runtime), "vapp.TrustStoreTool", str(target), PASSWORD,
                   str(bundle)]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            except subprocess.TimeoutExpired as exc:
                raise SimError("building the app trust store timed out", fix="check machine load") from exc
            if proc.returncode != 0:
                raise SimError(f"building the app trust store failed: {proc.stderr.strip()[-1000:]}")
            os.chmod(target, 0o600)
            os.replace(target, out)
    return out
