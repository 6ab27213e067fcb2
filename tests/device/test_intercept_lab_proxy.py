"""``harness intercept --lab-proxy HOST:PORT`` (issue 11 item 7): the proxy listens exactly where
the phone is told to send its traffic, or the run is refused before the phone is touched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from devicehelp import sim_settings
from test_intercept import Lines

from harness.device.journal import journal_path, read_journal


def _lan_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.123", 9))  # selects the route; sends nothing
        except OSError:
            return None
        ip = s.getsockname()[0]
    return None if ip.startswith("127.") else ip


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _env(home):
    return {**os.environ, "HARNESS_HOME": str(home), "PYTHONUNBUFFERED": "1"}


def test_lab_proxy_on_an_address_not_ours_is_refused(a10, home, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "harness", "intercept", "--device", a10.serial,
                           "--out", str(tmp_path / "run"), "--lab-proxy", "203.0.113.9:8080", "--duration", "1"],
                          capture_output=True, text=True, env=_env(home), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "203.0.113.9:8080" in proc.stderr and "Traceback" not in proc.stderr
    assert "http_proxy" not in sim_settings(a10).get("global", {})  # the phone was never touched
    assert not read_journal(journal_path(home, a10.serial)).pending


def test_lab_proxy_on_loopback_is_refused(a10, home, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "harness", "intercept", "--device", a10.serial,
                           "--out", str(tmp_path / "run"), "--lab-proxy", "127.0.0.1:8080"],
                          capture_output=True, text=True, env=_env(home), timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "not an address a phone on the lab network can reach" in proc.stderr


@pytest.mark.skipif(_lan_address() is None, reason="this machine has no non-loopback address")
def test_lab_proxy_listens_where_the_phone_is_pointed(a10, home, tmp_path):
    lan = _lan_address()
    assert lan is not None
    port = _free_port(lan)
    proc = subprocess.Popen([sys.executable, "-m", "harness", "intercept", "--device", a10.serial,
                             "--out", str(tmp_path / "run"), "--ca", "none", "--lab-proxy", f"{lan}:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(home))
    try:
        lines = Lines(proc)
        warning = lines.wait_for("reachable from other machines", timeout=90)
        assert f"{lan}:{port}" in warning
        lines.wait_for("intercepting", timeout=90)
        assert sim_settings(a10)["global"]["http_proxy"] == f"{lan}:{port}"
        # the phone's network reaches the proxy there, without credentials
        with socket.create_connection((lan, port), timeout=20, source_address=(lan, 0)) as sock:
            sock.sendall(b"GET http://unresolvable.invalid/ HTTP/1.1\r\nHost: unresolvable.invalid\r\n\r\n")
            status = sock.recv(64)
        assert status.startswith(b"HTTP/1.1 ") and b" 407 " not in status
    finally:
        proc.send_signal(2)
        out, err = proc.communicate(timeout=90)
    assert proc.returncode == 130, err  # stopped by a signal (README)
    assert "http_proxy" not in sim_settings(a10)["global"]
