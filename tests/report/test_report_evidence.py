"""The evidence rows of a report come from the recording that produced each claim and finding
(trial report 5, findings 3 and 13): a session's report (`harness report SESSION`, one lab or two
xdist workers) resolves every cited flow and agent event from its labs' run stores; the report of a
HAR or .mitm analysis (`harness analyze FILE --out DIR`) from that analysis's own flows.parquet,
and names the file (format, SHA-256) instead of a device. Real run stores, real analysis; the
session page is opened in real headless Chromium (Debian's, through Playwright)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from harness.capture.store import RunStore
from harness.cli.context import Env
from harness.cli.main import main
from harness.report.contract import validation_errors
from harness.report.document import build_findings, claim_record, save_claim, write_findings
from harness.report.evidence import NOT_FOUND
from harness.scenario import ClaimResult
from harness.testing.chromium import CHROMIUM, headless_chromium
from harness.testing.flows import agent_event, http_flow

SESSION = "20261201T094314Z-c799aa"
NOT_FOUND_HTML = NOT_FOUND.replace("'", "&#39;")


def cli(*argv: str, home: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def _lab(session: Path, worker: str, serial: str, host: str) -> tuple[Path, str, str]:
    """A closed lab folder ``<worker>/test_lab_claims`` as the pytest plugin leaves it (its run id,
    its session in the metadata), one flow to ``host`` and one agent event, and a violated claim
    citing both; ``(lab, flow id, event id)``."""
    lab = session / worker / "test_lab_claims"
    store = RunStore.create(lab, meta={"run_id": f"{session.name}.{worker}.test_lab_claims",
                                       "pytest": {"session": session.name, "worker": worker}})
    store.begin_step("search-sensitive", "search")
    flow = http_flow(f"https://{host}/v1/suggest?q=Free+Tibet", server_ip="127.77.231.12", step_id="search-sensitive",
                     started_at=1764583201.0)
    store.add_flow(flow)
    store.add_flow(http_flow(f"https://{host}/t?aid=9774d56d682e549c", server_ip="127.77.231.13",
                             step_id="search-sensitive", started_at=1764583202.0))  # what a finding cites
    event = agent_event("ui:rendered", {"count": 1}, step_id="search-sensitive")
    store.add_event(event)
    store.end_step("search-sensitive")
    store.add_artifact("facts.json", json.dumps({"adb_serial": serial, "model": "M2007J3SG",
                                                  "android_id": "9774d56d682e549c"}).encode(),
                       kind="device_facts")
    store.close("complete")
    result = ClaimResult("The browser does not send the search term outside the EEA.", False,
                         f"sent to {host}", [flow.id, event.id], "pii.third_country")
    save_claim(lab, claim_record(result, claim_id="mypack.test_term", flow_ids=[flow.id], pack="mypack",
                                 device=serial, steps=["search-sensitive"]))
    write_findings(lab, build_findings(lab))
    return lab, flow.id, event.id


def _evidence_rows(html: str) -> dict[str, str]:
    """``{anchor id: the row's description}`` of the claims' evidence table."""
    return dict(re.findall(r'<tr id="(ev-[^"]+)"><td>[a-z]+</td><td class="mono">[^<]*</td>'
                           r'<td class="mono">([^<]*)</td></tr>', html))


@pytest.mark.parametrize("workers", [("main",), ("gw0", "gw1")])
def test_a_session_report_resolves_the_evidence_from_its_labs_stores(tmp_path, workers):
    session = tmp_path / "runs" / SESSION
    labs = [_lab(session, w, f"127.0.0.1:{40001 + i}", f"search{i}.vendor.test") for i, w in enumerate(workers)]
    code, out, err = cli("report", str(session), home=tmp_path / "home")
    assert code == 0, err
    doc = json.loads((session / "findings.json").read_text())
    assert validation_errors(doc) == [] and len(doc["claims"]) == len(workers)
    html = (session / "report.html").read_text()
    assert NOT_FOUND_HTML not in html and NOT_FOUND not in html
    rows = _evidence_rows(html)
    for i, (_, flow_id, event_id) in enumerate(labs):
        assert rows[f"ev-flow-{flow_id}"] == \
            f"GET https://search{i}.vendor.test/v1/suggest?q=Free+Tibet · 200 · 127.77.231.12:443"
        assert rows[f"ev-event-{event_id}"] == "ui:rendered (source agent, step search-sensitive)"
    assert len(rows) == 2 * len(workers)
    # the findings' evidence too: each from its own lab (the finding ids are <lab run id>:F<n>)
    found = html[html.index('id="findings"'):]
    for i in range(len(workers)):
        assert f"GET https://search{i}.vendor.test/t?aid=" in found
    assert NOT_FOUND_HTML not in found
    # the session bundle carries this report as run/report.html
    code, _, err = cli("bundle", str(session), "-o", str(tmp_path / "s.zip"), home=tmp_path / "home")
    assert code == 0, err
    import zipfile

    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        assert zf.read("run/report.html").decode() == html


def test_a_report_without_its_recordings_still_says_what_is_missing(tmp_path):
    """A findings.json copied away from its labs: the ids are named, each "not in this run's store"."""
    session = tmp_path / "runs" / SESSION
    _, flow_id, _ = _lab(session, "main", "127.0.0.1:40001", "search.vendor.test")
    assert cli("report", str(session), home=tmp_path / "home")[0] == 0
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(session / "findings.json", alone / "findings.json")
    assert cli("report", str(alone), home=tmp_path / "home")[0] == 0
    assert _evidence_rows((alone / "report.html").read_text())[f"ev-flow-{flow_id}"] == NOT_FOUND_HTML


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (scripts/setup.sh installs it)")
def test_the_session_report_in_headless_chromium_names_every_cited_flow(tmp_path):
    session = tmp_path / "runs" / SESSION
    labs = [_lab(session, w, f"127.0.0.1:{40001 + i}", f"search{i}.vendor.test") for i, w in enumerate(("gw0", "gw1"))]
    assert cli("report", str(session), home=tmp_path / "home")[0] == 0
    with headless_chromium() as browser:
        page = browser.new_page()
        page.goto((session / "report.html").as_uri())
        text = page.locator("body").inner_text()
        assert NOT_FOUND not in text
        for i, (_, flow_id, _) in enumerate(labs):
            row = page.locator(f'[id="ev-flow-{flow_id}"]').inner_text()
            assert f"GET https://search{i}.vendor.test/v1/suggest?q=Free+Tibet" in row and "127.77.231.12:443" in row


def _har(path: Path) -> Path:
    """A HAR in Chrome DevTools' export shape: two entries, the second to a tracker."""
    entries = []
    for url in ("https://search.vendor.test/s?q=Free+Tibet", "https://collect.tracker-sg.example/e?aid=9774d56d682e549c"):
        entries.append({
            "startedDateTime": "2026-12-01T10:00:00.000Z", "time": 12, "serverIPAddress": "[2001:db8::7]",
            "_initiator": {"type": "other"}, "_resourceType": "xhr",
            "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": [], "queryString": [],
                        "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                         "content": {"size": 2, "mimeType": "text/plain", "text": "b2s=", "encoding": "base64"},
                         "redirectURL": "", "headersSize": -1, "bodySize": 2},
            "cache": {}, "timings": {"send": 1, "wait": 10, "receive": 1}})
    path.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
                                        "pages": [], "entries": entries}}))
    return path


