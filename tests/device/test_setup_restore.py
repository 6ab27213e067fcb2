"""Proxy, reverse, CA stores and frida-server on the virtual handset, each restored afterwards.

Restore is proven by reading the handset's state directory directly, not through the harness.
"""

from __future__ import annotations

import pytest
from devicehelp import open_device, sim_file, sim_runtime_mounts, sim_settings

from harness.device.cacert import android_cert_name, install_system_ca, install_user_ca
from harness.device.frida_server import client_version, deploy, server_pids
from harness.device.journal import journal_path
from harness.device.paths import APEX_CACERTS, FRIDA_SERVER, SDCARD_CA, SYSTEM_CACERTS, USER_CACERTS
from harness.device.proxy import setup_proxy
from harness.device.session import DeviceSession
from harness.errors import FridaServerError, RootRequired
from harness.testing.pki import make_ca


@pytest.fixture(scope="module")
def ca():
    return make_ca("Harness Proxy CA (test)")


def _mount_targets(h) -> list[str]:
    return [m["target"] for m in sim_runtime_mounts(h)]


def test_proxy_and_reverse_then_restore(a10, home):
    device = open_device(a10)
    with DeviceSession(device, home) as s:
        setup = setup_proxy(s, 18080, device_port=18081)
        assert setup.device_address == "127.0.0.1:18081"
        assert sim_settings(a10)["global"]["http_proxy"] == "127.0.0.1:18081"
        assert ("tcp:18081", "tcp:18080") in device.reverse_list()
        assert journal_path(home, device.serial).exists()
    assert "http_proxy" not in sim_settings(a10)["global"]
    assert "tcp:18081" not in {r for r, _ in device.reverse_list()}
    assert s.report is not None and s.report.ok, s.report.lines()
    assert not journal_path(home, device.serial).exists()


def test_existing_proxy_value_is_put_back(a10, home):
    device = open_device(a10)
    device.sh("settings put global http_proxy 10.0.0.5:3128", check=True)
    with DeviceSession(device, home) as s:
        setup_proxy(s, 18080)
        assert sim_settings(a10)["global"]["http_proxy"] == "127.0.0.1:18080"
    assert sim_settings(a10)["global"]["http_proxy"] == "10.0.0.5:3128"


def test_lab_network_proxy_only_when_asked(a10, home):
    device = open_device(a10)
    with DeviceSession(device, home) as s:
        setup = setup_proxy(s, 18080, lab_address="192.168.7.2:8080")
        assert not setup.reverse and device.reverse_list() == []
        assert sim_settings(a10)["global"]["http_proxy"] == "192.168.7.2:8080"
    assert "http_proxy" not in sim_settings(a10)["global"]


def test_system_ca_android10(a10, home, ca):
    device = open_device(a10)
    name = android_cert_name(ca.cert)
    before = sorted(p.name for p in sim_file(a10, SYSTEM_CACERTS).iterdir())
    with DeviceSession(device, home) as s:
        result = install_system_ca(s, ca.cert_pem)
        assert result.method == "system" and result.verified_paths == [f"{SYSTEM_CACERTS}/{name}"]
        mounts = sim_runtime_mounts(a10)
        assert [(m["target"], m["fstype"]) for m in mounts] == [(SYSTEM_CACERTS, "tmpfs")]
        listing = device.sh(f"ls {SYSTEM_CACERTS}").stdout.split()
        assert sorted(listing) == sorted([*before, name])  # existing certs kept, ours added
        mode, _, owner, group, label = device.sh(f"ls -lZ {SYSTEM_CACERTS}/{name}").stdout.split()[:5]
        assert (mode, owner, group, label) == ("-rw-r--r--", "root", "root", "u:object_r:system_file:s0")
    assert sim_runtime_mounts(a10) == []
    assert sorted(p.name for p in sim_file(a10, SYSTEM_CACERTS).iterdir()) == before
    assert not sim_file(a10, "/data/local/tmp/harness").exists()
    assert s.report.ok, s.report.lines()


