"""Bad input and failures end in clear typed errors, never a hang; what was recorded stays."""

from __future__ import annotations

import time

import pytest

from harness.errors import InstrumentError
from harness.instrument.session import HookSession

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def sleeper(python_child):
    child = python_child("sleeper.py")
    assert child.stdout.readline().strip() == "ready"
    return child


def test_agent_with_syntax_error_is_rejected_and_session_goes_on(frida_device, sleeper, tmp_path):
    bad = tmp_path / "broken.js"
    bad.write_text("send({type: 'x:y'}\nfunction (\n")
    with HookSession.attach(frida_device, sleeper.pid) as session:
        with pytest.raises(InstrumentError, match=r"agent broken cannot be loaded: .*(syntax|Syntax|expected)"):
            session.load(bad)
        session.load("tls-native")  # still usable
        assert "tls-native" in session.agents


def test_typescript_agent_that_does_not_compile(frida_device, sleeper, tmp_path):
    bad = tmp_path / "broken.ts"
    bad.write_text("const x: number = ;\n")
    with HookSession.attach(frida_device, sleeper.pid) as session:
        with pytest.raises(InstrumentError, match="does not compile"):
            session.load(bad)


def test_throwing_agent_is_reported_with_stack_and_unknown_messages_kept(frida_device, sleeper, tmp_path):
    agent = tmp_path / "noisy.js"
    agent.write_text(
        "send('not an object');\n"
        "send({type: 'custom:ok', n: 1});\n"
        "function explode() { throw new Error('boom in hook'); }\n"
        "setTimeout(explode, 10);\n"
        "setTimeout(function () { send({type: 'custom:after'}); }, 50);\n"
    )
    with HookSession.attach(frida_device, sleeper.pid) as session:
        session.load(agent)
        error = session.wait_for("agent:error")
        session.wait_for("custom:after")  # the run continues after the exception
        unknown = session.wait_for("agent:unknown")
    assert "boom in hook" in error.payload["message"]
    assert "explode" in (error.payload["stack"] or "")
    assert unknown.payload["message"]["payload"] == "not an object"
    assert session.events("custom:ok")[0].payload == {"n": 1}


def test_unknown_agent_name_and_bad_config(frida_device, sleeper):
    with HookSession.attach(frida_device, sleeper.pid) as session:
        with pytest.raises(InstrumentError, match="unknown agent 'sslunpin'"):
            session.load("sslunpin")
        with pytest.raises(InstrumentError, match="redirect needs proxy_port"):
            session.load("redirect", {})


def test_attach_to_missing_pid_is_a_clear_error(frida_device, sleeper):
    sleeper.stdin.write("exit\n")
    sleeper.stdin.flush()
    sleeper.wait(10)
    started = time.monotonic()
    with pytest.raises(InstrumentError, match=f"pid {sleeper.pid}"):
        HookSession.attach(frida_device, sleeper.pid)
    assert time.monotonic() - started < 15


def test_process_exit_ends_the_session_with_instrument_error(frida_device, sleeper):
    session = HookSession.attach(frida_device, sleeper.pid)
    try:
        session.load("tls-native")
        sleeper.stdin.write("exit\n")
        sleeper.stdin.flush()
        assert session.wait_detached(15)
        with pytest.raises(InstrumentError, match=r"process \d+ exited"):
            session.check()
        with pytest.raises(InstrumentError, match="exited"):
            session.call("tls-native", "init", {})
        with pytest.raises(InstrumentError, match="exited"):
            session.wait_for("tls:write", timeout=5)
        session.flush()
        # what was recorded stays
        assert [e.type for e in session.events()][:1] == ["session:agent-loaded"]
        assert session.events("session:detached")[0].payload["reason"] == "process-terminated"
    finally:
        session.close()


def test_attach_package_waits_bounded_for_a_pid(frida_device):
    started = time.monotonic()
    with pytest.raises(InstrumentError, match="com.example.absent is not running"):
        HookSession.attach_package(frida_device, "com.example.absent", lambda pkg: None, wait=1.0)
    assert time.monotonic() - started < 5


def test_attach_package_polls_pidof_and_resume_releases_the_app(frida_device, sleeper):
    """The virtual handset path: pidof from the device layer, release() ends wait-for-debugger."""
    answers = iter([None, None, sleeper.pid])
    released = []
    session = HookSession.attach_package(frida_device, "test.sleeper", lambda pkg: next(answers, sleeper.pid),
                                         wait=5.0, release=lambda: released.append(True))
    with session:
        assert session.pid == sleeper.pid
        session.load("tls-native")
        assert released == []
        session.resume()
        session.resume()  # once only
        assert released == [True]
