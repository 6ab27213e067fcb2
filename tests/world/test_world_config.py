"""World files: the bundled worlds load, bad files fail with a typed error naming the field."""

from __future__ import annotations

import dataclasses

import pytest

from harness.errors import UsageError
from harness.sim.world import WorldFileError, load_world, parse_world
from harness.sim.world.blacklist import decode_content, default_terms, encode_content
from harness.sim.world.config import BUNDLED


def test_bundled_worlds_differ_where_it_matters():
    ncsc, compliant = load_world("ncsc-2021"), load_world("compliant")
    assert ncsc.ad_config.serve and not compliant.ad_config.serve
    assert ncsc.telemetry.destination == "sg" and compliant.telemetry.destination == "eu"
    assert ncsc.telemetry.pinning and ncsc.telemetry.encrypted and ncsc.telemetry.identifiers
    assert compliant.telemetry.consent_respected and not ncsc.telemetry.consent_respected
    assert ncsc.filtering.browser_ads and not compliant.filtering.browser_ads
    assert ncsc.region_is_eu and compliant.region_is_eu


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_world_loads(name):
    assert load_world(name).name == name


def test_list_not_enforced_is_ncsc_without_filtering():
    """The list is served exactly as on ncsc-2021 (terms, version, region gate, remote switch) and
    the telemetry is the same; only the filtering switches differ: all off."""
    ncsc, lne = load_world("ncsc-2021"), load_world("list-not-enforced")
    assert lne.ad_config == ncsc.ad_config and lne.ad_config.serve
    assert lne.telemetry == ncsc.telemetry and lne.device == ncsc.device and lne.geo == ncsc.geo
    assert not any(dataclasses.asdict(lne.filtering).values())
    assert all(dataclasses.asdict(ncsc.filtering).values())


def test_default_list_has_449_terms_in_both_languages():
    terms = default_terms()
    assert len(terms) == 449
    texts = {t.text for t in terms}
    assert {"Free Tibet", "Long live Taiwan independence", "89 Democracy Movement"} <= texts
    assert {"political", "religious", "social", "porn", "rival"} == {t.category for t in terms}
    assert {"en", "zh"} == {t.language for t in terms}
    assert len({t.casefold() for t in texts}) == 449


def test_content_roundtrip_is_base64_gzip():
    terms = ["Free Tibet", "自由西藏"]
    content = encode_content(terms)
    import base64
    import gzip
    assert gzip.decompress(base64.b64decode(content)).decode().startswith("[")
    assert decode_content(content) == terms


@pytest.mark.parametrize(("doc", "field"), [
    ({"name": "x", "telemetry": {"destination": "cn"}}, "telemetry.destination"),
    ({"name": "x", "telemetry": {"pinning": "yes"}}, "telemetry.pinning"),
    ({"name": "x", "filtering": {"browser_adz": True}}, "filtering.browser_adz"),
    ({"name": "x", "ad_config": {"region_gate": {"remote": True}}}, "ad_config.region_gate.remote"),
    ({"name": "x", "ad_config": {"terms": ["ok", ""]}}, "ad_config.terms[1]"),
    ({"name": "x", "ad_config": {"version": "new"}}, "ad_config.version"),
    ({"name": "x", "device": {"region": "Europe"}}, "device.region"),
    ({"name": "x", "network": {"block": "10.0.0.0/24"}}, "network.block"),
    ({"name": "x", "geo": {"ads": "Singapore"}}, "geo.ads"),
    ({"name": "x", "geo": {"mars": "SG"}}, "geo.mars"),
    ({"telemetry": {}}, "name"),
    ({"name": "x", "colour": "red"}, "colour"),
])
def test_bad_fields_are_named(doc, field):
    with pytest.raises(WorldFileError) as info:
        parse_world(doc, "bad.yaml")
    assert isinstance(info.value, UsageError)
    assert f"'{field}'" in str(info.value)
    assert info.value.fix


def test_bad_files(tmp_path):
    with pytest.raises(WorldFileError, match="no world file or bundled world"):
        load_world("ncsc-2022")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    with pytest.raises(WorldFileError, match="not valid YAML"):
        load_world(broken)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(WorldFileError, match="top level") as info:
        load_world(listy)
    assert info.value.fix == "write a mapping"


@pytest.mark.parametrize("text", ["", "# nothing yet\n"])
def test_an_empty_world_file_says_so_and_what_to_write(tmp_path, text):
    empty = tmp_path / "empty.yaml"
    empty.write_text(text)
    with pytest.raises(WorldFileError) as info:
        load_world(empty)
    assert str(info.value) == (f"loading world file: {empty}: the world file is empty (fix: write a mapping with "
                               "at least `name: my-world` (docs/virtual-handset.md, \"World files\"))")


def test_custom_world_file(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("name: sg-user\ndevice: {region: SG}\nad_config: {terms: [alpha, beta], add_terms: [gamma]}\n")
    cfg = load_world(path)
    assert cfg.device.region == "SG" and not cfg.region_is_eu
    assert cfg.ad_config.terms == ("alpha", "beta") and cfg.ad_config.add_terms == ("gamma",)
