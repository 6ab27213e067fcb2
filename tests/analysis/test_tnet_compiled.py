"""The tnetstring parser compiled by mypyc (scripts/compile_parser.py) against its own pure-Python
source: equal values and equal refusals (a ``ValueError`` with the same message, nothing else) on
the same inputs, and the differential suites (test_tnet.py, test_tnetflow.py, the ``tnet`` and
``mitm`` fuzz surfaces) run once more against the pure one (``HARNESS_TEST_PARSER=pure``).

Skipped where the compiled parser is not built (no gcc or mypyc: then the pure one is what every
other test runs). The pure modules are loaded explicitly from the ``.py`` files
(:func:`harness.testing.parsers.pure_modules`).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mitmproxy.io import tnetstring

from harness.analysis import tnet, tnetflow
from harness.testing.fuzz import _STATES, MITM
from harness.testing.parsers import parser_kind, pure_modules

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
COMPILED = parser_kind() == "compiled (mypyc)"
pytestmark = pytest.mark.skipif(not COMPILED and os.environ.get("HARNESS_TEST_PARSER") != "pure",
                                reason="the compiled parser is not built (scripts/compile_parser.py)")
PURE_TNET, PURE_TNETFLOW = pure_modules()

_SETTINGS = settings(max_examples=400, deadline=None, database=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                            HealthCheck.large_base_example])


def outcome(fn: Any, *args: Any) -> tuple[str, str]:
    """("ok", repr of the value) or ("ValueError", message); any other exception fails the test."""
    try:
        return "ok", repr(fn(*args))
    except ValueError as exc:
        return "ValueError", str(exc)


def both(name: str, *args: Any) -> tuple[str, str]:
    """The outcome of ``name`` (a function of tnet or tnetflow) by the compiled and the pure module:
    asserted equal."""
    mod, pure = (tnet, PURE_TNET) if hasattr(tnet, name) else (tnetflow, PURE_TNETFLOW)
    compiled = outcome(getattr(mod, name), *args)
    assert compiled == outcome(getattr(pure, name), *args), (name, args[-1][:200] if args else None)
    return compiled


def _records(data: bytes) -> list[tuple[int, bytes]]:
    """(type byte, payload) of each record of a .mitm file's bytes, as far as they are framed."""
    out, i = [], 0
    while i < len(data):
        colon = data.find(b":", i, i + 13)
        if colon <= i or not data[i:colon].isdigit() or colon + 1 + int(data[i:colon]) >= len(data):
            break
        stop = colon + 1 + int(data[i:colon])
        out.append((data[stop], data[colon + 1 : stop]))
        i = stop + 1
    return out


def test_the_compiled_modules_are_in_use_and_the_pure_ones_are_python() -> None:
    if os.environ.get("HARNESS_TEST_PARSER") == "pure":  # the run below: everything imports the .py files
        assert parser_kind() == "pure Python"
        return
    assert not str(tnet.__file__).endswith(".py") and not str(tnetflow.__file__).endswith(".py")
    assert str(PURE_TNET.__file__).endswith("tnet.py") and str(PURE_TNETFLOW.__file__).endswith("tnetflow.py")
    assert PURE_TNETFLOW._container is PURE_TNET._container  # the pure tnetflow calls the pure tnet
    assert type(PURE_TNET.parse).__name__ == "function" and type(tnet.parse).__name__ != "function"


@_SETTINGS
@given(st.one_of(MITM, st.binary(max_size=300)))
@example(b"")
@example(b"99999999999999999999:x,")  # a 20-digit prefix: past 2**63
@example(b"999999999999999999999:x,")  # 21 digits: refused as a prefix
@example(b"21:9999999999999999999999#")  # an int past 2**64
@example(b"5:1e999^")
@example(b"4:1:x,}")  # a key without a value
@example(b"8:0:]0:~}")  # a list as a key
@example(b"12:3:abc,3:abc,}")  # a dict with a bytes key (not a text one)
@example(b"4:\xff\xfe\xfd\xfc;")
def test_equal_outcomes_on_mutated_and_random_bytes(data: bytes) -> None:
    both("loads", data)
    for tag, payload in _records(data) or [(125, data)]:
        both("parse", tag, payload)
        both("parse_flow", tag, payload)


@_SETTINGS
@given(st.sampled_from(_STATES), st.integers(0, 5000), st.binary(min_size=1, max_size=4))
def test_equal_outcomes_on_damaged_flow_states(state: dict[str, Any], at: int, junk: bytes) -> None:
    data = tnetstring.dumps(state)
    at %= len(data)
    damaged = data[:at] + junk + data[at + len(junk):]
    payload = damaged[damaged.index(b":") + 1 : -1] if b":" in damaged else damaged
    both("parse_flow", damaged[-1], payload)
    both("parse", damaged[-1], payload)