def test_the_report_of_a_har_analysis_cites_its_own_flows_and_names_the_file(tmp_path):
    har = _har(tmp_path / "browser.har")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"android_id": "9774d56d682e549c"}))
    code, _, err = cli("analyze", str(har), "--facts", str(facts), "--out", str(tmp_path / "har-an"),
                       "--no-list-store", home=tmp_path / "home")
    assert code in (0, 1), err
    doc = json.loads((tmp_path / "har-an" / "findings.json").read_text())
    assert validation_errors(doc) == []
    sha = hashlib.sha256(har.read_bytes()).hexdigest()
    assert doc["source"] == {"kind": "har", "file": "browser.har", "sha256": sha, "har_entry_base": 1}
    assert not {"adb", "adb_path", "frida", "java", "adbutils"} & set(doc["tool_versions"])
    assert doc["tool_versions"]["harness"] and "pandas" in doc["tool_versions"]
    cited = [i for f in doc["findings"] for i in f["evidence"]["flow_ids"]]
    assert cited, doc["findings"]  # the android_id to the tracker
    code, _, err = cli("report", str(tmp_path / "har-an"), home=tmp_path / "home")
    assert code == 0, err
    html = (tmp_path / "har-an" / "report.html").read_text()
    assert NOT_FOUND_HTML not in html
    assert "GET https://collect.tracker-sg.example/e?aid=" in html
    assert f'<td id="source">HAR file <code>browser.har</code> (SHA-256 <code>{sha}</code>)</td>' in html
    assert "<th>Device</th>" not in html  # no device took part
    tools = re.search(r"<th>Tools</th><td[^>]*>([^<]*)</td>", html)
    assert tools and "harness" in tools.group(1) and not re.search(r"\b(adb|frida|java)\b", tools.group(1))
    # a .mitm file (mitmdump -w): the same, its format named
    mitm = tmp_path / "plain.mitm"
    shutil.copy(Path(__file__).parents[1] / "analysis" / "data" / "bad_input" / "good-batch.mitm", mitm)
    assert cli("analyze", str(mitm), "--out", str(tmp_path / "mitm-an"), "--no-list-store",
               home=tmp_path / "home")[0] in (0, 1)
    mdoc = json.loads((tmp_path / "mitm-an" / "findings.json").read_text())
    assert mdoc["source"] == {"kind": "mitm", "file": "plain.mitm",
                              "sha256": hashlib.sha256(mitm.read_bytes()).hexdigest()}
    assert cli("report", str(tmp_path / "mitm-an"), home=tmp_path / "home")[0] == 0
    assert "mitmproxy flow file <code>plain.mitm</code>" in (tmp_path / "mitm-an" / "report.html").read_text()


def test_report_of_a_capture_file_says_to_analyse_it_first(tmp_path, monkeypatch):
    _har(tmp_path / "browser.har")
    monkeypatch.chdir(tmp_path)  # a short path: the one line quotes at most ~80 characters of it
    code, out, err = cli("report", "browser.har", home=tmp_path / "home")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "is a file, not a folder" in err and "harness analyze 'browser.har' --out DIR" in err, err
