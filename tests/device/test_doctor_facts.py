"""``harness doctor`` output and device facts, against the virtual handsets."""

from __future__ import annotations

import io
import json
import stat

from devicehelp import open_device, state_dir

from harness.capture import RunStore
from harness.cli.context import Env
from harness.cli.main import main
from harness.device.facts import collect_facts, save_facts
from harness.sim.android.appspec import BUILTIN_APPS_DIR as APPS


def run_cli(argv, home):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def test_doctor_lines_android10(a10, home):
    code, out, err = run_cli(["doctor", "--device", a10.serial], home)
    lines = {ln.split(":")[0].split("  ", 1)[1]: ln for ln in out.splitlines() if ln[:4] in ("PASS", "FAIL", "WARN")}
    assert code == 0, out + err
    assert lines["adb server"].startswith("PASS")
    assert lines["device state"].startswith("PASS")
    assert "Android 10 (API 29)" in lines["API level"]
    assert "arm64-v8a" in lines["ABI"]
    assert lines["root"].startswith("PASS")
    assert "Enforcing" in lines["SELinux"]
    assert "system: tmpfs over /system/etc/security/cacerts" in lines["CA install"]
    assert lines["clock skew"].startswith("PASS")
    assert "frida-server" in lines and "java bridge" in lines
    assert lines["proxy reachable"].startswith("PASS") and "via adb reverse" in lines["proxy reachable"]
    assert out.strip().endswith("ready")


def test_doctor_android14_and_json(a14, home):
    code, out, _ = run_cli(["doctor", "--device", a14.serial, "--json", "--no-proxy-probe"], home)
    data = json.loads(out)
    checks = {c["name"]: c for c in data["checks"]}
    assert code == 0 and data["ok"]
    assert checks["CA install"]["detail"].startswith("system+apex")
    assert "API 34" in checks["API level"]["detail"]


def test_doctor_without_root_warns_with_fix(noroot, home):
    code, out, _ = run_cli(["doctor", "--device", noroot.serial, "--no-proxy-probe"], home)
    root = next(ln for ln in out.splitlines() if ln.startswith(("WARN  root", "FAIL  root")))
    assert "Magisk" in root
    ca = next(ln for ln in out.splitlines() if "CA install" in ln)
    assert ca.startswith("WARN") and "user store" in ca


def test_doctor_frida_version_mismatch(a10, home, tmp_path):
    device = open_device(a10)
    device.push(b"#!vsim:frida-server 15.0.0\n", "/data/local/tmp/frida-server", mode=0o755)
    try:
        _, out, _ = run_cli(["doctor", "--device", a10.serial, "--no-proxy-probe"], home)
        line = next(ln for ln in out.splitlines() if "frida-server:" in ln)
        assert "15.0.0" in line and line.startswith("WARN")
    finally:
        device.sh("rm -f /data/local/tmp/frida-server")


def test_doctor_frida_server_not_installed_needs_a_binary(a10, home):
    """Without frida-server on the device the doctor says whether the harness has one to push:
    a WARN naming the cache path when it has none (no internet in a lab is normal), a PASS naming
    the cached binary when it has."""
    from harness.device.frida_server import cache_path, client_version

    def frida_line() -> str:
        _, out, _ = run_cli(["doctor", "--device", a10.serial, "--no-proxy-probe"], home)
        return next(ln for ln in out.splitlines() if "frida-server:" in ln)

    missing = frida_line()
    cached = cache_path(home, client_version(), "arm64-v8a")
    assert missing.startswith("WARN") and str(cached) in missing, missing
    cached.parent.mkdir(parents=True)
    cached.write_bytes(f"#!vsim:frida-server {client_version()}\n".encode())
    present = frida_line()
    assert present.startswith("PASS") and str(cached) in present, present


def test_doctor_missing_device_exits_2(adb_server, home):
    code, out, _ = run_cli(["doctor", "--device", "127.0.0.1:9"], home)
    assert code == 2
    assert "FAIL  device state" in out and "harness devices" in out


def test_facts_match_device_identity_and_go_into_run(a10, tmp_path):
    facts = collect_facts(open_device(a10))
    identity = json.loads((state_dir(a10) / "device.json").read_text())
    assert facts.android_id == identity["android_id"]
    assert facts.serial == identity["serial"]
    assert facts.adb_serial == a10.serial
    assert (facts.model, facts.api_level, facts.abi, facts.miui_region) == ("M2007J3SG", 29, "arm64-v8a", "LT")
    assert facts.build_fingerprint.startswith("Xiaomi/apollo_global")
    # versions from `pm list packages --show-versioncode` (the app's app.json: version_code)
    browser = json.loads((APPS / "com.vendor.browser" / "app.json").read_text())
    assert facts.packages["com.vendor.browser"] == str(browser["version_code"]) == "121001"
    assert facts.packages and all(v is not None and v.isdigit() for v in facts.packages.values())
    assert facts.identifiers()["android_id"] == identity["android_id"]
    assert facts.adb["path"] and facts.adb["version"] and facts.adb["source"]  # which adb talked to it
    store = RunStore.create(tmp_path / "run", meta={})
    try:
        path = save_facts(facts, store)
        store.flush()
    finally:
        store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["identifiers"]["serial"] == identity["serial"]
    assert saved["packages"] == facts.packages
