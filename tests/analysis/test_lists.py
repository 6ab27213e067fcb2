"""Config-list detection, term extraction, version store and diffs across runs."""

from __future__ import annotations

import base64
import gzip
import json
import stat
from pathlib import Path

import pytest

from harness.analysis import Options, analyze
from harness.analysis.lists import ListStore, find_lists
from harness.analysis.synthetic import make_flow, ordinary_flows, write_flows

TERMS_V1 = ["Free Tibet", "89 Democracy Movement", "Long live Taiwan independence"] + [
    f"keyword {i}" for i in range(40)]
TERMS_V2 = [t for t in TERMS_V1 if t != "keyword 3"] + ["new term A", "new term B"]


def mi_config(terms: list[str], version: str, wrap: str = "base64_gzip") -> bytes:
    """A MiAdBlacklistConfig-shaped document: terms gzip- and base64-wrapped, version, update time."""
    raw = json.dumps(terms, ensure_ascii=False).encode()
    if wrap == "base64_gzip":
        value = base64.b64encode(gzip.compress(raw)).decode()
    elif wrap == "base64":
        value = base64.b64encode(raw).decode()
    elif wrap == "lines_base64":
        value = base64.b64encode("\n".join(terms).encode()).decode()
    else:
        value = terms
    return json.dumps({"code": 0, "data": {"configs": [{"name": "MiAdBlacklistConfig", "version": version,
                                                        "updateTime": 1609459200000, "content": value}]}}).encode()


@pytest.mark.parametrize("wrap", ["base64_gzip", "base64", "lines_base64", "plain_list"])
def test_mi_shaped_config_detected(wrap: str) -> None:
    body = gzip.compress(mi_config(TERMS_V1, "3", wrap))
    found = find_lists(body, url="https://globalapi.ad.xiaomi.test/config/get", content_encoding="gzip")
    assert len(found) == 1
    tl = found[0]
    assert tl.name == "MiAdBlacklistConfig"
    assert sorted(tl.terms) == sorted(TERMS_V1)
    assert tl.version == "3" and tl.update_time == "1609459200000"
    assert "Free Tibet" in tl.sensitive
    assert tl.chain.startswith("gzip")


def test_named_short_list_and_unnamed_long_list() -> None:
    named = json.dumps({"blockList": ["alpha", "beta", "gamma"]}).encode()
    assert [t.name for t in find_lists(named)] == ["blockList"]
    unnamed = json.dumps({"x": [f"word{i}" for i in range(25)]}).encode()
    assert [len(t.terms) for t in find_lists(unnamed)] == [25]
    sensitive = json.dumps({"x": ["Tiananmen", "weather"]}).encode()
    assert find_lists(sensitive)[0].sensitive == ["Tiananmen"]
    text = "\n".join(f"term {i}" for i in range(30)).encode()
    assert len(find_lists(text, url="https://cdn.test/blacklist.txt")[0].terms) == 30


@pytest.mark.parametrize("body", [
    json.dumps({"items": ["a", "b", "c"]}),  # short unnamed list, no sensitive term
    json.dumps({"hosts": [f"https://cdn{i}.example/x" for i in range(30)]}),  # URLs are not terms
    json.dumps({"data": [{"id": i, "title": "news"} for i in range(50)]}),
    "<html><head><title>x</title></head>" + "<p>line</p>\n" * 50 + "</html>",
])
def test_not_a_list(body: str) -> None:
    assert find_lists(body.encode()) == []


def test_no_list_in_ordinary_traffic(tmp_path: Path) -> None:
    p = tmp_path / "ordinary.mitm"
    write_flows(p, ordinary_flows(500, seed=3))
    a = analyze(p, Options(lists_dir=tmp_path / "lists"))
    assert a.lists.empty
    assert not [f for f in a.finding_list if f.kind == "config_list"]


def _run_with(tmp_path: Path, name: str, terms: list[str], version: str) -> Path:
    p = tmp_path / f"{name}.mitm"
    write_flows(p, [make_flow("https://globalapi.ad.xiaomi.test/api/config", step_id="fetch",
                              response_body=gzip.compress(mi_config(terms, version)),
                              response_headers=[("content-type", "application/json"), ("content-encoding", "gzip")],
                              server_ip="127.0.0.9")])
    return p


