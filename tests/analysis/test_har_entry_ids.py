"""HAR flow ids and problems count a HAR's entries from 1, as Chrome DevTools lists its requests
(trial report 5, finding 17): ``har-2`` is the second entry, and a report says which entry an id
is, also for an analysis made before this rule (ids counted from 0, recognised by its findings
document lacking ``source.har_entry_base``). Real analysis (``harness analyze``) and report."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq

from harness.analysis.pipeline import Options, analyze
from harness.cli.context import Env
from harness.cli.main import main

TRACKER = "https://collect.tracker-sg.example/e?aid=9774d56d682e549c"
URLS = ("https://search.vendor.test/s?q=Free+Tibet", TRACKER, "https://search.vendor.test/s?q=bread")


def cli(*argv: str, home: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def _entry(url: str) -> dict:
    return {"startedDateTime": "2026-12-01T10:00:00.000Z", "time": 12, "serverIPAddress": "2001:db8::7",
            "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": [], "queryString": [],
                        "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                         "content": {"size": 2, "mimeType": "text/plain", "text": "ok"},
                         "redirectURL": "", "headersSize": -1, "bodySize": 2},
            "cache": {}, "timings": {"send": 1, "wait": 10, "receive": 1}}


def _har(path: Path, entries: list) -> Path:
    """A HAR in Chrome DevTools' export shape (no ids of its own: the harness numbers them)."""
    path.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                                        "pages": [], "entries": entries}}))
    return path


def _analysed(tmp_path: Path) -> tuple[Path, dict]:
    har = _har(tmp_path / "browser.har", [_entry(u) for u in URLS])
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"android_id": "9774d56d682e549c"}))
    out = tmp_path / "har-an"
    code, _, err = cli("analyze", str(har), "--facts", str(facts), "--out", str(out), "--no-list-store",
                       home=tmp_path / "home")
    assert code in (0, 1), err
    return out, json.loads((out / "findings.json").read_text())


def test_ids_number_entries_as_devtools_does(tmp_path):
    """Three entries: the flows are har-1..har-3 in file order, and the finding about the android
    id sent to the tracker cites har-2, the second request DevTools lists."""
    a = analyze(_har(tmp_path / "three.har", [_entry(u) for u in URLS]))
    assert list(zip(a.flows["id"], a.flows["url"], strict=True)) == [(f"har-{n}", u) for n, u in enumerate(URLS, 1)]
    out, doc = _analysed(tmp_path)
    cited = {i for f in doc["findings"] if f["kind"] == "pii_sent" for i in f["evidence"]["flow_ids"]}
    assert cited == {"har-2"}, doc["findings"]
    assert doc["source"]["har_entry_base"] == 1
    assert cli("report", str(out), home=tmp_path / "home")[0] == 0
    html = (out / "report.html").read_text()
    assert 'har-2 <span class="muted">(HAR entry 2)</span>' in html
    assert 'id="har-numbering"' not in html  # nothing to explain: the ids are DevTools' numbers


def test_problems_name_the_entry_as_devtools_numbers_it(tmp_path):
    """The third of three entries unreadable: "HAR entry 3", the flows har-1 and har-2."""
    a = analyze(_har(tmp_path / "bad.har", [_entry(URLS[0]), _entry(URLS[1]), {"request": {}}]), Options())
    assert a.incomplete and "HAR entry 3 skipped" in a.problems[0], a.problems
    assert list(a.flows["id"]) == ["har-1", "har-2"]


def test_ids_of_its_own_are_kept(tmp_path):
    """An entry naming its id (the harness's export: ``_flowId``) keeps it; the others are numbered
    by their place in the file."""
    first = {**_entry(URLS[0]), "_flowId": "4d81e1f7-0000-4000-8000-000000000001"}
    a = analyze(_har(tmp_path / "mixed.har", [first, _entry(URLS[1])]))
    assert list(a.flows["id"]) == ["4d81e1f7-0000-4000-8000-000000000001", "har-2"]


def test_report_of_an_analysis_that_counted_from_0_says_which_entry_each_id_is(tmp_path):
    """An analysis folder written before ids counted from 1 (ids har-0..har-2, no
    ``source.har_entry_base``): its evidence still resolves to the right flow (ids and frames agree)
    and the report shows each id's DevTools entry and says how the analysis numbered them."""
    out, doc = _analysed(tmp_path)
    table = pq.read_table(out / "flows.parquet")
    old_ids = [f"har-{int(i.removeprefix('har-')) - 1}" for i in table.column("id").to_pylist()]
    pq.write_table(table.set_column(table.schema.get_field_index("id"), "id", [old_ids]), out / "flows.parquet")
    del doc["source"]["har_entry_base"]
    for f in doc["findings"]:
        f["evidence"]["flow_ids"] = [f"har-{int(i.removeprefix('har-')) - 1}" for i in f["evidence"]["flow_ids"]]
    (out / "findings.json").write_text(json.dumps(doc))
    assert cli("report", str(out), home=tmp_path / "home")[0] == 0
    html = (out / "report.html").read_text()
    assert "numbered the HAR&#39;s entries from 0" in html
    row = html[html.index('har-1 <span class="muted">(HAR entry 2)</span>'):]
    assert TRACKER.split("?")[0] in row[:600]  # the tracker, DevTools' entry 2
