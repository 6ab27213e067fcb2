"""Detaching from a busy app must never kill it (issue 16; the crash of session 1's stop note:
HotSpot 17 died with SIGSEGV in a hooked ``javax.crypto.Cipher.init`` after the crypto agent's
session detached while calls were in flight).

A real HotSpot 17 JVM runs two threads in a loop (OkHttp fetches through the real proxy, and
``Cipher.init``/``doFinal``); the Java agents are attached, seen working, and detached, several
times in a row. The app must keep running and answer after every detach; a crash report written
by ``-XX:ErrorFile`` into the test's tmp dir is shown on failure."""

from __future__ import annotations

import re

import pytest

from harness.instrument.session import HookSession

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ROUNDS = 4


def status(java_app) -> tuple[int, int]:
    java_app.send("status")
    m = java_app.expect(r"status ok fetches=(\d+) encrypts=(\d+)", timeout=30)
    return int(m.group(1)), int(m.group(2))


def crash_report(tmp_path) -> str:
    reports = sorted(tmp_path.glob("hs_err_pid*.log"))
    return reports[0].read_text(errors="replace")[:4000] if reports else "(no hs_err report)"


def test_detach_during_busy_request_and_crypto_loop_keeps_the_app_alive(frida_device, java_app, tmp_path):
    assert "busy ok" in java_app.run("busy")
    before = status(java_app)
    for round_ in range(ROUNDS):
        with HookSession.attach(frida_device, java_app.pid) as session:
            session.load("unpin")
            session.load("crypto", {"max_bytes": 256, "include_tls_records": round_ % 2 == 1})
            # the hooks are live while both loops run: calls are in flight when we detach
            session.wait_for("crypto:plaintext", timeout=30)
            if round_ % 2 == 1:
                session.wait_for("unpin:bypassed", timeout=30)
        assert java_app.proc.poll() is None, f"app died after detach #{round_ + 1}:\n{crash_report(tmp_path)}"
        after = status(java_app)
        # both loops still turn after the detach (the app is alive, not hung)
        again = status(java_app)
        while again[1] <= after[1] or again[0] <= after[0]:
            assert java_app.proc.poll() is None, crash_report(tmp_path)
            again = status(java_app)
        assert again > before
        before = again
    assert java_app.proc.poll() is None, crash_report(tmp_path)
    assert not list(tmp_path.glob("hs_err_pid*.log")), crash_report(tmp_path)
    assert not [line for line in java_app.log if re.search(r"busy encrypt failed", line)]
