"""What ships around the package: the container files and the set-up script."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
#: the Compose Specification's JSON Schema (compose-spec/compose-spec, schema/compose-spec.json,
#: commit 170098ba, 2026-06-23; Apache-2.0)
COMPOSE_SCHEMA = Path(__file__).parent / "data" / "compose-spec.json"


def test_docker_compose_file_is_valid_compose():
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(doc)  # the spec declares draft-07


def test_compose_validation_catches_a_bad_file():
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    doc["services"]["demo"]["volumes"] = 5  # not a list
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    try:
        jsonschema.Draft7Validator(schema).validate(doc)  # the spec declares draft-07
    except jsonschema.ValidationError:
        return
    raise AssertionError("an invalid compose file validated")


def test_image_never_copies_the_hosts_environment():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv/", "agents/node_modules/"} <= set(ignored)
