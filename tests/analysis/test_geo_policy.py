"""Geo layering (override -> mmdb -> DB-IP Lite location data; iptocc only when that is off),
sources recorded, and jurisdiction classes.

The .mmdb here is written by ``mmdb_writer`` (test-only dependency) and read by the real
``maxminddb`` reader the harness uses.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from harness.analysis.geo import GeoResolver, Override, load_overrides
from harness.analysis.policy import Policy, load_policy
from harness.errors import AnalysisError

GOOGLE_DNS = "8.8.8.8"  # iptocc: US
SG_ADDR = "203.116.1.1"  # iptocc: SG


@pytest.fixture(scope="module")
def mmdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    w = MMDBWriter(ip_version=6, database_type="GeoLite2-Country", ipv4_compatible=True)
    w.insert_network(IPSet(["8.8.8.0/24"]), {"country": {"iso_code": "DE"}, "autonomous_system_number": 15169})
    w.insert_network(IPSet(["203.116.0.0/16"]), {"registered_country": {"iso_code": "JP"}})
    w.insert_network(IPSet(["10.0.0.0/8"]), {"country": {"iso_code": "FR"}})
    p = tmp_path_factory.mktemp("mmdb") / "test.mmdb"
    w.to_db_file(str(p))
    return p


def test_layer_order(mmdb: Path) -> None:
    geo = GeoResolver([Override(ipaddress.ip_network("8.8.8.8/32"), "LT", 65000, "lab")], mmdb)
    assert (geo.resolve("8.8.8.8").country, geo.resolve("8.8.8.8").source) == ("LT", "override")
    assert geo.resolve("8.8.8.8").asn == 65000
    assert (geo.resolve("8.8.8.9").country, geo.resolve("8.8.8.9").source, geo.resolve("8.8.8.9").asn) == (
        "DE", "mmdb", 15169)
    assert (geo.resolve(SG_ADDR).country, geo.resolve(SG_ADDR).source) == ("JP", "mmdb")
    assert (geo.resolve("1.1.1.1").country, geo.resolve("1.1.1.1").source) == ("AU", "dbip")
    geo.close()


def test_without_location_db_iptocc_answers() -> None:
    geo = GeoResolver(location_db=False)
    assert (geo.resolve(GOOGLE_DNS).country, geo.resolve(GOOGLE_DNS).source) == ("US", "iptocc")
    assert geo.resolve(SG_ADDR).country == "SG"
    no_rir = GeoResolver(use_iptocc=False, location_db=False)
    assert (no_rir.resolve(GOOGLE_DNS).country, no_rir.resolve(GOOGLE_DNS).source) == (None, "none")


@pytest.mark.parametrize("ip", ["127.0.0.1", "10.1.2.3", "192.168.1.1", "::1", "fe80::1", "169.254.0.1"])
def test_non_global_unknown_unless_overridden(ip: str, mmdb: Path) -> None:
    geo = GeoResolver(mmdb_path=mmdb)  # the mmdb maps 10/8 to FR: still not used for private space
    ans = geo.resolve(ip)
    assert (ans.country, ans.source) == (None, "non_global")
    over = GeoResolver([Override(ipaddress.ip_network(ip), "SG")])
    assert (over.resolve(ip).country, over.resolve(ip).source) == ("SG", "override")


def test_most_specific_override_wins() -> None:
    geo = GeoResolver([Override(ipaddress.ip_network("127.0.0.0/8"), "LT"),
                       Override(ipaddress.ip_network("127.0.0.9/32"), "SG")])
    assert geo.resolve("127.0.0.9").country == "SG"
    assert geo.resolve("127.0.0.8").country == "LT"
    assert geo.resolve("::ffff:127.0.0.9").country == "SG"
    assert geo.resolve("not-an-ip").source == "none"


@pytest.mark.parametrize("suffix,text", [
    (".yaml", "- {cidr: 127.0.0.9/32, country: sg, asn: AS4808, label: collector}\n"),
    (".yaml", "overrides:\n  127.0.0.9/32: SG\n"),
    (".json", '[{"cidr": "127.0.0.9/32", "country": "SG"}]'),
    (".json", '{"127.0.0.9/32": {"country": "SG"}}'),
    (".csv", "cidr,country,asn,label\n127.0.0.9/32,SG,,collector\n"),
])
def test_override_file_formats(tmp_path: Path, suffix: str, text: str) -> None:
    p = tmp_path / f"geo{suffix}"
    p.write_text(text)
    geo = GeoResolver(load_overrides(p))
    assert geo.resolve("127.0.0.9").country == "SG"
    # the table that answered is named (the path given, as with --geo-overrides) with its SHA-256
    assert geo.resolve("127.0.0.9").database == str(p)
    assert geo.describe()["override_tables"] == [{"file": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
                                                  "entries": 1}]


@pytest.mark.parametrize("text,needle", [
    ("- {cidr: 300.0.0.0/8, country: SG}\n", "bad CIDR"),
    ("- {cidr: 10.0.0.0/8}\n", "needs 'cidr' and 'country'"),
    ("just a string\n", "must hold a list"),
    ("- {cidr: [1\n", "not valid YAML"),
])
def test_bad_override_file(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "geo.yaml"
    p.write_text(text)
    with pytest.raises(AnalysisError, match=needle) as exc:
        load_overrides(p)
    assert exc.value.fix


def test_invalid_mmdb(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError, match="does not exist") as exc:
        GeoResolver(mmdb_path=tmp_path / "missing.mmdb")
    assert "--mmdb" in (exc.value.fix or "")
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(os.urandom(2048))
    with pytest.raises(AnalysisError, match="not a valid MaxMind database"):
        GeoResolver(mmdb_path=junk)


@pytest.mark.parametrize("country,host,expected", [
    ("LT", None, "domestic"), ("DE", None, "domestic"), ("NO", None, "domestic"),  # EEA
    ("CH", None, "adequate"), ("JP", None, "adequate"), ("GB", None, "adequate"), ("KR", None, "adequate"),
    ("US", "api.example.com", "third_country"),  # no DPF flag
    ("US", "dpf.certified.example", "adequate"),
    ("SG", None, "third_country"), ("CN", None, "third_country"), ("RU", None, "third_country"),
    (None, None, "unknown"),
    ("LT", "globalapi.ad.xiaomi.test", "third_country"),  # host override
])
def test_policy_classes(country, host, expected) -> None:
    policy = Policy(dpf_certified=["*.certified.example"], hosts={"*.xiaomi.test": "third_country"})
    assert policy.classify(country, host) == expected


def test_policy_file(tmp_path: Path) -> None:
    p = tmp_path / "policy.yaml"
    p.write_text("home: [CH]\nadequate: [EU, GB]\ndpf_certified: ['*.ok.example']\n"
                 "hosts: {'*.lab.test': domestic}\n")
    pol = load_policy(p)
    assert pol.classify("CH") == "domestic"
    assert pol.classify("DE") == "adequate"
    assert pol.classify("JP") == "third_country"
    assert pol.classify("US", "a.ok.example") == "third_country"  # US not in this adequacy list
    assert pol.classify(None, "x.lab.test") == "domestic"
    assert load_policy(None).classify("LT") == "domestic"


@pytest.mark.parametrize("text,needle", [
    ("home: Europe\n", "not an ISO 3166"),
    ("colour: blue\n", "at \\(top level\\): unknown key 'colour'"),
    ("hosts: {'a.test': nowhere}\n", "at hosts.a.test: 'nowhere' is not one of"),
    ("- a\n", "must be a mapping"),
])
def test_bad_policy_file(tmp_path: Path, text: str, needle: str) -> None:
    p = tmp_path / "policy.yaml"
    p.write_text(text)
    with pytest.raises(AnalysisError, match=needle):
        load_policy(p)


def test_domestic_reads_as_the_home_it_means() -> None:
    """A server in IE or NL is in the EEA, not "domestic" to a Lithuanian handset (trial report
    item 11): every display says the home's name; findings.json keeps the class value, and the
    display names that value too, so a reader cannot think they differ (trial 5, item 17)."""
    from harness.analysis.geo import GeoAnswer
    from harness.analysis.policy import EU, home_label, jurisdiction_label
    from harness.capture.records import FlowRecord
    from harness.demo.summary import summary_lines
    from harness.device.intercept_live import flow_line
    from harness.report.charts import destinations_chart
    from harness.report.html import build_context, with_home_words

    assert Policy().home_label == "EEA" and home_label(EU) == "EU" and home_label({"LT", "LV"}) == "home (LT, LV)"
    assert jurisdiction_label("domestic", "EEA") == "domestic (EEA)" and jurisdiction_label("domestic", None) == "domestic"
    assert jurisdiction_label("domestic", "home (LT, LV)") == "domestic (LT, LV)"
    assert jurisdiction_label("third_country", "EEA") == "third_country"
    rows = [{"host": "ie.example", "server_ip": "1.2.3.4", "country": "IE", "jurisdiction": "domestic", "flows": 2}]
    svg = destinations_chart(rows, "EEA")
    assert svg is not None and "IE (domestic (EEA))" in svg
    doc = {"summary": {"destinations": rows, "jurisdiction_home": "EEA"}}
    context = with_home_words(build_context(doc), doc)
    assert [d["jurisdiction"] for d in context["destinations"]] == ["domestic (EEA)"]
    assert "IE (domestic (EEA))" in context["destinations_svg"]

    class Here:
        def resolve(self, ip):
            return GeoAnswer(country="NL", asn=None, source="override")

    record = FlowRecord(id="f1", kind="http", started_at=0.0, ended_at=0.0, server_host="nl.example", server_ip="10.0.0.1",
                        method="GET", path="/", status_code=200)
    line = flow_line(record, Here(), Policy())  # type: ignore[arg-type]
    assert line.jurisdiction == "domestic" and " NL domestic (EEA) " in line.text()
    doc = {"world": {"name": "w"}, "device": {}, "run_id": "r", "claims": [], "findings": [], "run_dir": "d",
           "ground_truth": {"checks": []}, "restore": {"verified": True},
           "summary": {"jurisdiction_home": "EEA", "config_lists": [], "filtering": [],
                       "destinations_by_country": [{"country": "IE", "jurisdiction": "domestic", "hosts": ["ie.example"]}],
                       "personal_data": [{"kind": "pii_sent", "value": "imei", "destination": "ie.example",
                                          "countries": ["IE"], "jurisdictions": ["domestic"], "chains": []}],
                       "pinning": {"unpin_bypassed": 0, "bypassed": [], "tls_failures": 0, "tls_failure_hosts": []}}}
    text = "\n".join(summary_lines(doc))
    assert "  IE  domestic (EEA)" in text and "(IE, domestic (EEA))" in text and " EEA" not in text.replace("(EEA)", "")
