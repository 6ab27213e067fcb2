"""Frida messages -> events: namespaced types kept, errors and unknown messages never dropped."""

from __future__ import annotations

from harness.instrument.events import event_from_message


def test_namespaced_message_becomes_event_with_envelope_fields():
    msg = {"type": "send", "payload": {"type": "tls:write", "ts": 1_700_000_000_123, "pid": 42, "thread": 7,
                                       "size": 3}}
    e = event_from_message("tls-native", msg, b"abc", "step-1", received_at=5.0)
    assert (e.type, e.source, e.pid, e.thread, e.step_id, e.data) == ("tls:write", "tls-native", 42, 7, "step-1", b"abc")
    assert e.timestamp == 1_700_000_000.123
    assert e.payload == {"size": 3}


def test_uncaught_agent_exception_is_agent_error_with_stack():
    msg = {"type": "error", "description": "TypeError: x is null", "stack": "at foo (agent.js:3)",
           "fileName": "agent.js", "lineNumber": 3}
    e = event_from_message("crypto", msg, None, None, received_at=1.0)
    assert e.type == "agent:error"
    assert e.payload["message"] == "TypeError: x is null" and "agent.js:3" in e.payload["stack"]


def test_unrecognised_messages_are_kept_verbatim():
    for msg in ({"type": "send", "payload": "hello"}, {"type": "send", "payload": {"type": "NoNamespace"}},
                {"type": "weird", "x": 1}):
        e = event_from_message("custom", msg, b"\x00", "s", received_at=2.0)
        assert e.type == "agent:unknown"
        assert e.payload == {"message": msg} and e.data == b"\x00" and e.timestamp == 2.0


def test_to_json_encodes_binary_as_base64():
    e = event_from_message("x", {"type": "send", "payload": {"type": "a:b"}}, b"\xff", None)
    assert e.to_json()["data"] == {"format": "base64", "data": "/w=="}
