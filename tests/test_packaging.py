"""What ships around the package: the container files and the set-up script."""

from __future__ import annotations

import json
import re
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



def test_image_and_git_never_take_evidence_but_the_image_keeps_its_location_data():
    """Trial 6b N3: runs of the pytest plugin's default ``--harness-out`` (``harness-runs/``) and
    evidence bundles hold device identifiers: never in the image's build context, nor in git. The
    location data (``geodata/``) stays in the context: the runtime stage has no npm to fetch it."""
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    docker = {line for line in lines if line and not line.startswith("#")}
    assert {"harness-runs/", "**/harness-runs/", "*.evidence.zip", "**/*.evidence.zip"} <= docker
    assert not any(p.strip("/*").startswith("geodata") for p in docker)
    git = set((ROOT / ".gitignore").read_text().split())
    assert {"harness-runs/", "*.evidence.zip"} <= git


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


# --- docker-compose services that run harness (trial report 6, finding F) ---------------------------

SHELLS = {"sh", "bash", "dash", "/bin/sh", "/bin/bash"}
REPO_IN_IMAGE = "/opt/harness/"  # the Dockerfile's WORKDIR, where COPY . . puts the repository


def dockerfile_entrypoints(text: str) -> dict[str, list[str]]:
    """``{stage name: ENTRYPOINT argv}`` of a Dockerfile (exec form only; a stage built FROM
    another stage inherits its ENTRYPOINT); the unnamed last stage is ``""``."""
    stages: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0].upper() == "FROM":
            base = words[1]
            current = words[3] if len(words) >= 4 and words[2].upper() == "AS" else ""
            stages[current] = list(stages.get(base, []))
        elif words[0].upper() == "ENTRYPOINT":
            stages[current] = json.loads(line.split(None, 1)[1])
    return stages


def shell_runs_harness_without_exec(script: str) -> list[str]:
    """The commands of a shell script that start ``harness`` as a child instead of exec'ing it:
    a ``harness`` command word not directly preceded by ``exec`` (dash does not exec the last
    command of ``a && b``; trial 6, finding F). Comments (whole lines, or after code) are skipped."""
    bad = []
    for line in script.splitlines():
        line = re.sub(r"(?:^|\s)#.*$", "", line)
        for m in re.finditer(r"(?:^|[;&|(]|\b(?:then|do|else)\b)\s*(exec\s+)?harness\b([^;&|]*)", line):
            if not m.group(1):
                bad.append(("harness" + m.group(2)).strip())
    return bad


def service_process(service: dict, entrypoints: dict[str, list[str]]) -> tuple[list[str], str]:
    """``(argv, script)`` a service of this repository's image starts: its entrypoint (else the
    build target's ENTRYPOINT) and command; ``script`` is the shell text it runs (``sh -c TEXT``,
    or a script of the repository), "" for a plain program. ``([], "")`` for another image."""
    build = service.get("build")
    if build is None:
        return [], ""
    target = build.get("target", "") if isinstance(build, dict) else ""
    argv = list(service["entrypoint"]) if "entrypoint" in service else list(entrypoints.get(target, []))
    argv += list(service.get("command") or [])
    if argv and argv[0] in SHELLS and "-c" in argv:
        return argv, " ".join(argv[argv.index("-c") + 1:])
    if argv and argv[0].startswith(REPO_IN_IMAGE):
        return argv, (ROOT / argv[0][len(REPO_IN_IMAGE):]).read_text()
    return argv, ""


def harness_signal_problems(service: dict, entrypoints: dict[str, list[str]]) -> list[str]:
    """Why ``docker stop`` (SIGTERM to the container's main process, or to the child of
    ``init: true``'s tini, which signals only its one child) would not reach harness in this
    service: [] when harness is that process, or the service does not run harness."""
    _, script = service_process(service, entrypoints)
    return [f"harness started by a shell without exec: {c[:80]}" for c in shell_runs_harness_without_exec(script)]


def test_every_compose_service_that_runs_harness_lets_docker_stop_reach_it():
    """Static (no Docker engine here): each service's process is harness itself or a shell that
    execs it, and a service that runs harness has ``init: true`` and a stop grace period long
    enough to restore the device (Docker's default is 10 s)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    entrypoints = dockerfile_entrypoints((ROOT / "Dockerfile").read_text())
    assert entrypoints["runtime"] == ["harness"] and entrypoints[""] == ["harness"]
    runs_harness = []
    for name, service in compose["services"].items():
        assert harness_signal_problems(service, entrypoints) == [], name
        argv, script = service_process(service, entrypoints)
        if argv[:1] == ["harness"] or "exec harness" in script:
            runs_harness.append(name)
            assert service.get("init") is True, name
            assert int(str(service.get("stop_grace_period", "10s")).rstrip("s")) >= 30, name
            # a fixed --out on the volume fails on the second run: each run its own HARNESS_HOME/runs/<id>
            assert "--out" not in argv and "--out" not in script, name
    assert runs_harness == ["demo", "intercept"]


def test_the_signal_check_catches_the_shell_that_keeps_harness_as_its_child():
    entrypoints = dockerfile_entrypoints((ROOT / "Dockerfile").read_text())
    old = {"build": ".", "entrypoint": ["sh", "-c"],
           "command": ["adb connect emulator:5555 && harness intercept --device emulator:5555"]}
    assert harness_signal_problems(old, entrypoints) == [
        "harness started by a shell without exec: harness intercept --device emulator:5555"]
    fixed = {"build": ".", "entrypoint": ["sh", "-c"],
             "command": ["adb connect emulator:5555 && exec harness intercept --device emulator:5555"]}
    assert harness_signal_problems(fixed, entrypoints) == []
    assert shell_runs_harness_without_exec("harness restore; exec harness intercept") == ["harness restore"]


def test_the_images_runtime_stage_installs_only_what_running_needs():
    """The runtime stage installs its packages once, through ``setup.sh --runtime``, and drops
    apt's lists in the same layer; the tests' packages (Chromium, tshark...) are the test stage's."""
    text = (ROOT / "Dockerfile").read_text()
    runtime = text.split("FROM runtime AS test")[0]
    runs = [line for line in runtime.splitlines() if line.startswith("RUN ")]
    assert runs == ["RUN bash scripts/setup.sh --runtime && rm -rf /var/lib/apt/lists/*"]
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    test_only = setup.split('if [ -z "$RUNTIME" ]; then')[1].split("\nfi\n")[0]
    for package in ("chromium", "tshark", "tcpdump", "npm", "(adb)", "make"):
        assert package in test_only, package
