"""``pinning_failure`` needs positive evidence (issue 10 item 14): the rule on flow rows as the
recorder, older runs, ``.mitm`` files and HAR files give them."""

from __future__ import annotations

from pathlib import Path

from harness.analysis import Options, analyze
from harness.analysis.loaders import Source
from harness.capture.records import FlowRecord
from harness.capture.tlsevidence import AFTER_HANDSHAKE_ERROR, IDLE_ERROR


def _tls(fid: str, host: str, *, kind: str = "tls_failure", error: str = AFTER_HANDSHAKE_ERROR,
         client_ip: str = "10.0.0.2", **extra: object) -> FlowRecord:
    return FlowRecord(id=fid, kind=kind, started_at=1.0, ended_at=1.1, client_ip=client_ip, server_host=host,
                      sni=host, error=error, extra={"after_handshake": True, **extra})


def _ok(fid: str, host: str, client_ip: str = "10.0.0.2") -> FlowRecord:
    return FlowRecord(id=fid, kind="http", started_at=2.0, ended_at=2.1, client_ip=client_ip, server_host=host,
                      host=host, sni=host, method="GET", url=f"https://{host}/", status_code=200)


def _pins(flows: list[FlowRecord]) -> dict[str, list[str]]:
    a = analyze(Source("test", Path("memory"), iter(flows)), Options())
    return {f.details["host"]: f.flow_ids for f in a.finding_list if f.kind == "pinning_failure"}


def test_alert_evidence_is_a_finding() -> None:
    rows = [_tls("a", "pinned.test", evidence="client_alert", client_alerts=["user_canceled", "close_notify"])]
    assert _pins(rows) == {"pinned.test": ["a"]}


def test_a_close_without_evidence_is_no_finding() -> None:
    """An older run's after-handshake row (no evidence recorded) and an idle row."""
    rows = [_tls("old", "www.example.test"), _tls("spare", "cdn.example.test", kind="idle", error=IDLE_ERROR),
            _ok("h", "www.example.test")]
    assert _pins(rows) == {}


def test_repeated_closes_cite_the_earlier_closes_unless_the_client_got_an_answer() -> None:
    quiet = [_tls("q1", "quiet.test", kind="idle", error=IDLE_ERROR),
             _tls("q2", "quiet.test", kind="idle", error=IDLE_ERROR),
             _tls("q3", "quiet.test", evidence="repeated_closes", repeated_closes=3, earlier_ids=["q1", "q2"])]
    assert _pins(quiet) == {"quiet.test": ["q1", "q2", "q3"]}
    assert _pins([*quiet, _ok("later", "quiet.test")]) == {}  # a later success: spare connections
    assert _pins([*quiet, _ok("other", "quiet.test", client_ip="10.0.0.9")]) == {"quiet.test": ["q1", "q2", "q3"]}


def test_mitmproxy_wording_is_evidence_and_upstream_errors_are_not() -> None:
    rows = [_tls("m", "pinned.test", error="Client TLS handshake failed. The client does not trust the proxy's "
                 "certificate for pinned.test (OpenSSL Error([('SSL routines', '', 'tlsv1 alert unknown ca')]))"),
            _tls("d", "shy.test", error="Client TLS handshake failed. The client disconnected during the "
                 "handshake. If this happens consistently for shy.test, this may indicate that the client does "
                 "not trust the proxy's certificate."),
            _tls("u", "upstream.test", error="TLS handshake failed: certificate verify failed")]
    assert _pins(rows) == {"pinned.test": ["m"]}


def test_close_tally_counts_per_client_and_host_with_bounded_memory() -> None:
    from harness.capture.tlsevidence import KEEP_IDS, REPEATED_CLOSES, CloseTally

    tally = CloseTally()
    got = [tally.close("10.0.0.2", "Quiet.test", f"c{i}") for i in range(30)]
    assert got[: REPEATED_CLOSES - 1] == [None] * (REPEATED_CLOSES - 1)
    assert got[REPEATED_CLOSES - 1] == {"repeated_closes": REPEATED_CLOSES,
                                        "earlier_ids": [f"c{i}" for i in range(REPEATED_CLOSES - 1)]}
    assert got[-1] == {"repeated_closes": 30, "earlier_ids": [f"c{i}" for i in range(30 - KEEP_IDS - 1, 29)]}
    assert tally.close("10.0.0.3", "quiet.test", "other-client") is None  # another client starts at 1
    tally.success("10.0.0.2", "quiet.test")  # a request inside TLS: it trusts the proxy there
    assert tally.close("10.0.0.2", "quiet.test", "after") is None