def test_system_ca_android14_apex(a14, home, ca):
    device = open_device(a14)
    name = android_cert_name(ca.cert)
    with DeviceSession(device, home) as s:
        result = install_system_ca(s, ca.cert_pem)
        assert result.method == "system+apex"
        assert f"{APEX_CACERTS}/{name}" in result.verified_paths
        assert result.namespaces, "zygote namespaces were not entered"
        targets = _mount_targets(a14)
        assert targets[0] == SYSTEM_CACERTS and APEX_CACERTS in targets
        assert device.sh(f"ls {APEX_CACERTS}/{name}").ok
    assert sim_runtime_mounts(a14) == []
    assert not device.sh(f"ls {APEX_CACERTS}/{name}").ok
    assert s.report.ok, s.report.lines()


def test_user_ca_with_root(a10, home, ca):
    device = open_device(a10)
    name = android_cert_name(ca.cert)
    with DeviceSession(device, home) as s:
        result = install_user_ca(s, ca.cert_pem)
        assert result.method == "user-root"
        assert sim_file(a10, f"{USER_CACERTS}/{name}").read_bytes() == ca.cert_pem
    assert not sim_file(a10, f"{USER_CACERTS}/{name}").exists()


def test_user_ca_without_root_needs_the_technician(noroot, home, ca):
    device = open_device(noroot)
    assert device.root_method is None
    with DeviceSession(device, home) as s:
        result = install_user_ca(s, ca.cert_pem)
        assert result.method == "user-manual" and not result.verified
        assert "Install a certificate" in result.instructions
        assert sim_file(noroot, SDCARD_CA).read_bytes() == ca.cert_pem
    assert not sim_file(noroot, SDCARD_CA).exists()


def test_system_ca_without_root_is_refused(noroot, home, ca):
    device = open_device(noroot)
    with DeviceSession(device, home) as s:
        with pytest.raises(RootRequired) as info:
            install_system_ca(s, ca.cert_pem)
        assert info.value.serial == device.serial and "Magisk" in info.value.fix
        assert s.journal.read().pending == []
    assert sim_runtime_mounts(noroot) == []


def _standin(tmp_path, version):
    path = tmp_path / "frida-server"
    path.write_bytes(f"#!vsim:frida-server {version}\n".encode())
    return path


def test_frida_server_standin_deploy_and_stop(a10, home, tmp_path):
    """The virtual handset runs a stand-in; a real server's frida answer is probed only in the
    ``needs_device_hw`` test below."""
    device = open_device(a10)
    with DeviceSession(device, home) as s:
        st = deploy(s, _standin(tmp_path, client_version()), check_answers=False)
        assert st.running and st.version_ok and st.pids == server_pids(device)
        assert "frida-server" in device.sh("ps -A").stdout
    assert server_pids(device) == []
    assert not sim_file(a10, FRIDA_SERVER).exists()
    assert s.report.ok, s.report.lines()


def test_frida_server_wrong_version(a10, home, tmp_path):
    device = open_device(a10)
    with DeviceSession(device, home) as s:
        with pytest.raises(FridaServerError) as info:
            deploy(s, _standin(tmp_path, "16.0.0"), check_answers=False)
        assert "16.0.0" in info.value.reason and client_version() in info.value.fix
    assert server_pids(device) == []


@pytest.mark.needs_device_hw
def test_frida_server_real_binary_answers():
    """Needs a real ARM frida-server on a physical phone: the client probe through adb forward
    cannot be exercised against the stand-in."""
    pytest.skip("needs a physical phone with a real frida-server binary")


def test_restore_after_exception(a10, home, ca):
    device = open_device(a10)
    with pytest.raises(RuntimeError, match="scenario blew up"):
        with DeviceSession(device, home) as s:
            setup_proxy(s, 18080)
            install_system_ca(s, ca.cert_pem)
            raise RuntimeError("scenario blew up")
    assert "http_proxy" not in sim_settings(a10)["global"]
    assert sim_runtime_mounts(a10) == []
    assert device.reverse_list() == []
    assert not journal_path(home, device.serial).exists()


def test_changed_prop_is_put_back(a10, home):
    device = open_device(a10)
    from harness.device.props import set_prop

    before = device.getprop("persist.sys.country")
    assert before == "LT"
    with DeviceSession(device, home) as s:
        set_prop(s, "persist.sys.country", "SG")
        set_prop(s, "debug.harness.marker", "on")
        assert a10.device.state.getprop("persist.sys.country") == "SG"
    assert a10.device.state.getprop("persist.sys.country") == "LT"
    assert a10.device.state.getprop("debug.harness.marker") == ""
    assert s.report.ok, s.report.lines()
