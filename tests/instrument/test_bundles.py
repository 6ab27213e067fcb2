"""The shipped bundles are current: their manifest's source digest matches agents/ (no node needed),
and a real rebuild with frida's compiler reproduces them byte for byte (skipped without node modules)."""

from __future__ import annotations

import pytest

from harness.errors import InstrumentError
from harness.instrument import build
from harness.instrument.bundles import BUNDLE_NAMES, load_bundle, manifest, repo_agents_dir, sources_digest


def test_bundles_are_not_stale_against_their_sources():
    assert manifest()["sources_sha256"] == sources_digest(repo_agents_dir()), (
        "agents/ changed since the bundles were built: run `make agents` and commit harness/instrument/bundles"
    )
    assert build.check() == []


def test_every_bundle_matches_its_manifest_entry():
    for name in BUNDLE_NAMES:
        bundle = load_bundle(name)
        assert bundle.sha256 == manifest()["agents"][name]["sha256"]
        assert "rpc.exports" in bundle.source


def test_digest_changes_when_a_source_changes(tmp_path):
    import shutil

    copy = tmp_path / "agents"
    shutil.copytree(repo_agents_dir(), copy, ignore=shutil.ignore_patterns("node_modules"))
    before = sources_digest(copy)
    target = copy / "src" / "redirect.ts"
    target.write_text(target.read_text() + "\n// edited\n")
    assert sources_digest(copy) != before


def test_unknown_bundle_is_a_clear_error():
    with pytest.raises(InstrumentError, match="unknown agent 'nope'"):
        load_bundle("nope")


@pytest.mark.skipif(not (repo_agents_dir() / "node_modules" / "frida-java-bridge").is_dir(),
                    reason="agents/node_modules missing (cd agents && npm ci)")
def test_rebuild_with_frida_compiler_reproduces_the_shipped_bundles(tmp_path):
    result = build.build(out_dir=tmp_path)
    assert result["agents"] == manifest()["agents"]
    assert result["sources_sha256"] == manifest()["sources_sha256"]
