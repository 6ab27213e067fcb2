"""Exports: HAR 1.2 parses back (our structural check and mitmproxy's own HAR reader), Parquet and
CSV round-trip the flow table into pandas."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import stat

import pandas as pd
import pyarrow.parquet as pq
import pytest

from harness.capture.export import FLOW_SCHEMA, export, validate_har
from harness.capture.mitmfile import read_mitm
from harness.capture.store import FLOW_COLUMNS
from harness.cli.context import Env
from harness.cli.main import main
from harness.errors import UsageError
from harness.testing.flows import http_flow, make_run, tls_failure

BINARY = bytes(range(256))


@pytest.fixture
def run_dir(tmp_path):
    flows = [
        http_flow("https://search.test/s?q=Free+Tibet&lang=en", response_body=b"<html>results</html>",
                  response_headers=[("Content-Type", "text/html"), ("Set-Cookie", "a=b")], step_id="s1"),
        http_flow("https://api.test/upload", method="POST", request_body=BINARY, response_body=BINARY,
                  request_headers=[("Content-Type", "application/octet-stream")], http_version="HTTP/2.0"),
        tls_failure("pinned.test"),
        http_flow("https://gone.test/", status_code=None, response_body=None, response_headers=[],
                  kind="error", error="Connection killed.", reason=None),
    ]
    return make_run(tmp_path / "run", flows, steps=[("s1", "search")])


def test_har_parses_back_and_is_valid(run_dir, tmp_path):
    out = export(run_dir, "har", tmp_path / "out.har")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    doc = json.loads(out.read_text())
    assert validate_har(doc) == []
    entries = doc["log"]["entries"]
    assert doc["log"]["version"] == "1.2" and len(entries) == 3  # the TLS failure has no request
    search, upload, killed = entries
    assert search["request"]["queryString"] == [{"name": "q", "value": "Free Tibet"}, {"name": "lang", "value": "en"}]
    assert search["response"]["content"]["text"] == "<html>results</html>" and search["_stepId"] == "s1"
    assert "encoding" not in search["response"]["content"]
    assert upload["response"]["content"]["encoding"] == "base64"
    assert base64.b64decode(upload["response"]["content"]["text"]) == BINARY
    assert base64.b64decode(upload["request"]["postData"]["text"]) == BINARY
    assert killed["response"]["status"] == 0 and killed["_error"] == "Connection killed."
    # mitmproxy itself reads it back
    flows = read_mitm(out).flows
    assert [f.request.url for f in flows] == ["https://search.test/s?q=Free+Tibet&lang=en",
                                              "https://api.test/upload", "https://gone.test/"]


def test_validate_har_reports_problems():
    assert validate_har({}) == ["$: missing log"]
    bad = {"log": {"version": "1.2", "creator": {"name": "x", "version": "1"},
                   "entries": [{"startedDateTime": "yesterday", "time": 1}]}}
    problems = validate_har(bad)
    assert "log.entries[0].startedDateTime: not ISO 8601" in problems
    assert "log.entries[0]: missing request" in problems


def test_parquet_round_trip(run_dir, tmp_path):
    out = export(run_dir, "parquet", tmp_path / "flows.parquet")
    table = pq.read_table(out)
    assert table.schema.equals(FLOW_SCHEMA) and tuple(table.column_names) == FLOW_COLUMNS
    df = table.to_pandas()
    assert list(df["kind"]) == ["http", "http", "tls_failure", "error"]
    assert df.loc[1, "request_body"] == BINARY and df.loc[1, "http_version"] == "HTTP/2.0"
    assert df.loc[0, "step_id"] == "s1" and pd.isna(df.loc[1, "step_id"])
    assert json.loads(df.loc[0, "response_headers"]) == [["Content-Type", "text/html"], ["Set-Cookie", "a=b"]]
    assert df["request_body_truncated"].dtype == bool and df.loc[2, "sni"] == "pinned.test"
    plain = pd.read_parquet(out)  # plain pandas, no options (issue 10 item 6)
    assert list(plain["kind"]) == list(df["kind"]) and plain.loc[1, "request_body"] == BINARY


def test_csv_round_trip(run_dir, tmp_path):
    out = export(run_dir, "csv", tmp_path / "flows.csv")
    df = pd.read_csv(io.StringIO(out.read_text()))
    assert tuple(df.columns) == FLOW_COLUMNS and len(df) == 4
    assert base64.b64decode(df.loc[1, "response_body"]) == BINARY
    assert df.loc[0, "url"] == "https://search.test/s?q=Free+Tibet&lang=en"
    rows = out.read_text().splitlines()
    header = rows[0].split(",")
    first = next(csv.reader(rows[1:2]))
    # integers as integers although the failed TLS flow has no status code (trial report item 12)
    assert first[header.index("port")] == "443" and first[header.index("status_code")] == "200"
    assert first[header.index("server_port")] == "443"
    assert df["status_code"].isna().sum() >= 1


def test_export_cli(run_dir, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, home=tmp_path)
    assert main(["export", str(run_dir), "--format", "har", "-o", str(tmp_path / "x.har")], env) == 0
    assert validate_har(json.loads((tmp_path / "x.har").read_text())) == []
    assert str(tmp_path / "x.har") in out.getvalue()
    assert main(["export", str(run_dir), "--format", "parquet"], env) == 0
    assert (run_dir / "flows.parquet").exists()
    err.truncate(0)
    assert main(["export", str(tmp_path / "missing"), "--format", "csv"], env) == 2
    assert err.getvalue().count("\n") == 1 and "no run store" in err.getvalue()


def test_unknown_format():
    with pytest.raises(UsageError, match="unknown export format"):
        export("/nonexistent", "xml")