def test_versions_stored_and_diffed_across_runs(tmp_path: Path, world_geo) -> None:
    store_dir = tmp_path / "lists"
    first = analyze(_run_with(tmp_path, "run1", TERMS_V1, "3"), Options(lists_dir=store_dir, geo=world_geo))
    f1 = next(f for f in first.finding_list if f.kind == "config_list")
    assert f1.verdict == "downloaded" and f1.details["terms"] == len(TERMS_V1)
    assert first.lists["n_terms"].iloc[0] == len(TERMS_V1)
    second = analyze(_run_with(tmp_path, "run2", TERMS_V2, "4"), Options(lists_dir=store_dir, geo=world_geo))
    f2 = next(f for f in second.finding_list if f.kind == "config_list")
    assert f2.verdict == "changed"
    assert f2.details["added"] == ["new term A", "new term B"]
    assert f2.details["removed"] == ["keyword 3"]
    assert f2.details["previous_version"] == "3"
    assert f2.flow_ids == list(second.flows["id"])
    versions = ListStore(store_dir).versions("MiAdBlacklistConfig")
    assert [v["version"] for v in versions] == ["3", "4"]  # ordered by when last seen
    folder = store_dir / "MiAdBlacklistConfig"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    # the same version again is not a change
    third = analyze(_run_with(tmp_path, "run3", TERMS_V2, "4"), Options(lists_dir=store_dir, geo=world_geo))
    assert next(f for f in third.finding_list if f.kind == "config_list").verdict == "downloaded"


def test_two_versions_in_one_run_are_diffed(tmp_path: Path) -> None:
    p = tmp_path / "both.mitm"
    flows = [make_flow("https://globalapi.ad.xiaomi.test/api/config", response_body=mi_config(terms, v),
                       step_id=f"s{v}") for terms, v in ((TERMS_V1, "3"), (TERMS_V2, "4"))]
    write_flows(p, flows)
    a = analyze(p, Options(lists_dir=None))
    verdicts = [f.verdict for f in a.finding_list if f.kind == "config_list"]
    assert verdicts == ["downloaded", "changed"]
    assert list(a.lists["added"].iloc[1]) == ["new term A", "new term B"]


#: a search-suggestion answer as the vendor's search server (and most suggest APIs) gives it
SUGGEST_URL = "https://search.vendor.test/v1/suggest?q=Free%20Tibet&lang=en-GB"
SUGGESTIONS = {"q": "Free Tibet", "suggestions": ["Free Tibet", "Free Tibet news", "Free Tibet wikipedia",
                                                 "Free Tibet 2021", "weather in Kaunas"]}


@pytest.mark.parametrize(("url", "body", "request_body"), [
    (SUGGEST_URL, json.dumps(SUGGESTIONS), None),
    # OpenSearch suggestions (``[query, [completions]]``), as browsers' search boxes read them
    ("https://suggest.example.test/complete/search?client=browser&q=tiananmen",
     json.dumps(["tiananmen", ["tiananmen", "tiananmen square", "tiananmen 1989", "tiananmen gate",
                               "tiananmen square protests", "beijing weather"]]), None),
    # the query in a JSON POST body
    ("https://search.vendor.test/v2/suggest", json.dumps(SUGGESTIONS), json.dumps({"query": "Free Tibet"}).encode()),
    # a form POST body
    ("https://search.vendor.test/v2/suggest", json.dumps(SUGGESTIONS), b"query=Free+Tibet&n=5"),
])
def test_search_suggestions_are_not_a_config_list(url: str, body: str, request_body: bytes | None) -> None:
    """Regression: the 5 suggestions returned for a sensitive query were flagged as a keyword list
    because they repeat the (sensitive) query the client sent."""
    assert find_lists(body.encode(), url=url, request_body=request_body) == []


def test_echo_rule_keeps_lists_the_request_did_not_ask_for() -> None:
    # a sensitive term the client did not send: still evidence
    found = find_lists(json.dumps({"x": ["Tiananmen", "weather"]}).encode(), url="https://x.test/a?q=news")
    assert [t.sensitive for t in found] == [["Tiananmen"]]
    # mostly completions of the query: an answer, even with a term the server slipped in
    answer = json.dumps({"q": "weather", "suggestions": ["weather", "weather today", "Tiananmen"]})
    assert find_lists(answer.encode(), url="https://search.vendor.test/v1/suggest?q=weather") == []
    # a named blacklist fetched with a request that mentions one of its terms: still a list
    body = mi_config(TERMS_V1, "3")
    found = find_lists(body, url="https://globalapi.ad.xiaomi.test/config/get?check=Free%20Tibet&app=browser")
    assert [t.name for t in found] == ["MiAdBlacklistConfig"]
    assert "Free Tibet" not in found[0].sensitive and "Long live Taiwan independence" in found[0].sensitive
    # short request values (``lang=en``) are not echoes, or every term would match
    short = json.dumps({"x": ["Tiananmen", "weather"]}).encode()
    assert find_lists(short, url="https://x.test/a?l=en&b=we")[0].sensitive == ["Tiananmen"]


def test_suggestions_flow_in_a_run_is_not_a_finding(tmp_path: Path) -> None:
    p = tmp_path / "suggest.mitm"
    write_flows(p, [make_flow(SUGGEST_URL, step_id="search", response_body=json.dumps(SUGGESTIONS).encode(),
                              server_ip="127.0.0.10"),
                    make_flow("https://globalapi.ad.xiaomi.test/api/config", step_id="fetch",
                              response_body=mi_config(TERMS_V1, "3"), server_ip="127.0.0.9")])
    a = analyze(p, Options(lists_dir=None))
    assert list(a.lists["name"]) == ["MiAdBlacklistConfig"]
