"""The harness CA (issue 11 item 5): a subject of its own per HARNESS_HOME, named after the harness,
valid for two years; and a certificate the device already had under the same Android file name
survives install and restore (the virtual handset's CA folders are read directly)."""

from __future__ import annotations

import datetime

from cryptography import x509
from devicehelp import open_device, sim_file

from harness.capture import ca
from harness.capture.proxy import CaFiles, ensure_ca
from harness.device.cacert import android_cert_name, install_system_ca, install_user_ca
from harness.device.journal import journal_path
from harness.device.paths import SYSTEM_CACERTS, USER_CACERTS
from harness.device.session import DeviceSession
from harness.fsutil import write_private
from harness.testing.pki import make_ca


def _cert(files: CaFiles) -> x509.Certificate:
    return x509.load_pem_x509_certificate(files.cert.read_bytes())


def test_each_home_has_its_own_harness_named_short_lived_ca(tmp_path):
    a, b = _cert(ensure_ca(tmp_path / "a" / "ca")), _cert(ensure_ca(tmp_path / "b" / "ca"))
    assert a.subject != b.subject and android_cert_name(a) != android_cert_name(b)
    for cert in (a, b):
        cn = cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value
        assert str(cn).startswith("harness interception CA ")
        assert cert.not_valid_after_utc - cert.not_valid_before_utc <= datetime.timedelta(days=733)
    assert _cert(ensure_ca(tmp_path / "a" / "ca")) == a  # kept while valid


def test_generic_mitmproxy_ca_of_an_older_harness_is_replaced(tmp_path):
    from mitmproxy.certs import CertStore

    confdir = tmp_path / "home" / "ca"
    confdir.mkdir(parents=True, mode=0o700)
    CertStore.create_store(confdir, "mitmproxy", 2048)  # CN=mitmproxy, ten years
    cert = _cert(ensure_ca(confdir))
    assert "harness interception CA" in cert.subject.rfc4514_string()
    assert ca.home_tag(tmp_path / "home") in cert.subject.rfc4514_string()


def test_preexisting_ca_with_the_same_name_survives_install_and_restore(a10, home, tmp_path):
    ours = ensure_ca(tmp_path / "home" / "ca")
    pem = ours.cert.read_bytes()
    first = android_cert_name(_cert(ours))
    second = first[:-1] + "1"
    lab_pem = make_ca("A lab's own CA").cert_pem
    lab_files = [sim_file(a10, f"{folder}/{first}") for folder in (SYSTEM_CACERTS, USER_CACERTS)]
    for path in lab_files:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, lab_pem)
    device = open_device(a10)
    with DeviceSession(device, home) as s:
        system = install_system_ca(s, pem)
        user = install_user_ca(s, pem)
        assert system.file_name == second and user.file_name == second
        # while installed, the lab's certificate is still the one under its name
        assert lab_pem.decode() in device.su(f"cat {SYSTEM_CACERTS}/{first}").stdout
        assert lab_pem.decode() in device.su(f"cat {USER_CACERTS}/{first}").stdout
        assert pem.decode() in device.su(f"cat {SYSTEM_CACERTS}/{second}").stdout
    assert s.report is not None and s.report.ok, s.report.lines()
    for path in lab_files:
        assert path.read_bytes() == lab_pem
    assert not sim_file(a10, f"{USER_CACERTS}/{second}").exists()
    assert not journal_path(home, a10.serial).exists()


def test_our_ca_already_trusted_is_left_alone(a10, home, tmp_path):
    ours = ensure_ca(tmp_path / "home" / "ca")
    pem = ours.cert.read_bytes()
    name = android_cert_name(_cert(ours))
    there = sim_file(a10, f"{USER_CACERTS}/{name}")
    there.parent.mkdir(parents=True, exist_ok=True)
    write_private(there, pem)  # the technician installed it by hand earlier
    with DeviceSession(open_device(a10), home) as s:
        assert install_user_ca(s, pem).file_name == name
        assert not [c for c in s.journal.read().changes if c.kind == "file" and name in c.undo["path"]]
    assert s.report is not None and s.report.ok
    assert there.read_bytes() == pem  # restore did not delete what it did not install
