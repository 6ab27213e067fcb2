"""Fixtures for analysis tests: sample facts, a geo table for the synthetic world, flow files."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest

from harness.analysis.geo import GeoResolver, Override
from harness.analysis.synthetic import SAMPLE_FACTS

#: the synthetic world: a Singapore collector and an EU search server on loopback addresses
WORLD = {"127.0.0.9": "SG", "127.0.0.10": "LT"}


@pytest.fixture(scope="session")
def facts() -> dict:
    return json.loads(json.dumps(SAMPLE_FACTS))


@pytest.fixture(scope="session")
def facts_file(tmp_path_factory: pytest.TempPathFactory, facts: dict) -> Path:
    p = tmp_path_factory.mktemp("facts") / "facts.json"
    p.write_text(json.dumps(facts))
    return p


@pytest.fixture(scope="session")
def world_geo() -> GeoResolver:
    return GeoResolver([Override(ipaddress.ip_network(f"{ip}/32"), cc) for ip, cc in WORLD.items()])


@pytest.fixture(scope="session")
def world_overrides_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("geo") / "world.yaml"
    p.write_text("".join(f"- {{cidr: {ip}/32, country: {cc}, label: world}}\n" for ip, cc in WORLD.items()))
    return p
