"""Virtual apps are real JVM processes: the probe app fetches HTTPS through the device's proxy
setting and trust store, Frida attaches to it, ``am start -D`` waits for ``am sim-release``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time

import adbutils
import pytest

from harness.sim.android.appspec import BUILTIN_APPS_DIR
from harness.sim.handset import VirtualHandset
from harness.testing.pki import android_cert_name
from harness.testing.sim import wait_for_log

PROBE = "com.harness.probe"


def install_system_ca(dev: adbutils.AdbDevice, ca_pem: bytes, folder: str = "/system/etc/security/cacerts") -> None:
    """What a lab does on a rooted phone: shadow the CA folder with a tmpfs holding the old CAs + ours."""
    from cryptography import x509

    name = android_cert_name(x509.load_pem_x509_certificate(ca_pem))
    dev.sync.push(ca_pem, f"/data/local/tmp/{name}")
    script = (f"mkdir -p /data/local/tmp/keep && cp {folder}/* /data/local/tmp/keep/ && "
              f"mount -t tmpfs tmpfs {folder} && cp /data/local/tmp/keep/* {folder}/ && "
              f"cp /data/local/tmp/{name} {folder}/ && chmod 644 {folder}/*")
    r = dev.shell2(f"su -c '{script}'")
    assert r.returncode == 0, r.output


def start_probe(dev: adbutils.AdbDevice, url: str) -> int:
    out = dev.shell(f"am start -W -n {PROBE}/.Main -a android.intent.action.VIEW -d {url}")
    assert "Status: ok" in out, out
    pid = dev.shell(f"pidof {PROBE}")
    assert pid.isdigit(), pid
    return int(pid)


def test_probe_trusts_a_ca_in_the_system_store(sim_handset: VirtualHandset, sim_device, tls_server):
    server = tls_server()
    install_system_ca(sim_device, server.ca.cert_pem)
    start_probe(sim_device, server.url)
    msg = wait_for_log(sim_handset, lambda m: server.url in m and ("->" in m or "failure" in m or "failed" in m),
                       tag="Probe")
    assert f"GET {server.url} -> 200 ({len(b'hello from the test server') * 10 + 10} bytes)" in msg
    assert server.requests == ["/probe"]
    assert "Probe" in sim_device.shell("logcat -d -s Probe")


def test_probe_fails_tls_without_the_ca(sim_handset: VirtualHandset, sim_device, tls_server):
    server = tls_server()
    start_probe(sim_device, server.url)
    msg = wait_for_log(sim_handset, lambda m: server.url in m and "->" not in m and "intent" not in m, tag="Probe")
    assert msg.startswith(f"TLS failure for {server.url}: javax.net.ssl.SSLHandshakeException")
    assert "TLS failure" in sim_device.shell("logcat -d Probe:E *:S")
    assert server.requests == []


def test_user_cas_are_ignored_unless_the_app_opts_in(tmp_path, make_device, tls_server, hosts_file):
    opt_in = tmp_path / "apps" / "optin"
    shutil.copytree(BUILTIN_APPS_DIR / "probe", opt_in)
    meta = json.loads((opt_in / "app.json").read_text())
    meta.update(package="com.harness.probe.userca", trust_user_cas=True, intents=[])
    (opt_in / "app.json").write_text(json.dumps(meta))
    dev = make_device(app_dirs=[tmp_path / "apps"], hosts_file=hosts_file)
    server = tls_server()
    name = android_cert_name(server.ca.cert)
    assert dev.run("mkdir -p /data/misc/user/0/cacerts-added", root=True)[0] == 0
    dev.fs.host_path(f"/data/misc/user/0/cacerts-added/{name}").write_bytes(server.ca.cert_pem)
    for pkg in (PROBE, "com.harness.probe.userca"):
        status, out, err = dev.run(f"am start -W -n {pkg}/.Main -a android.intent.action.VIEW -d {server.url}")
        assert status == 0, (out, err)
    wait_for_log(dev, lambda m: "TLS failure" in m)  # the default probe
    wait_for_log(dev, lambda m: "-> 200" in m)       # the opted-in copy


def test_android14_apps_use_the_apex_store(make_device, tls_server, hosts_file):
    dev = make_device("android14", hosts_file=hosts_file)
    server = tls_server()
    name = android_cert_name(server.ca.cert)
    # a CA added only to /system is not used on Android 14
    assert dev.run("mount -o remount,rw /", root=True)[0] == 0
    dev.fs.write_file(f"/system/etc/security/cacerts/{name}", server.ca.cert_pem, 0)
    dev.run(f"am start -n {PROBE}/.Main -a android.intent.action.VIEW -d {server.url}")
    wait_for_log(dev, lambda m: "TLS failure" in m)
    # the HTTP Toolkit way: shadow the APEX folder with a tmpfs holding the /system store
    apex = "/apex/com.android.conscrypt/cacerts"
    script = (f"mkdir -p /data/local/tmp/c && cp /system/etc/security/cacerts/* /data/local/tmp/c/ && "
              f"mount -t tmpfs tmpfs {apex} && cp /data/local/tmp/c/* {apex}/")
    assert dev.run(script, root=True)[0] == 0, dev.run("mount")
    dev.run(f"am force-stop {PROBE}; am start -n {PROBE}/.Main -a android.intent.action.VIEW -d {server.url}")
    wait_for_log(dev, lambda m: "-> 200" in m)


def test_pidof_force_stop_and_frida_attach(sim_handset: VirtualHandset, sim_device):
    frida = pytest.importorskip("frida")
    pid = start_probe(sim_device, "about:blank")
    assert sim_handset.device is not None
    assert sim_handset.device.apps.pid_of(PROBE) == pid
    assert f" {pid} " in sim_device.shell("ps -A")
    session = frida.get_local_device().attach(pid)
    try:
        messages: list = []
        script = session.create_script("send({pid: Process.id, arch: Process.arch});")
        script.on("message", lambda message, data: messages.append(message))
        script.load()
        deadline = time.monotonic() + 10
        while not messages and time.monotonic() < deadline:
            time.sleep(0.05)
        script.unload()
    finally:
        session.detach()
    assert messages and messages[0]["payload"]["pid"] == pid
    sim_device.shell(f"am force-stop {PROBE}")
    assert sim_device.shell2(f"pidof {PROBE}").returncode == 1
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_input_and_search_intents_reach_the_app(sim_handset: VirtualHandset, sim_device):
    start_probe(sim_device, "about:blank")
    sim_device.shell("input text hello%sworld; input keyevent KEYCODE_ENTER")
    wait_for_log(sim_handset, lambda m: m == 'input text "hello world"', tag="Probe")
    wait_for_log(sim_handset, lambda m: m == "input keyevent 66", tag="Probe")
    sim_device.shell(f"am start -n {PROBE}/.Main -a android.intent.action.WEB_SEARCH --es query 'Free Tibet' --ez x true")
    wait_for_log(sim_handset, lambda m: "act=android.intent.action.WEB_SEARCH" in m and "has extras" in m, tag="Probe")
    bad = sim_device.shell2("am start -n com.nope/.Main")
    assert bad.returncode == 1 and "does not exist" in bad.output


def test_wait_for_debugger_until_sim_release(sim_handset: VirtualHandset, sim_device):
    out = sim_device.shell(f"am start -D -n {PROBE}/.Main -a android.intent.action.VIEW -d about:blank")
    assert out.startswith("Starting: Intent")
    wait_for_log(sim_handset, lambda m: f"Application {PROBE} is waiting for the debugger" in m)
    time.sleep(0.5)
    probe_lines = [e.message for e in sim_handset.device.logcat.snapshot() if e.tag == "Probe"]
    assert probe_lines == [], "the app ran before the debugger was released"
    assert sim_device.shell2(f"am sim-release {PROBE}").returncode == 0
    wait_for_log(sim_handset, lambda m: m.startswith("intent Intent { act=android.intent.action.VIEW"), tag="Probe")
    assert sim_device.shell2("am sim-release com.not.running").returncode == 1


def test_apps_die_with_reboot_and_stop(tmp_path, hosts_file):
    from harness.sim.handset import HandsetConfig
    from harness.testing.sim import start_handset, stop_handset

    handset = start_handset(HandsetConfig(state_dir=tmp_path / "state", hosts_file=hosts_file))
    try:
        dev = adbutils.AdbClient(port=int(os.environ["ANDROID_ADB_SERVER_PORT"])).device(handset.serial)
        first = start_probe(dev, "about:blank")
        handset.reboot()
        _gone(first)
        handset.connect()
        second = start_probe(adbutils.AdbClient(port=int(os.environ["ANDROID_ADB_SERVER_PORT"])).device(handset.serial),
                             "about:blank")
    finally:
        stop_handset(handset)
    _gone(second)


def _gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError(f"app process {pid} survived")
