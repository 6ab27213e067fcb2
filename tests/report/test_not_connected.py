"""A flow that never reached a server (no server address: the client closed before the proxy
connected upstream) is not a destination (trial 6b N1): it is not an unknown-country row beside
the host's located row, it is counted apart as "not connected", no finding claims a transfer for
it, and the report's footer names no ``none`` geo layer.

The run is written through the real run store (``harness.capture.store.RunStore``) and analysed
by the real analysis; no handset."""

from __future__ import annotations

import json
from pathlib import Path

from harness.analysis import Options, analyze
from harness.analysis.geo import GeoResolver, load_overrides
from harness.analysis.summary import summary_dict, summary_text
from harness.report.document import build_findings
from harness.report.html import render_report
from harness.testing.flows import http_flow

HOST = "tracking.intl.vendor.test"
ANDROID_ID = "9774d56d682e549c"


def _run(tmp_path: Path) -> Path:
    from harness.capture.store import RunStore

    store = RunStore.create(tmp_path / "run", meta={"world": "ncsc-2021"})
    store.begin_step("first", "first")
    store.add_flow(http_flow(f"https://{HOST}/e?aid={ANDROID_ID}", server_ip="127.41.7.3",
                             started_at=1764583201.0, step_id="first"))
    store.end_step("first")
    # as the recorder keeps a connection the browser cut before a complete request: a host from
    # the client's TLS SNI, no server address, no step (it ended just after the step)
    store.add_flow(http_flow(f"https://{HOST}/e?aid={ANDROID_ID}", server_ip=None, kind="error",  # type: ignore[arg-type]
                             status_code=None, reason=None, started_at=1764583203.0,
                             error="client closed the connection without a complete request"))
    geo = {"overrides": [{"cidr": "127.41.7.3/32", "country": "SG"}]}
    store.add_artifact("world-geo.json", json.dumps(geo).encode(), kind="geo_overrides")
    store.close("complete")
    return tmp_path / "run"


def test_a_flow_that_never_reached_a_server_is_not_a_destination(tmp_path: Path) -> None:
    run = _run(tmp_path)
    geo = GeoResolver(load_overrides(run / "artifacts" / "world-geo.json"))
    a = analyze(run, Options(facts={"android_id": ANDROID_ID}, geo=geo))
    failed = a.flows.loc[a.flows["kind"] == "error", "id"].tolist()
    assert len(failed) == 1
    assert a.destinations[["host", "server_ip", "country"]].values.tolist() == [[HOST, "127.41.7.3", "SG"]]
    d = summary_dict(a)
    assert d["not_connected"] == [{"host": HOST, "flows": 1, "flow_ids": failed}]
    assert [r["country"] for r in d["destinations_by_country"]] == ["SG"]
    text = summary_text(a)
    assert "??" not in text and "Not connected (the connection ended before a server was reached" in text
    assert f"{HOST} (1 flow)" in text
    # no finding cites the cut flow as a transfer
    for f in a.finding_list:
        if f.kind in ("pii_sent", "pii_abroad"):
            assert failed[0] not in f.flow_ids


def test_the_report_lists_it_apart_and_the_footer_names_no_none_layer(tmp_path: Path) -> None:
    run = _run(tmp_path)
    geo = GeoResolver(load_overrides(run / "artifacts" / "world-geo.json"))
    doc = build_findings(run, options=Options(facts={"android_id": ANDROID_ID}, geo=geo))
    html = render_report(doc)
    table = html.split('<section id="destinations">', 1)[1].split("</section>", 1)[0]
    assert table.count(f"<td>{HOST}</td>") == 1 and '<td class="mono"></td>' not in table
    assert 'id="not-connected"' in table and f"{HOST} (1 flow)" in table
    footer = html.rsplit("Countries from", 1)[1].split("</p>", 1)[0]
    assert "none" not in footer and not footer.rstrip().endswith("; .") and footer.rstrip().endswith(")."), footer
