"""The packs' claim texts read through the one test-module reader (harness.scenario.testsource):
test names and their claims (``harness run PACK::TEST``), and the check each claimed test calls
(``harness demo``)."""

from __future__ import annotations

from pathlib import Path

from harness.packs.claim_text import claim_texts, pack_tests

TESTS = '''
import pytest
from pack.claims import searches_unrestricted, no_list

@pytest.mark.claim("Searches are never restricted.")
def test_search(lab):
    searches_unrestricted(lab)

@pytest.mark.claim("No list is downloaded.")
async def test_async_list(lab):
    no_list(lab)

def test_unclaimed(lab):
    no_list(lab)

class TestGroup:
    def test_inner(self):
        pass
'''


def test_pack_tests_and_claim_texts(tmp_path: Path) -> None:
    (tmp_path / "test_claims.py").write_text(TESTS)
    (tmp_path / "test_broken.py").write_text("def test_(:\n")  # skipped, the others still read
    sub = tmp_path / "more"
    sub.mkdir()
    (sub / "test_more.py").write_text('import pytest\n@pytest.mark.claim("Deeper.")\ndef test_deep():\n    deep()\n')
    tests = pack_tests(tmp_path)
    assert tests == {"test_search": (tmp_path / "test_claims.py", "Searches are never restricted."),
                     "test_async_list": (tmp_path / "test_claims.py", "No list is downloaded."),
                     "test_unclaimed": (tmp_path / "test_claims.py", None),
                     "test_deep": (sub / "test_more.py", "Deeper.")}  # pack_tests reads subfolders too
    # claim_texts: the pack folder's own files, synchronous claimed tests only (as before)
    assert claim_texts(tmp_path) == {"searches_unrestricted": "Searches are never restricted."}
