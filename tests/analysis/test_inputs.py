"""Loaders and bad input: run directories (real RunStore), truncated .mitm, invalid HAR, a 200 MB
body, decompression bombs. Clear errors; partial results kept and marked."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import brotli
import pytest
import zstandard

from harness.analysis import Options, analyze
from harness.analysis.decode import Limits, expand
from harness.analysis.synthetic import SAMPLE_FACTS, make_flow, ordinary_flows, planted_flow, write_flows
from harness.capture.records import AgentEvent, FlowRecord
from harness.capture.store import RunStore
from harness.errors import AnalysisError


def test_run_directory(tmp_path: Path, world_geo) -> None:
    run = tmp_path / "run"
    store = RunStore.create(run, meta={"scenario": "unit"})
    store.begin_step("s1", "open browser", action="am start", info={"probe": {"role": "experiment", "pair": "p"}})
    store.add_flow(FlowRecord(
        id="f1", kind="http", started_at=1.0, ended_at=1.5, step_id="s1", server_host="sensors.xiaomi.test",
        server_ip="127.0.0.9", server_port=443, method="POST", scheme="https", host="sensors.xiaomi.test", port=443,
        path="/track", url="https://sensors.xiaomi.test/track", status_code=200,
        request_headers=[("content-encoding", "gzip")],
        request_body=gzip.compress(json.dumps({"eid": SAMPLE_FACTS["imei"]}).encode()), request_body_size=60))
    store.add_event(AgentEvent("crypto:plaintext", "frida", 1.2, payload={"host": "sensors.xiaomi.test"},
                               data=SAMPLE_FACTS["android_id"].encode(), step_id="s1"))
    store.end_step("s1")
    store.add_artifact("facts.json", json.dumps(SAMPLE_FACTS).encode(), "facts")
    store.close("complete")
    a = analyze(run, Options(geo=world_geo))
    assert a.source == "run" and not a.incomplete
    assert list(a.flows["id"]) == ["f1"] and list(a.steps["id"]) == ["s1"]
    assert len(a.agent_events) == 1 and a.agent_events["pii_hits"].iloc[0] == 1
    assert a.known_values > 0  # facts.json from the run's artifacts
    kinds = sorted((f.kind, f.details.get("value")) for f in a.finding_list)
    assert ("pii_abroad", "imei") in kinds and ("pii_sent", "android_id") in kinds
    assert a.flows["jurisdiction"].iloc[0] == "third_country"


def test_crashed_run_is_incomplete(tmp_path: Path) -> None:
    run = tmp_path / "crashed"
    store = RunStore.create(run)
    store.add_flow(FlowRecord(id="f1", kind="http", started_at=1.0, ended_at=1.5, url="https://a.test/"))
    store.flush()
    # simulate a crash: the writer stops without closing the run
    store.close("incomplete", reason="recorder killed")
    a = analyze(run)
    assert a.incomplete and "incomplete" in a.problems[0] and len(a.flows) == 1


def test_truncated_mitm_keeps_partial_results(tmp_path: Path) -> None:
    p = tmp_path / "cut.mitm"
    flows = list(ordinary_flows(50, seed=5)) + [planted_flow(SAMPLE_FACTS["imei"], "gzip", step_id="pii")]
    flows += list(ordinary_flows(50, seed=6))
    write_flows(p, flows)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) - 500])
    a = analyze(p, Options(facts=SAMPLE_FACTS))
    assert a.incomplete and "truncated" in a.problems[0]
    assert 90 <= len(a.flows) < 101
    assert "imei" in set(a.pii_hits["value_name"])


def test_not_a_flow_file(tmp_path: Path) -> None:
    p = tmp_path / "junk.mitm"
    p.write_bytes(b"this is not a flow file")
    with pytest.raises(AnalysisError, match="not a mitmproxy flow file") as exc:
        analyze(p)
    assert exc.value.fix
    with pytest.raises(AnalysisError, match="does not exist"):
        analyze(tmp_path / "missing.mitm")
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(AnalysisError, match="not a run directory"):
        analyze(tmp_path / "emptydir")


def _har(entries) -> dict:
    return {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}}


def _entry(url="https://api.example.test/q?aid=" + SAMPLE_FACTS["android_id"], **kw) -> dict:
    e = {"startedDateTime": "2024-01-01T00:00:00.000Z", "time": 12, "serverIPAddress": "127.0.0.9",
         "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": [{"name": "a", "value": "b"}]},
         "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                      "headers": [{"name": "content-encoding", "value": "gzip"}],
                      "content": {"size": 2, "mimeType": "application/json", "text": "{}"}}}
    e.update(kw)
    return e


def test_har(tmp_path: Path, world_geo) -> None:
    p = tmp_path / "ok.har"
    post = _entry(url="https://api.example.test/p")
    post["request"]["postData"] = {"mimeType": "application/octet-stream", "encoding": "base64",
                                   "text": base64.b64encode(gzip.compress(SAMPLE_FACTS["serial"].encode())).decode()}
    p.write_text(json.dumps(_har([_entry(), post])))
    a = analyze(p, Options(facts=SAMPLE_FACTS, geo=world_geo))
    assert a.source == "har" and not a.incomplete
    assert list(a.flows["server_ip"]) == ["127.0.0.9", "127.0.0.9"]
    assert set(a.pii_hits["value_name"]) == {"android_id", "serial"}
    assert set(a.destinations["country"]) == {"SG"}


@pytest.mark.parametrize("content,needle", [
    ('{"log": {"entries": [', "invalid JSON at line 1"),
    ('{"nolog": 1}', "no top-level 'log' object"),
    ('{"log": {"entries": 5}}', "'log.entries' is missing or not a list"),
    ('[1, 2]', "no top-level 'log' object"),
])
def test_invalid_har(tmp_path: Path, content: str, needle: str) -> None:
    p = tmp_path / "bad.har"
    p.write_text(content)
    with pytest.raises(AnalysisError, match=needle) as exc:
        analyze(p)
    assert exc.value.fix and str(p) in str(exc.value)


def test_har_with_bad_entry_is_partial(tmp_path: Path) -> None:
    p = tmp_path / "partial.har"
    bad = _entry()
    del bad["request"]["url"]
    p.write_text(json.dumps(_har([_entry(), bad, _entry()])))
    a = analyze(p)
    assert a.incomplete and "HAR entry 2 skipped" in a.problems[0] and len(a.flows) == 2


@pytest.mark.parametrize("method", ["gzip", "zstd", "br"])
def test_decompression_bomb_is_bounded(method: str) -> None:
    raw = b"\0" * (64 * 1024 * 1024)
    bomb = {"gzip": lambda: gzip.compress(raw, 9), "zstd": lambda: zstandard.ZstdCompressor(level=19).compress(raw),
            "br": lambda: brotli.compress(raw, quality=9)}[method]()
    assert len(bomb) < 200_000
    limits = Limits(max_output=1024 * 1024)
    ex = expand(bomb, method, limits=limits)
    assert ex.bounded and any("capped" in n for n in ex.notes)
    assert max(len(layer.data) for layer in ex.layers[1:]) <= 2 * 1024 * 1024


def test_bomb_in_flow_is_marked(tmp_path: Path) -> None:
    p = tmp_path / "bomb.mitm"
    bomb = gzip.compress(b"A" * (40 * 1024 * 1024), 9)
    write_flows(p, [make_flow("https://x.test/up", method="POST", request_body=bomb,
                              request_headers=[("content-encoding", "gzip")])])
    a = analyze(p, Options(facts=SAMPLE_FACTS))
    assert bool(a.flows["decode_bounded"].iloc[0])


def test_200mb_body_keeps_memory_sane(tmp_path: Path) -> None:
    """A 200 MB request body (value at its start and end) through the whole pipeline, in a child
    process so its peak RSS can be measured on its own."""
    script = textwrap.dedent(f"""
        import json, resource, sys
        from pathlib import Path
        from harness.analysis import analyze, Options
        from harness.analysis.loaders import Source
        from harness.capture.records import FlowRecord
        facts = {json.dumps(SAMPLE_FACTS)!r}
        imei = json.loads(facts)["imei"]
        serial = json.loads(facts)["serial"]
        body = (imei + ",").encode() + b"x" * (200 * 1024 * 1024) + serial.encode()
        rec = FlowRecord(id="big", kind="http", started_at=1.0, ended_at=2.0, url="https://up.test/",
                         request_body=body, request_body_size=len(body))
        del body
        a = analyze(Source("test", Path("m"), iter([rec])), Options(facts=json.loads(facts)))
        del rec
        out = dict(rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                   values=sorted(set(a.pii_hits["value_name"])), stored=len(a.flows["request_body"].iloc[0]),
                   truncated=bool(a.flows["request_body_truncated"].iloc[0]),
                   bounded=bool(a.flows["decode_bounded"].iloc[0]))
        print(json.dumps(out))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["values"] == ["imei", "serial"]  # the raw scan covers the whole body
    assert out["stored"] == 64 * 1024 and out["truncated"] and out["bounded"]
    assert out["rss_mb"] < 800, out


def test_run_directory_with_only_a_flow_file(tmp_path: Path, facts: dict) -> None:
    run = tmp_path / "run"
    (run / "artifacts").mkdir(parents=True)
    (run / "artifacts" / "facts.json").write_text(json.dumps(facts))
    write_flows(run / "flows.mitm", [planted_flow(facts["serial"], "query", step_id="s9")])
    a = analyze(run)
    assert a.incomplete and "no store.sqlite" in a.problems[0]
    assert list(a.pii_hits["value_name"]) == ["serial"] and list(a.steps["id"]) == ["s9"]
