"""Pack discovery (``harness.scenario.packs``): entry points of group ``harness.packs`` read from a
real distribution's metadata on ``sys.path``, paths, unknown names, and the claims read by
collecting a pack's tests in a pytest child (with the ``run_events`` plugin)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from harness.errors import UsageError
from harness.scenario.packs import collect, find_pack, installed_packs, pack_of, syntax_errors

CLAIM_TEST = '''
import pytest


@pytest.mark.claim("Searches are never restricted.")
def test_searches():
    pass


@pytest.mark.claim("Calls are never restricted.")
def test_calls():
    pass


def test_plain():
    pass
'''


def make_pack(root: Path, name: str, test_source: str = CLAIM_TEST) -> Path:
    """A pack package ``name`` under ``root``: __init__ with TITLE/SOURCE and one test module."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(f'''\
        """{name}: the lab's own claims.

        More text."""

        TITLE = "Claims of {name}"
        SOURCE = "https://example.org/{name}"
        '''))
    (folder / "test_claims.py").write_text(test_source)
    return folder


def register_entry_point(root: Path, dist: str, name: str, module: str) -> None:
    """Distribution metadata on ``root`` declaring ``name = module`` in group harness.packs, as
    ``pip install`` of a lab's own pack package writes it."""
    info = root / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[harness.packs]\n{name} = {module}\n")


@pytest.fixture
def lab_packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    make_pack(site / "labpacks", "radio_claims")
    (site / "labpacks" / "__init__.py").write_text("")
    register_entry_point(site, "labpacks", "radio", "labpacks.radio_claims")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", f"{site}:{':'.join(sys.path)}")
    return site


def test_an_entry_point_pack_is_found_by_name_with_title_and_source(lab_packs: Path):
    packs = installed_packs()
    assert "radio" in packs
    pack = packs["radio"]
    assert pack.path == lab_packs / "labpacks" / "radio_claims"
    assert pack.module == "labpacks.radio_claims"
    assert pack.title == "Claims of radio_claims"
    assert pack.source == "https://example.org/radio_claims"
    assert pack.origin == "entry point of labpacks"
    assert find_pack("radio") == pack
    assert "labpacks.radio_claims" not in sys.modules  # listing imports no pack


def test_unknown_pack_names_the_installed_ones(lab_packs: Path):
    with pytest.raises(UsageError) as err:
        find_pack("no_such_pack")
    assert "unknown pack 'no_such_pack'" in err.value.reason
    assert "radio" in err.value.reason
    assert "harness packs" in (err.value.fix or "")
    for path in ("bad/nonexist.py", "test_gone.py::test_x"):  # meant as a path: say the path is missing
        with pytest.raises(UsageError) as err:
            find_pack(path)
        assert err.value.reason.startswith("no such file or folder:") and path.split("::")[0] in err.value.reason


def test_a_folder_a_test_file_and_a_node_id_are_packs(tmp_path: Path):
    folder = make_pack(tmp_path, "mine")
    assert find_pack(str(folder)).path == folder.resolve()
    assert find_pack(str(folder / "test_claims.py")).path == (folder / "test_claims.py").resolve()
    node = find_pack(f"{folder / 'test_claims.py'}::test_calls")
    assert str(node.path) == f"{(folder / 'test_claims.py').resolve()}::test_calls"
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(UsageError, match="neither a pack folder nor a .py test file"):
        find_pack(str(tmp_path / "notes.txt"))


def test_collect_reads_claim_sentences(lab_packs: Path):
    pack = find_pack("radio")
    found = collect([pack.path])
    assert found.errors == [], found.log
    claims = {item["nodeid"].rsplit("::", 1)[-1]: item["claim"] for item in found.items}
    assert claims == {"test_searches": "Searches are never restricted.",
                      "test_calls": "Calls are never restricted.", "test_plain": None}
    item = next(i for i in found.items if i["claim"] == "Calls are never restricted.")
    assert item["file"] == str(pack.path / "test_claims.py") and item["line"] == 10
    assert pack_of(item["file"], [pack]) == pack


def test_a_claim_marker_with_a_wrong_argument_is_named_with_its_place(tmp_path: Path):
    folder = make_pack(tmp_path, "badmark", "import pytest\n\n\n@pytest.mark.claim(42)\ndef test_x():\n    pass\n")
    found = collect([folder])
    assert [(e["kind"], e["line"]) for e in found.errors] == [("marker-error", 4)]
    assert found.errors[0]["message"] == \
        "@pytest.mark.claim takes one sentence (a non-empty str) or nothing, got claim(42)"
    assert found.errors[0]["fix"].startswith('write @pytest.mark.claim("The sentence tested."), or a bare')


def test_a_syntax_error_is_found_before_pytest_and_by_collection(tmp_path: Path):
    folder = make_pack(tmp_path, "broken", "import pytest\n\ndef test_x(:\n    pass\n")
    assert [(Path(e["file"]).name, e["line"]) for e in syntax_errors([folder])] == [("test_claims.py", 3)]
    found = collect([folder])
    assert [(e["kind"], Path(e["file"]).name, e["line"]) for e in found.errors] == [
        ("collect-error", "test_claims.py", 3)]
    assert "SyntaxError" in found.errors[0]["message"]


def test_a_pack_is_found_by_its_module_name_too():
    """`harness run harness.packs.ncsc_2021` (the module docs/scenarios.md names) runs the pack."""
    assert find_pack("harness.packs.ncsc_2021") == find_pack("ncsc_2021")
