"""``harness intercept``'s live line per flow (real GeoResolver layers, real iptocc data) and its
bad inputs (a typed error naming the problem and the fix, before any device is touched); no
handset needed. The intercept runs on a virtual handset: tests/device/test_intercept_world.py."""

from __future__ import annotations

import io
from pathlib import Path

from harness.analysis.geo import GeoResolver, Override
from harness.analysis.policy import Policy
from harness.capture.records import FlowRecord
from harness.cli.context import Env
from harness.cli.main import main
from harness.device.intercept_live import LiveLines, flow_line

# -- the live line --------------------------------------------------------------------------

def _record(**kw) -> FlowRecord:
    base = dict(id="f1", kind="http", started_at=1_700_000_000.0, ended_at=1_700_000_000.5,
                server_host="globalapi.ad.vendor.test", server_ip="127.77.1.10", server_port=443,
                sni="globalapi.ad.vendor.test", method="GET", host="globalapi.ad.vendor.test",
                path="/api/v1/config", status_code=200)
    return FlowRecord(**{**base, **kw})


def _geo() -> GeoResolver:
    import ipaddress

    return GeoResolver([Override(ipaddress.ip_network("127.77.1.10/32"), "SG"),
                        Override(ipaddress.ip_network("127.77.1.14/32"), "DE")])


def test_live_line_shows_country_jurisdiction_step_and_status():
    geo, policy = _geo(), Policy()
    line = flow_line(_record(step_id="search-1"), geo, policy).text()
    assert line == "22:13:20Z [search-1] GET globalapi.ad.vendor.test/api/v1/config SG third_country 200"
    eu = flow_line(_record(server_host="tracking.eu.vendor.test", server_ip="127.77.1.14"), geo, policy)
    assert (eu.country, eu.jurisdiction) == ("DE", "domestic")
    # a loopback address no table names, and a public one from the embedded RIR data (no traffic)
    assert flow_line(_record(server_ip="127.9.9.9"), geo, policy).text().endswith(" -- unknown 200")
    us = flow_line(_record(server_host="dns.google", server_ip="8.8.8.8"), geo, policy)
    assert (us.country, us.jurisdiction) == ("US", "third_country")
    assert (flow_line(_record(server_host="dns.google", server_ip="8.8.8.8"), geo,
                      Policy(dpf_certified=["dns.google"])).jurisdiction) == "adequate"


def test_live_line_for_failures():
    geo, policy = _geo(), Policy()
    tls = flow_line(_record(kind="tls_failure", server_host=None, method=None, path=None, status_code=None,
                            sni="tracking.intl.vendor.test", error="certificate unknown"), geo, policy)
    assert tls.text() == ("22:13:20Z tls_failure tracking.intl.vendor.test SG third_country FAILED: "
                          "certificate unknown (the app does not trust the proxy CA, or pins its server "
                          "certificate, or it started before the CA was installed: restart it)")
    err = flow_line(_record(kind="error", server_ip=None, status_code=None, error="connection refused"),
                    geo, policy)
    assert err.text().endswith("GET globalapi.ad.vendor.test/api/v1/config -- unknown FAILED: connection refused")
    spare = flow_line(_record(kind="idle", server_host=None, method=None, path=None, status_code=None,
                              sni="globalapi.ad.vendor.test", error="closed"), geo, policy)
    assert spare.text() == ("22:13:20Z idle globalapi.ad.vendor.test SG third_country "
                            "idle: closed after the TLS handshake without a request")  # not a failure


def test_live_lines_queue_until_drained():
    out: list[str] = []
    live = LiveLines(out.append, _geo())
    live.on_flow(_record())
    live.on_flow(_record(id="f2", status_code=404))
    assert out == [] and live.count == 0  # the proxy's loop only queues
    assert [ln.status for ln in live.drain()] == [200, 404]
    assert len(out) == 2 and live.count == 2 and live.drain() == []


# -- bad input: a typed error naming the problem and the fix, before any device is touched ----

def _cli(home: Path, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["intercept", "--device", "no-such-device", *argv], Env(stdout=out, stderr=err, home=home))
    return status, err.getvalue()


def test_bad_ready_file(tmp_path):
    status, err = _cli(tmp_path / "hh", "--ready-file", str(tmp_path / "no-such-folder" / "ready"))
    assert status == 2 and "--ready-file" in err and "does not exist" in err and "fix:" in err
    status, err = _cli(tmp_path / "hh", "--ready-file", str(tmp_path))
    assert status == 2 and "is a folder" in err


def test_bad_geo_inputs(tmp_path):
    bad = tmp_path / "geo.yaml"
    bad.write_text("- {cidr: 10.0.0.0/33, country: SG}\n")
    status, err = _cli(tmp_path / "hh", "--geo-overrides", str(bad))
    assert status == 2 and "bad CIDR" in err and str(bad) in err and "fix:" in err.lower()
    status, err = _cli(tmp_path / "hh", "--mmdb", str(tmp_path / "missing.mmdb"))
    assert status == 2 and "missing.mmdb" in err and "does not exist" in err
    not_mmdb = tmp_path / "x.mmdb"
    not_mmdb.write_bytes(b"not a database")
    status, err = _cli(tmp_path / "hh", "--mmdb", str(not_mmdb))
    assert status == 2 and "not a valid MaxMind database" in err
    status, err = _cli(tmp_path / "hh", "--policy", str(tmp_path / "missing.yaml"))
    assert status == 2 and "policy" in err
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 ok.lab.test\n999.1.1.1 bad.lab.test\n")
    status, err = _cli(tmp_path / "hh", "--hosts", str(hosts))
    assert status == 2 and f"{hosts}:2:" in err and "999.1.1.1" in err, err
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate")
    status, err = _cli(tmp_path / "hh", "--upstream-ca", str(not_pem))
    assert status == 2 and "no readable PEM certificate" in err, err
    assert not (tmp_path / "hh" / "journals").exists()


def test_the_ready_record_says_which_pid_namespace_numbers_its_pid(tmp_path):
    """Trial 6b N6: a namespaced intercept's ready file said ``"pid": 1`` with nothing to tell it
    from a pid outside; ``pid_namespace`` says which namespace numbers it. The namespace is a real
    one (``unshare -pf --mount-proc``) where the machine allows it."""
    import json
    import os
    import subprocess
    import sys

    import pytest

    from harness.scenario.intercept import ready_info

    info = ready_info(tmp_path / "run", "127.0.0.1:5555", "127.0.0.1:8080")
    ours = os.readlink("/proc/self/ns/pid")
    assert info == {"run_dir": str(tmp_path / "run"), "serial": "127.0.0.1:5555", "proxy": "127.0.0.1:8080",
                    "pid": os.getpid(), "pid_namespace": ours}
    code = ("import json; from pathlib import Path; from harness.scenario.intercept import ready_info; "
            "print(json.dumps(ready_info(Path('/r'), 's', 'p')))")
    try:
        proc = subprocess.run(["unshare", "-pf", "--mount-proc", sys.executable, "-c", code],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("needs `unshare -pf --mount-proc` to make a PID namespace")
    if proc.returncode != 0 and "unshare" in proc.stderr:
        pytest.skip("needs `unshare -pf --mount-proc` (root or user namespaces) to make a PID namespace")
    inside = json.loads(proc.stdout)
    assert inside["pid"] == 1 and inside["pid_namespace"].startswith("pid:[") and inside["pid_namespace"] != ours
