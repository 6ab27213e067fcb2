"""One reader of test modules (harness.scenario.testsource): the definitions, claims and parse
failures ``harness run``'s "no test" line and the packs' claim texts both read."""

from __future__ import annotations

import ast
from pathlib import Path

from harness.scenario.run_results import not_found
from harness.scenario.testsource import module_definitions

SOURCE = '''
import pytest
from missing_module import check   # never imported by the reader

@pytest.mark.claim("Searches are never restricted.")
def test_search(lab):
    check(lab)

@pytest.mark.parametrize("n", [1, 2])
async def test_async(n):
    pass

class TestGroup:
    def test_inner(self):
        pass

def helper():
    pass

def Test_odd():
    pass
'''


def test_definitions_in_source_order_with_claims(tmp_path: Path) -> None:
    f = tmp_path / "test_x.py"
    f.write_text(SOURCE)
    defs = module_definitions(f)
    assert defs is not None
    assert [(d.name, type(d.node).__name__, d.claim) for d in defs] == [
        ("test_search", "FunctionDef", "Searches are never restricted."),
        ("test_async", "AsyncFunctionDef", None), ("TestGroup", "ClassDef", None),
        ("helper", "FunctionDef", None), ("Test_odd", "FunctionDef", None)]
    assert any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "check" for n in ast.walk(defs[0].node))


def test_unreadable_files_give_none(tmp_path: Path) -> None:
    bad = tmp_path / "test_bad.py"
    bad.write_text("def test_(:\n")
    nul = tmp_path / "test_nul.py"
    nul.write_bytes(b"x = 1\x00\n")
    assert module_definitions(bad) is None and module_definitions(nul) is None
    assert module_definitions(tmp_path / "absent.py") is None


def test_not_found_lists_the_tests_the_file_defines(tmp_path: Path) -> None:
    f = tmp_path / "test_x.py"
    f.write_text(SOURCE)
    line = not_found(str(f), "test_nope")
    assert f"no test 'test_nope' in {f} (it defines test_search, test_async, TestGroup, Test_odd) (fix: " in line
    assert "(TestGroup exists, but not with the parameters or method given)" in not_found(str(f), "TestGroup::test_no")
    # a parameter id pytest did not generate (the test itself exists)
    assert "(test_async exists, but not with the parameters or method given)" in not_found(str(f), "test_async[3]")
    bad = tmp_path / "test_bad.py"
    bad.write_text("def test_(:\n")
    assert not_found(str(bad), "test_a").startswith(f"no test 'test_a' in {bad} (fix: ")
