"""Each crash the fuzzing found (tests/fuzz/test_surfaces.py, benchmarks/fuzz.py), kept as a test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.testing.fuzz import run_surface

#: (surface, input, words the error must contain; None: the input is read, marked incomplete)
FOUND: list[tuple[str, Any, str | None]] = [
    # a CIDR -> country map with an integer key: the schema library's error ranking sorted mixed keys
    ("geo", (".yaml", b"1:\nz:\n"), "key 1 is not text"),
    # run store rows whose JSON columns hold other types, or bytes that are not UTF-8
    ("runstore", [("steps", "info", 1)], None),
    ("runstore", [("steps", "info", b"\x80")], None),
    ("runstore", [("steps", "info", "")], None),
    ("runstore", [("events", "data", 1)], None),
    ("runstore", [("events", "payload", 1)], None),
    ("runstore", [("events", "type", b"\x80")], None),
    ("runstore", [("meta", "status", b"\x80")], "cannot open run store"),
    ("runstore", [("meta", "status", "")], "cannot open run store"),
    # a profile nested past Python's recursion limit: RecursionError inside PyYAML, then (benchmarks/fuzz.py)
    # over 20 s in the pure-Python parser; libyaml's event pass now refuses it at once
    ("profile", b"[" * 100_000, "exceeded maximum nesting depth"),
    ("profile", b"a: !!int 0xZZ\n", "a value YAML cannot build"),
    ("profile", b"? [a]\n: b\n", "a value YAML cannot build"),  # a list as a key: unhashable
    ("profile", b"1:\nz:\n", "key 1 is not text"),  # mixed keys broke the error's sorting
    # benchmarks/fuzz.py, 10 minutes of .mitm: a content-type header with a byte that is not UTF-8
    # (kept as a surrogateescape code point) reached the Arrow frame's content_type column
    # an empty flow file (mitmdump -w before any flow reached it) read as "0 flows, 0 findings"
    ("mitm", b"", "is empty, not a flow file"),
    ("mitm", (Path(__file__).parent / "data" / "mitm-content-type-surrogate.mitm").read_bytes(), None),
]


@pytest.mark.parametrize("surface,value,words", FOUND, ids=[f"{s}-{i}" for i, (s, _, _) in enumerate(FOUND)])
def test_found_input_is_handled(surface: str, value: Any, words: str | None) -> None:
    error = run_surface(surface, value)
    if words is None:
        assert error is None
    else:
        assert error is not None and words in error and "\n" not in error


@pytest.mark.parametrize("table,column,value,kept", [
    ("events", "payload", 1, "agent event 1 skipped"),
    ("steps", "info", 1, "step 1 skipped"),
    ("steps", "info", "", "steps (Expecting value"),
])
def test_damaged_run_store_row_is_skipped_and_counted(tmp_path: Path, table: str, column: str, value: Any,
                                                      kept: str) -> None:
    from harness.analysis.pipeline import analyze
    from harness.testing.fuzz import runstore_dir

    a = analyze(runstore_dir([(table, column, value)], tmp_path))
    assert a.incomplete and any(kept in p for p in a.problems), a.problems
    assert len(a.flows) == 2  # the good records are kept
