"""A ``.mitm`` record's headers are validated once (issue 17): ``validate.flow_record(rec,
headers_checked=True)`` skips the header lists because :func:`validate.headers` gives its own
output back unchanged, whatever it was given (bytes, text with lone surrogates, HAR dicts)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.analysis import validate
from harness.analysis.loaders import record_from_state

TEXT = st.one_of(st.binary(max_size=12), st.text(max_size=12),
                 st.text(alphabet=st.sampled_from(["a", "\udc80", "\udcff", "\ud800", "\udfff", "\u00e9", ":"]),
                         max_size=6))
PAIRS = st.lists(st.one_of(st.tuples(TEXT, TEXT), st.lists(TEXT, min_size=2, max_size=2),
                           st.fixed_dictionaries({"name": TEXT, "value": TEXT})), max_size=6)


@settings(max_examples=800, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(PAIRS)
def test_headers_gives_its_output_back(raw: list[object]) -> None:
    once = validate.headers(raw, "h")
    assert validate.headers(once, "h") == once
    assert all(type(p) is tuple and type(p[0]) is str and type(p[1]) is str for p in once)


@settings(max_examples=300, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(PAIRS, PAIRS)
def test_checked_record_equals_the_full_check(req: list[object], resp: list[object]) -> None:
    state = {"id": "f1", "type": "http", "client_conn": {"peername": ("10.0.0.2", 5000)},
             "server_conn": {"address": ("a.example", 443), "peername": ("10.0.0.9", 443)},
             "request": {"host": "a.example", "port": 443, "scheme": b"https", "method": b"GET", "path": b"/",
                         "http_version": b"HTTP/1.1", "headers": req, "content": b""},
             "response": {"status_code": 200, "reason": b"OK", "http_version": b"HTTP/1.1", "headers": resp,
                          "content": b"x"}}
    checked = validate.flow_state(state)
    full = validate.flow_record(record_from_state(checked)[0])
    fast = validate.flow_record(record_from_state(checked, checked=True)[0], headers_checked=True)
    assert fast == full


HOSTS = st.one_of(st.text(max_size=8), st.sampled_from(["", "10.0.0.1", "a b", "x/y", "::1", "\udc80", "a" * 256]),
                  st.binary(max_size=6))
PORTS = st.one_of(st.integers(-2, 70000), st.booleans(), st.floats(allow_nan=True), st.none())


@settings(max_examples=800, deadline=None, database=None, derandomize=True)
@given(HOSTS, PORTS)
def test_peername_fast_path_answers_as_the_full_check(host: object, port: object) -> None:
    """``[host, port]`` lists take a fast path; tuples the full check: the same value or error."""
    def outcome(value: object) -> object:
        try:
            return validate.peername(value, "p")
        except validate.RecordError as exc:
            return f"error: {exc}"
    assert outcome([host, port]) == outcome((host, port))
