"""What ships around the package: the container files and the set-up script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
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


def test_license_is_an_spdx_expression_the_build_backend_reads_without_warning():
    """``project.license`` as a TOML table makes setuptools 77+ print a deprecation banner on every
    install (``make demo`` showed it 3 times, trial report item 12); PEP 639's SPDX string needs
    setuptools 77 as the build requirement."""
    import tomllib

    from packaging.licenses import canonicalize_license_expression
    from packaging.requirements import Requirement
    from packaging.version import Version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    license_ = project["project"]["license"]
    assert isinstance(license_, str) and canonicalize_license_expression(license_) == license_
    assert not any(c.startswith("License ::") for c in project["project"].get("classifiers", []))
    setuptools = next(Requirement(r) for r in project["build-system"]["requires"] if r.startswith("setuptools"))
    assert setuptools.specifier.contains(Version("77.0")) and not setuptools.specifier.contains(Version("76.9"))


@pytest.mark.parametrize("module", ["harness", "harness.analysis.geodata", "harness.instrument.build", "harness.sim"])
def test_modules_run_with_python_m_without_a_runpy_warning(module: str):
    """The modules the Makefile, scripts/setup.sh and the sim service run as ``python -m MODULE``
    are not imported by their package first (runpy's RuntimeWarning, printed by ``make demo``'s
    set-up; trial report item 12)."""
    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", module, "--help"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0 and "RuntimeWarning" not in proc.stderr, proc.stderr[-2000:]
