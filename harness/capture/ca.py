"""The proxy's CA: one per ``HARNESS_HOME``, named after the harness, valid for two years.

mitmproxy's own generator gives every installation the same subject (``CN=mitmproxy``) and so the
same Android file name (``c8750f0d.0``) on every phone, and ten years of validity: installing it
could shadow a lab's own CA of that name. The harness makes its CA itself (issue 11 item 5):

* subject ``CN=harness interception CA <8 hex>, O=harness, OU=HARNESS_HOME <8 hex>``: the random
  tag makes the subject, hence the ``<subject_hash_old>.N`` name on the device, unique to this
  CA; the second tag is a hash of the ``HARNESS_HOME`` path, so a technician can tell which
  workspace installed a certificate they find on a phone;
* valid for :data:`VALIDITY` (two years; CA/Browser Forum leaf certificates are limited to 398
  days, a lab CA that is installed only for the length of a run needs no more than that);
* RSA 2048 with the extensions mitmproxy's generator sets (basic constraints CA, key usage
  keyCertSign + cRLSign, EKU serverAuth, subject key identifier), in mitmproxy's file layout
  (``mitmproxy-ca.pem`` = key + certificate, ``mitmproxy-ca-cert.pem``, ``mitmproxy-dhparam.pem``)
  so ``mitmdump --set confdir=HARNESS_HOME/ca`` uses the same CA.

A CA with mitmproxy's generic subject (made by an older harness) or one that expires within
:data:`RENEW_BEFORE` is replaced by a new one.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from mitmproxy.certs import DEFAULT_DHPARAM

from harness.fsutil import write_private

CA_BASENAME = "mitmproxy"  # mitmproxy's file names, so its confdir option finds them
VALIDITY = datetime.timedelta(days=730)
RENEW_BEFORE = datetime.timedelta(days=7)
CA_NAME = "harness interception CA"


def key_path(confdir: Path) -> Path:
    return confdir / f"{CA_BASENAME}-ca.pem"


def cert_path(confdir: Path) -> Path:
    return confdir / f"{CA_BASENAME}-ca-cert.pem"


def home_tag(home: Path) -> str:
    """8 hex digits naming a ``HARNESS_HOME`` (SHA-256 of its absolute path)."""
    return hashlib.sha256(str(Path(home).absolute()).encode()).hexdigest()[:8]


def make_ca(home: Path, now: datetime.datetime | None = None) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A new CA for the workspace ``home`` (see the module docstring for its fields)."""
    now = now or datetime.datetime.now(datetime.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"{CA_NAME} {secrets.token_hex(4)}"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "harness"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"HARNESS_HOME {home_tag(home)}"),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .serial_number(x509.random_serial_number())
        .public_key(key.public_key())
        .not_valid_before(now - datetime.timedelta(days=2))  # device clocks that run behind
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def needs_renewal(confdir: Path, now: datetime.datetime | None = None) -> bool:
    """True when there is no CA, it has mitmproxy's generic subject, or it expires soon."""
    path = cert_path(confdir)
    if not key_path(confdir).exists() or not path.exists():
        return True
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
    except ValueError:
        return True
    now = now or datetime.datetime.now(datetime.UTC)
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    generic = not cns or not str(cns[0].value).startswith(CA_NAME)
    return generic or cert.not_valid_after_utc - now < RENEW_BEFORE


def write_ca(confdir: Path, home: Path) -> x509.Certificate:
    """Make a new CA and write it in mitmproxy's layout (all files 0600, written atomically)."""
    key, cert = make_ca(home)
    pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    for stale in confdir.glob(f"{CA_BASENAME}-*"):  # mitmproxy's .p12/.cer of an older CA
        if stale.is_file() and not stale.is_symlink():
            os.unlink(stale)
    write_private(confdir / f"{CA_BASENAME}-dhparam.pem", DEFAULT_DHPARAM)
    write_private(cert_path(confdir), pem)
    write_private(key_path(confdir), key_pem + pem)
    return cert
