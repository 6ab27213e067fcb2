"""The packs are shaped as docs/scenarios.md promises (INTERFACES.md §3): registered in the
``harness.packs`` entry-point group of pyproject.toml, importable packages found by the package
build, each with TITLE (its docstring's first line), SOURCE, public claim functions in
``claims.CLAIMS`` and one test per claim with exactly one ``claim`` marker, and no conftest."""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

import pytest
from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKS = PYPROJECT["project"]["entry-points"]["harness.packs"]


def test_both_packs_are_registered_and_built_with_the_package():
    assert PACKS == {"ncsc_2021": "harness.packs.ncsc_2021", "vendor_claims": "harness.packs.vendor_claims"}
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    assert include == ["harness*"]  # the old top-level scenarios/ folder is gone
    assert set(PACKS.values()) <= set(find_packages(str(ROOT), include=include))
    assert not (ROOT / "scenarios").exists()


@pytest.mark.parametrize("name", sorted(PACKS))
def test_a_pack_has_title_source_claims_and_one_marked_test_per_claim(name):
    pack = importlib.import_module(PACKS[name])
    assert pack.__doc__ and pack.__doc__.splitlines()[0].rstrip(".") == pack.TITLE
    assert pack.SOURCE.strip()
    claims = importlib.import_module(f"{PACKS[name]}.claims")
    assert claims.CLAIMS and all(not c.__name__.startswith("_") and c.__doc__ for c in claims.CLAIMS)
    folder = Path(pack.__file__).parent
    assert not (folder / "conftest.py").exists()
    tree = ast.parse((folder / "test_claims.py").read_text(encoding="utf-8"))
    tests = [f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name.startswith("test_")]
    called = set()
    for test in tests:
        markers = [d for d in test.decorator_list if isinstance(d, ast.Call) and ast.unparse(d.func) == "pytest.mark.claim"]
        assert len(markers) == 1 and len(markers[0].args) == 1 and isinstance(markers[0].args[0], ast.Constant), test.name
        assert [ast.unparse(a) for a in test.args.args] == ["lab", "verdict"], test.name
        called |= {n.func.id for n in ast.walk(test) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert called >= {c.__name__ for c in claims.CLAIMS}, "a claim function without a test"
    assert len(tests) == len(claims.CLAIMS)


def test_the_demo_states_each_claim_as_the_pack_does():
    """``harness demo`` said "searches are never restricted" where ``harness packs`` and ``harness
    run`` say the marker's sentence (trial report item 11): the demo's text for each check is the
    claim of the pack's test that runs it, as collected by pytest (``harness packs``)."""
    from harness.packs.claim_text import claim_texts
    from harness.packs.ground_truth import ALL_CLAIMS
    from harness.scenario.packs import collect, installed_packs

    packs = [installed_packs()[name] for name in sorted(PACKS)]
    collected = {str(item["claim"]) for item in collect([pack.path for pack in packs]).items}
    texts = {**claim_texts(packs[0].path), **claim_texts(packs[1].path)}
    demo = [texts.get(check.__name__) for check in ALL_CLAIMS]
    assert None not in demo and set(demo) == collected and len(demo) == len(collected)