@pytest.mark.parametrize("path", sorted(TESTS.rglob("*.mitm")), ids=lambda p: str(p.relative_to(TESTS)))
def test_equal_on_every_flow_file_under_tests(path: Path) -> None:
    data = path.read_bytes()

    def read(mod: Any, parser: Any) -> list[tuple[str, str]]:
        fh, out = io.BytesIO(data), []
        while True:
            try:
                out.append(("ok", repr(mod.read_tnetstring(fh, len(data), parser))))
            except EOFError:
                return out
            except ValueError as exc:
                return [*out, ("ValueError", str(exc))]

    assert read(tnet, tnetflow.parse_flow) == read(PURE_TNET, PURE_TNETFLOW.parse_flow)
    assert read(tnet, None) == read(PURE_TNET, None)


def test_deep_nesting_and_huge_prefixes_are_the_same_value_errors() -> None:
    deep = b"0:]"
    for _ in range(3000):  # past MAX_DEPTH and Python's recursion limit: a ValueError in both
        deep = b"%d:%s]" % (len(deep), deep)
    assert both("loads", deep)[0] == "ValueError"
    deep_dicts = b"0:}"
    for _ in range(300):
        deep_dicts = b"%d:5:state;%s}" % (len(deep_dicts) + 8, deep_dicts)
    assert both("parse_flow", deep_dicts[-1], deep_dicts[deep_dicts.index(b":") + 1 : -1])[0] == "ValueError"
    for data in (b"9" * 20 + b":x,", b"1" * 5000 + b":", b"18446744073709551616:x,", b"9223372036854775808:x,"):
        assert both("loads", data)[0] == "ValueError"
        assert both("parse", 93, data)[0] == "ValueError"
        assert both("parse_flow", 125, data)[0] == "ValueError"
    assert both("parse", 2**70, b"abc") == ("ValueError", f"not a tnetstring: unknown type tag: {2**70}")


@pytest.mark.parametrize("data", [bytearray(b"3:abc,"), memoryview(b"4:1:x,]"), b"3:abc,"])
def test_any_buffer_is_read_as_its_bytes(data: Any) -> None:
    assert both("loads", data)[0] == "ok"
    assert both("parse", 44, data)[0] == "ok"
    assert both("parse_flow", 93, data)[0] == "ok"


def test_a_text_argument_is_the_same_type_error() -> None:
    """Not bytes at all (a caller's bug, not a malformed file): ``bytes()``'s TypeError in both.
    A type byte that is not an int is a TypeError in the compiled parser only (mypyc checks the
    ``int`` annotation at the call); every caller passes ``bytes[i]``."""
    for fn in (tnet.loads, PURE_TNET.loads):
        with pytest.raises(TypeError, match="without an encoding"):
            fn("3:abc,")
    for mod in (tnetflow, PURE_TNETFLOW):
        with pytest.raises(TypeError, match="without an encoding"):
            mod.parse_flow(125, "3:abc,")


@pytest.mark.skipif(os.environ.get("HARNESS_TEST_PARSER") == "pure", reason="this is the pure run")
def test_the_differential_suites_pass_against_the_pure_parser() -> None:
    """test_tnet.py, test_tnetflow.py and the tnet/mitm fuzz surfaces, run in a child pytest where
    every import of the two modules loads the ``.py`` source (tests/conftest.py)."""
    env = {**os.environ, "HARNESS_TEST_PARSER": "pure", "PYTHONPATH": str(ROOT)}
    env.pop("HARNESS_TEST_ISOLATED", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/analysis/test_tnet.py", "tests/analysis/test_tnetflow.py", "tests/analysis/test_tnet_compiled.py",
         "tests/fuzz/test_surfaces.py", "-k", "not test_surface_never_crashes or tnet or mitm"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and " failed" not in proc.stdout


def test_a_compiled_parser_older_than_its_source_is_not_used(tmp_path):
    """A build left from before an edit of tnet.py would run old code: harness.analysis then
    imports the .py modules (the check runs on a folder of stand-in files with set mtimes)."""
    import sysconfig

    from harness.analysis import _compiled_parser_is_stale

    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    for name in ("tnet", "tnetflow"):
        (tmp_path / f"{name}.py").write_text("")
    assert not _compiled_parser_is_stale(tmp_path)  # nothing built: nothing stale
    for name in ("tnet", "tnetflow"):
        (tmp_path / f"{name}{suffix}").write_bytes(b"")
        os.utime(tmp_path / f"{name}.py", (1_000, 1_000))
        os.utime(tmp_path / f"{name}{suffix}", (2_000, 2_000))
    assert not _compiled_parser_is_stale(tmp_path)  # built after the sources
    os.utime(tmp_path / "tnetflow.py", (3_000, 3_000))
    assert _compiled_parser_is_stale(tmp_path)  # tnetflow.py edited after the build
