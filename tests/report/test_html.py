"""report.html: rendered from a findings document and the run's store, opened in real headless
Chromium (Debian's, driven by Playwright; nothing is downloaded)."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

from harness.cli.context import Env
from harness.cli.main import main
from harness.report.html import render_report, write_report
from harness.testing.chromium import CHROMIUM, headless_chromium
from harness.testing.flows import http_flow, make_run

CLAIM = "Our devices never restrict searches"
HOSTILE = "<script>console.error('injected')</script>"


def _doc(flows) -> dict:
    t = "2026-12-01T10:00:0{}Z"
    return {
        "schema": "harness.findings/1", "run_id": "run-r", "status": "complete", "created_at": t.format("9.125094"),
        "harness_version": "0.1.0", "world": {"name": "ncsc-2021"},
        "device": {"model": "M2007J3SG", "manufacturer": "Xiaomi", "android_version": "10", "miui_region": "LT",
                   "adb_serial": "127.0.0.1:40001", "serial": "hw-serial-1"},
        "tool_versions": {"mitmproxy": "11.0.2", "frida": "17.2.0", "adb": "36.0.0", "adb_path": "/opt/sdk/adb"},
        "steps": [{"id": "first-start", "name": "config download", "started_at": t.format(0), "ended_at": t.format(2),
                   "flow_ids": [flows[0].id]},
                  {"id": "search-sensitive", "name": f"search {HOSTILE}", "started_at": t.format(3),
                   "ended_at": t.format(4), "flow_ids": [flows[1].id]}],
        "claims": [{"text": CLAIM, "verdict": "violated", "evidence": {"flow_ids": [flows[1].id], "event_ids": []}},
                   {"text": "Personal data only with prior consent", "verdict": "inconclusive", "evidence": {"flow_ids": [], "event_ids": []}}],
        "findings": [
            {"id": "F1", "kind": "config_list", "verdict": "downloaded", "severity": "medium", "rule": "lists.keyword_list",
             "summary": "keyword list MiAdBlacklistConfig (449 terms)", "step_id": "first-start",
             "details": {}, "evidence": {"flow_ids": [flows[0].id], "event_ids": []}},
            {"id": "F2", "kind": "filtered", "verdict": "filtered", "severity": "high", "rule": "filtering.ooni_web_connectivity",
             "summary": f"search filtered {HOSTILE}", "step_id": "search-sensitive",
             "details": {"body_length_ratio": 0.8221343873517787, "rendered_ratio": 0.4444444444444444, "term": "Free Tibet", "list_in_force": flows[0].id},
             "evidence": {"flow_ids": [flows[1].id], "event_ids": ["e1"]}},
        ],
        "summary": {
            "counts": {"flows": 2, "agent_events": 1, "findings": 2},  # 1 agent event: a noun in the singular
            "destinations": [
                {"host": "globalapi.ad.vendor.test", "server_ip": "47.241.69.153", "country": "SG",
                 "jurisdiction": "third_country", "geo_source": "dbip-country-lite", "flows": 1},
                {"host": "search.vendor.test", "server_ip": "127.0.0.12", "country": "NL",
                 "jurisdiction": "domestic", "geo_source": "override", "flows": 1}],
            "config_lists": [{"name": "MiAdBlacklistConfig", "version": "2021092301", "terms": 449,
                              "host": "globalapi.ad.vendor.test", "chain": "base64>gzip>json",
                              "flow_id": flows[0].id, "sample_terms": ["Free Tibet"]}],
        },
    }


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    flows = [http_flow("https://globalapi.ad.vendor.test/config", step_id="first-start",
                       started_at=1764583201.0),
             http_flow("https://search.vendor.test/s?q=" + HOSTILE, step_id="search-sensitive",
                       started_at=1764583203.5)]
    run = make_run(tmp_path / "run-r", flows, steps=[("first-start", "x"), ("search-sensitive", "y")])
    (run / "findings.json").write_text(json.dumps(_doc(flows)))
    return run


def test_report_regenerates_byte_identical_and_escapes_captured_text(run_dir):
    first = write_report(run_dir).read_bytes()
    second = write_report(run_dir).read_bytes()
    assert first == second
    html = first.decode()
    assert HOSTILE not in html and "&lt;script&gt;" in html  # captured text is data, never markup
    assert (run_dir / "report.html").stat().st_mode & 0o777 == 0o600


def test_present_versus_enforced(run_dir):
    doc = json.loads((run_dir / "findings.json").read_text())
    assert "Enforced:</b> yes — filtering observed in search-sensitive (F2)" in render_report(doc)
    # two versions of the list, one observed filtered (in force when the experiment ran): only that one says yes
    older = {**doc["summary"]["config_lists"][0], "version": "2021092300", "flow_id": "flow-older", "flow_ids": ["flow-older"]}
    doc["summary"]["config_lists"].insert(0, older)
    html = render_report(doc)
    assert html.count("Enforced:</b> yes") == 1
    assert re.search(r"version 2021092300 .*?Enforced:</b> not shown for this version — filtering observed with "
                     r"another version in force: search-sensitive \(F2, list flow [0-9a-f-]+ in force\)", html, re.S)
    doc["summary"]["config_lists"] = doc["summary"]["config_lists"][1:]
    doc["findings"][1]["verdict"] = "not_filtered"
    assert "none filtered" in render_report(doc)
    doc["findings"] = doc["findings"][:1]
    assert "not tested in this run" in render_report(doc)


def test_the_claims_table_gives_the_reasoning_and_labelled_linked_evidence(run_dir):
    from harness.capture.store import RunStore

    doc = json.loads((run_dir / "findings.json").read_text())
    doc["claims"][0].update(details="search filtered: rendered 1 vs 5", rule="filtering.ooni_web_connectivity")
    doc["claims"][0]["evidence"]["event_ids"] = ["e1"]
    html = render_report(doc, RunStore.open(run_dir))
    table = html[html.index('id="claim-table"'):html.index("</table>", html.index('id="claim-table"'))]
    assert "<th>Reasoning</th>" in table and "search filtered: rendered 1 vs 5" in table
    assert "filtering.ooni_web_connectivity" in table
    flow = doc["claims"][0]["evidence"]["flow_ids"][0]
    # each id says its kind and links to its row below, which names what it is
    assert f'<span class="muted">flow</span> <a href="#ev-flow-{flow}">{flow}</a>' in table
    assert '<span class="muted">event</span> <a href="#ev-event-e1">e1</a>' in table
    assert '<span class="muted">none</span>' in table  # the inconclusive claim cites nothing
    row = re.search(rf'<tr id="ev-flow-{flow}"><td>flow</td>.*?</tr>', html, re.S)
    assert row and "GET https://search.vendor.test/s?q=" in row.group(0)
    assert re.search(r'<tr id="ev-event-e1"><td>event</td>.*?not in this run', html, re.S)
    assert len(re.findall(r'<tr id="ev-', html)) == 2  # one row per cited id


def test_human_text_counts_ratios_time_serials_and_tool_paths(run_dir):
    """Trial 6, finding 12: "1 checks", unrounded ratios, microseconds, the adb transport called
    "serial", and adb_path listed as a tool. The machine values in findings.json stay exact."""
    import doctest

    import harness.wording

    assert doctest.testmod(harness.wording).failed == 0
    doc = json.loads((run_dir / "findings.json").read_text())
    html = render_report(doc)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "created 2026-12-01T10:00:09Z ·" in text and "10:00:09.125094" not in text
    assert '<b>1</b>agent event</div>' in html
    assert '<b>2</b>flows</div>' in html and '<b>2</b>claims</div>' in html
    assert "evidence: 1 flow, 1 agent event" in text and "(s)" not in text
    assert "body length ratio: 0.82 · rendered ratio: 0.44" in text and "0.8221" not in text
    assert "adb serial 127.0.0.1:40001 (the adb transport) · hardware serial hw-serial-1 (ro.serialno" in text
    tools = re.search(r'<td class="mono" id="tools">(.*?)</td>', html, re.S)
    assert tools and re.sub(r"<[^>]+>", "", tools.group(1)) == "adb 36.0.0 (binary /opt/sdk/adb) · frida 17.2.0 · mitmproxy 11.0.2"
    assert doc["findings"][1]["details"]["body_length_ratio"] == 0.8221343873517787  # the document is unchanged


def test_cli_report_and_its_errors(run_dir, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    before = (run_dir / "findings.json").read_text()
    assert main(["report", str(run_dir), "--no-regenerate"], Env(stdout=out, stderr=err, home=tmp_path)) == 0
    assert out.getvalue() == f"wrote {run_dir / 'report.html'}\n"
    assert (run_dir / "findings.json").read_text() == before and CLAIM in (run_dir / "report.html").read_text()
    # a findings.json with claims the run never kept in claims.jsonl is not rebuilt (they would be lost)
    assert main(["report", str(run_dir)], Env(stdout=out, stderr=err, home=tmp_path)) == 2
    assert err.getvalue().count("\n") == 1 and "claims.jsonl" in err.getvalue() and "--no-regenerate" in err.getvalue()
    assert (run_dir / "findings.json").read_text() == before
    # by default the findings are regenerated from the store (this run saved no claims)
    (run_dir / "findings.json").unlink()
    out, err = io.StringIO(), io.StringIO()
    assert main(["report", str(run_dir), "--junit"], Env(stdout=out, stderr=err, home=tmp_path)) == 0, err.getvalue()
    assert out.getvalue().splitlines() == [f"wrote {run_dir / name}" for name in ("findings.json", "report.html",
                                                                                    "junit.xml")]
    regenerated = json.loads((run_dir / "findings.json").read_text())
    assert regenerated["run_id"] == "run-r" and regenerated["claims"] == [] and len(regenerated["steps"]) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["report", str(empty)], Env(stdout=out, stderr=err, home=tmp_path)) == 2
    assert err.getvalue().count("\n") == 1 and "is neither a session folder nor a run folder: expected a session " \
        "folder (OUT/<session id>: findings.json and <worker>/<module>/ lab folders) or a lab or run folder" in err.getvalue()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (scripts/setup.sh installs it)")
def test_report_renders_in_headless_chromium_offline(run_dir, tmp_path):
    path = write_report(run_dir)
    console: list[str] = []
    requests: list[str] = []
    with headless_chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        assert page.locator("#chart-destinations svg").count() == 1
        assert page.locator("#chart-timeline svg").count() == 1
        rows = page.locator("#claim-table tr")
        assert rows.count() == 3 and CLAIM in rows.nth(1).inner_text() and "violated" in rows.nth(1).inner_text()
        assert page.locator("#finding-F2 details").get_attribute("open") is not None  # high severity shown open
        # what a reader sees: seconds in UTC, nouns in their number, rounded ratios, the adb serial named so
        assert "created 2026-12-01T10:00:09Z" in page.locator("header").inner_text()
        assert "body length ratio: 0.82 · rendered ratio: 0.44" in page.locator("#finding-F2").inner_text()
        assert "evidence: 1 flow, 1 agent event" in page.locator("#finding-F2 summary").inner_text()
        assert "adb serial 127.0.0.1:40001 (the adb transport)" in page.locator("#summary").inner_text()
        assert page.locator("#tools").inner_text().startswith("adb 36.0.0 (binary /opt/sdk/adb) · ")
        shot = Path(os.environ.get("HARNESS_TEST_ARTIFACTS", tmp_path)) / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        pdf = page.pdf()  # the print stylesheet: "print to PDF" works
        assert pdf.startswith(b"%PDF")
    assert console == []  # no errors, and the hostile text did not run
    assert requests == [path.as_uri()]  # offline: the page loads nothing else


def test_redaction_leaves_no_identifier_in_html_or_junit(tmp_path):
    import base64
    import hashlib
    import urllib.parse

    android_id, imei, canary = "9774d56d682e549c", "868034051234567", "canary-contact+1@lab.test"
    # evidence flows carry the values too: base64 and an md5 in a URL
    flows = [http_flow("https://a.test/"),
             http_flow(f"https://t.test/c?d={base64.b64encode(android_id.encode()).decode()}"
                       f"&h={hashlib.md5(imei.encode()).hexdigest()}", step_id="search-sensitive")]
    run_dir = make_run(tmp_path / "run-pii", flows)
    doc = _doc(flows)
    doc["device"].update(android_id=android_id, imei=imei, identifiers={"android_id": android_id, "imei": imei},
                         canaries={"email": canary})
    doc["findings"][1]["summary"] = f"imei {imei} and android_id {android_id.upper()} sent"
    doc["claims"][0]["text"] = f"Nothing carries {urllib.parse.quote(canary, safe='')}"
    (run_dir / "findings.json").write_text(json.dumps(doc))
    home = tmp_path / "home"
    code = main(["report", str(run_dir), "--no-regenerate", "--redact", "--junit", str(tmp_path / "junit.xml")],
                Env(stdout=io.StringIO(), stderr=io.StringIO(), home=home))
    assert code == 0
    html = (run_dir / "report.html").read_text()
    junit = (tmp_path / "junit.xml").read_text()
    forbidden = [android_id, android_id.upper(), imei, canary, urllib.parse.quote(canary, safe=""),
                 base64.b64encode(android_id.encode()).decode(), hashlib.md5(imei.encode()).hexdigest()]
    for text in (html, junit):
        assert [v for v in forbidden if v in text] == []
    assert "[android_id:" in html and "[imei:" in html and "[canary.email:" in junit
    # the same value gets the same pseudonym in every report of this lab (one key per HARNESS_HOME)
    first = re.findall(r"\[imei:[0-9a-f]{8}\]", html)
    main(["report", str(run_dir), "--no-regenerate", "--redact"], Env(stdout=io.StringIO(), stderr=io.StringIO(), home=home))
    assert first and re.findall(r"\[imei:[0-9a-f]{8}\]", (run_dir / "report.html").read_text()) == first
    assert (home / "redact.key").stat().st_mode & 0o777 == 0o600
    # without --redact the values are there: the test above can fail
    main(["report", str(run_dir), "--no-regenerate"], Env(stdout=io.StringIO(), stderr=io.StringIO(), home=home))
    assert imei in (run_dir / "report.html").read_text()
