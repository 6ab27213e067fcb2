"""``harness analyze`` in-process: all three inputs, summary, --json, --out, exit statuses."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from harness.analysis.synthetic import SAMPLE_FACTS, make_flow, ordinary_flows, planted_flow, write_flows
from harness.cli.context import Env
from harness.cli.main import main
from harness.report.contract import validation_errors


def run_cli(args: list[str], home: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["analyze", *args], Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def mitm_with_pii(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("cli") / "pii.mitm"
    write_flows(p, [*ordinary_flows(40, seed=9), planted_flow(SAMPLE_FACTS["imei"], "gzip_base64_json",
                                                              server_ip="127.0.0.9", step_id="telemetry")])
    return p


def test_mitm_with_findings(tmp_path: Path, mitm_with_pii: Path, facts_file: Path, world_overrides_file: Path) -> None:
    code, out, err = run_cli([str(mitm_with_pii), "--facts", str(facts_file), "--geo-overrides",
                              str(world_overrides_file)], tmp_path)
    assert code == 1, err
    assert "Destinations by country / jurisdiction" in out
    assert "imei sent to collector.example.test in a third country (SG)" in out
    assert "highest severity high" in out
    # each finding line is followed by the flows it cites, as findings.json has them (trial 5, item 17)
    _, js, _ = run_cli([str(mitm_with_pii), "--facts", str(facts_file), "--geo-overrides",
                        str(world_overrides_file), "--json"], tmp_path)
    imei = next(f for f in json.loads(js)["findings"] if f["summary"].startswith("imei sent to collector"))
    lines = out.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.strip().endswith(imei["summary"]))
    assert lines[at + 1].strip().startswith("flows: " + imei["evidence"]["flow_ids"][0]), lines[at:at + 2]


def test_threshold_and_json(tmp_path: Path, mitm_with_pii: Path, facts_file: Path, world_overrides_file: Path) -> None:
    code, out, _ = run_cli([str(mitm_with_pii), "--facts", str(facts_file), "--geo-overrides",
                            str(world_overrides_file), "--fail-on", "critical", "--json"], tmp_path)
    assert code == 0
    doc = json.loads(out)
    assert doc["max_severity"] == "high" and not doc["incomplete"]
    kinds = {f["kind"] for f in doc["findings"]}
    assert {"pii_sent", "pii_abroad"} <= kinds
    f = next(f for f in doc["findings"] if f["kind"] == "pii_abroad")
    assert f["evidence"]["flow_ids"] and f["rule"] == "pii.third_country"
    sg = next(r for r in doc["destinations_by_country"] if r["country"] == "SG")
    assert sg["jurisdiction"] == "third_country" and len(sg["hosts"]) == 2  # the collector + the corpus's SG host
    collector = next(d for d in doc["destinations"] if d["host"] == "collector.example.test")
    assert (collector["country"], collector["geo_source"], collector["pii_flows"]) == ("SG", "override", 1)


def test_out_dir_parquet_private(tmp_path: Path, mitm_with_pii: Path, facts_file: Path) -> None:
    out_dir = tmp_path / "out"
    code, _, _ = run_cli([str(mitm_with_pii), "--facts", str(facts_file), "--out", str(out_dir)], tmp_path)
    assert code == 1
    assert stat.S_IMODE(out_dir.stat().st_mode) == 0o700
    for name in ("flows", "destinations", "steps", "agent_events", "findings", "pii_hits", "lists"):
        p = out_dir / f"{name}.parquet"
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert pq.read_table(out_dir / "flows.parquet").num_rows == 41
    assert stat.S_IMODE((out_dir / "findings.json").stat().st_mode) == 0o600
    doc = json.loads((out_dir / "findings.json").read_text())
    assert validation_errors(doc) == []  # the findings contract, as every command writes it
    assert doc["run_id"] == "pii" and doc["device"]["imei"] == SAMPLE_FACTS["imei"]
    assert "pii_sent" in {f["kind"] for f in doc["findings"]}
    assert not (out_dir / "analysis.json").exists()


def test_out_dir_of_a_run_is_the_runs_findings_document(tmp_path: Path) -> None:
    """For a run directory, --out writes what `harness report` regenerates: the same builder."""
    from harness.capture.records import FlowRecord
    from harness.capture.store import RunStore
    from harness.report.document import build_findings, dumps

    store = RunStore.create(tmp_path / "run")
    store.add_flow(FlowRecord(id="f", kind="http", started_at=1.0, ended_at=2.0, url="https://a.test/?aid="
                              + SAMPLE_FACTS["android_id"], server_host="a.test", server_ip="127.0.0.9"))
    store.add_artifact("facts.json", json.dumps(SAMPLE_FACTS).encode(), "facts")
    store.close()
    code, _, err = run_cli([str(tmp_path / "run"), "--out", str(tmp_path / "out"), "--no-list-store"], tmp_path)
    assert code == 1, err
    written = (tmp_path / "out" / "findings.json").read_text()
    assert validation_errors(json.loads(written)) == []
    assert written == dumps(build_findings(tmp_path / "run"))


def test_clean_har_exits_0(tmp_path: Path) -> None:
    har = tmp_path / "clean.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [{
        "startedDateTime": "2024-01-01T00:00:00Z", "time": 5, "serverIPAddress": "195.22.0.5",
        "request": {"method": "GET", "url": "https://search.eu.test/", "httpVersion": "HTTP/2", "headers": []},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/2", "headers": [],
                     "content": {"size": 0, "mimeType": "text/html"}}}]}}))
    code, out, err = run_cli([str(har), "--no-list-store"], tmp_path)
    assert code == 0, err
    assert "1 flows" in out and "0 findings" in out


def test_run_directory_via_cli(tmp_path: Path) -> None:
    from harness.capture.records import FlowRecord
    from harness.capture.store import RunStore

    store = RunStore.create(tmp_path / "run")
    store.add_flow(FlowRecord(id="f", kind="http", started_at=1.0, ended_at=2.0, url="https://a.test/?aid="
                              + SAMPLE_FACTS["android_id"], server_host="a.test", server_ip="127.0.0.9"))
    store.add_artifact("facts.json", json.dumps(SAMPLE_FACTS).encode(), "facts")
    store.close()
    code, out, _ = run_cli([str(tmp_path / "run")], tmp_path)
    assert code == 1 and "android_id sent to a.test" in out


def test_truncated_input_exits_2_without_findings(tmp_path: Path) -> None:
    p = tmp_path / "cut.mitm"
    write_flows(p, ordinary_flows(20, seed=2))
    p.write_bytes(p.read_bytes()[:-300])
    code, out, err = run_cli([str(p)], tmp_path)
    assert code == 2
    assert "INCOMPLETE" in out and "results are partial" in err


@pytest.mark.parametrize("extra,needle", [
    (["--mmdb", "/nonexistent/GeoLite2-Country.mmdb"], "does not exist"),
    (["--fail-on", "urgent"], "unknown severity"),
    (["--facts", "/nonexistent/facts.json"], "cannot read facts file"),
])
def test_bad_options_exit_2(tmp_path: Path, mitm_with_pii: Path, extra: list[str], needle: str) -> None:
    code, _, err = run_cli([str(mitm_with_pii), *extra], tmp_path)
    assert code == 2 and needle in err and "fix:" in err


def test_invalid_har_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "bad.har"
    p.write_text('{"log": {"entries": [{"request": ')
    code, _, err = run_cli([str(p)], tmp_path)
    assert code == 2 and "not a HAR file: invalid JSON" in err


def test_tls_failure_flow_from_mitm(tmp_path: Path) -> None:
    """A TLS error is a pinning finding only when it names the client's rejection of the proxy's
    certificate (issue 10 item 14); the proxy failing to verify the server is not one."""
    p = tmp_path / "tls.mitm"
    rejected = make_flow("https://pinned.test/", status=None, error=(
        "Client TLS handshake failed. The client does not trust the proxy's certificate for pinned.test "
        "(OpenSSL Error([('SSL routines', '', 'tlsv1 alert unknown ca')]))"))
    upstream = make_flow("https://upstream.test/", status=None, error="TLS handshake failed: certificate verify failed")
    write_flows(p, [rejected, upstream])
    code, out, _ = run_cli([str(p), "--fail-on", "low", "--json"], tmp_path)
    pins = [f for f in json.loads(out)["findings"] if f["kind"] == "pinning_failure"]
    assert code == 1 and [f["details"]["host"] for f in pins] == ["pinned.test"]
    assert pins[0]["evidence"]["flow_ids"] == [rejected.id]


def test_run_directory_uses_its_recorded_geo_table(tmp_path: Path) -> None:
    """A run that recorded the virtual world's geo table (as ``harness demo`` does) is analysed with
    it; ``--no-recorded-geo`` turns that off and the loopback address stays unknown."""
    from harness.capture.records import FlowRecord
    from harness.capture.store import RunStore

    store = RunStore.create(tmp_path / "run")
    store.add_flow(FlowRecord(id="f", kind="http", started_at=1.0, ended_at=2.0, url="https://t.vendor.test/e?aid="
                              + SAMPLE_FACTS["android_id"], server_host="t.vendor.test", server_ip="127.41.7.3"))
    store.add_artifact("facts.json", json.dumps(SAMPLE_FACTS).encode(), "facts")
    store.add_artifact("world-geo.json", json.dumps({"127.41.7.0/24": "SG"}).encode(), "geo_overrides")
    store.close()
    code, out, _ = run_cli([str(tmp_path / "run"), "--json", "--no-list-store"], tmp_path)
    doc = json.loads(out)
    dest = next(d for d in doc["destinations"] if d["host"] == "t.vendor.test")
    assert (dest["country"], dest["jurisdiction"], dest["geo_source"]) == ("SG", "third_country", "override")
    assert code == 1 and any(f["kind"] == "pii_abroad" for f in doc["findings"])

    code, out, _ = run_cli([str(tmp_path / "run"), "--json", "--no-list-store", "--no-recorded-geo"], tmp_path)
    dest = next(d for d in json.loads(out)["destinations"] if d["host"] == "t.vendor.test")
    assert dest["country"] is None and dest["jurisdiction"] == "unknown"
