"""The "App profiles" section of docs/scenarios.md: its example profile loads and its Python
snippet runs as written (in a folder holding the example as ``lab-phone-3.yaml``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.scenario.profile import load_profile

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def _section() -> str:
    text = DOC.read_text("utf-8")
    start = text.index("\n## App profiles\n")
    end = text.find("\n## ", start + 1)
    return text[start: end if end != -1 else len(text)]


def _block(lang: str) -> str:
    blocks = re.findall(rf"```{lang}\n(.*?)```", _section(), flags=re.S)
    assert len(blocks) == 1, f"expected one {lang} block in the App profiles section"
    return blocks[0]


def test_example_profile_loads(tmp_path):
    path = tmp_path / "lab-phone-3.yaml"
    path.write_text(_block("yaml"), encoding="utf-8")
    profile = load_profile(path)
    assert profile.name == "lab-phone-3"
    assert set(profile.apps) == {"browser", "messenger"} and set(profile.hosts) == {"ad_config", "telemetry"}


def test_example_snippet_runs(tmp_path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "lab-phone-3.yaml").write_text(_block("yaml"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    exec(compile(_block("python"), f"{DOC}:App profiles", "exec"), {})
