"""``harness run PACK::TEST`` and ``--frida remote`` without an address (trial report item 9):
a pack's test id is understood (that one test is collected) or named with the pack's tests and the
fix; ``remote`` without ``--frida-address`` is a usage error before anything starts, in ``harness
run`` and in the pytest plugin alike. One line on stderr, exit 2 (pytest: 4), nothing recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli.cmd_run import find_pack_test
from harness.scenario.packs import collect

from .helpers import run_cli

pytestmark = pytest.mark.timeout(300)
pytest_plugins = ["pytester"]


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("harness: error: ") and "(fix: " in lines[0], err
    return lines[0]


@pytest.mark.parametrize("name", ["ncsc_2021::test_telemetry_not_pinned",
                                  "harness.packs.ncsc_2021::test_telemetry_not_pinned"])
def test_a_pack_with_a_test_id_is_that_test(name: str):
    pack = find_pack_test(name)
    assert pack is not None and pack.name == name and pack.module == "harness.packs.ncsc_2021"
    found = collect([pack.path])
    assert not found.errors
    assert [(str(i["nodeid"]).rsplit("::", 1)[-1], i["claim"]) for i in found.items] == [
        ("test_telemetry_not_pinned", "The browser's connections are not certificate-pinned.")]


def test_a_path_with_a_test_id_is_left_to_the_path_lookup(tmp_path: Path):
    assert find_pack_test(f"{tmp_path}/test_x.py::test_a") is None and find_pack_test("ncsc_2021") is None


def test_a_test_id_not_in_the_pack_names_it_the_pack_and_its_tests(tmp_path: Path):
    code, out, err = run_cli(tmp_path, "run", "ncsc_2021::test_nope", "--out", str(tmp_path / "runs"))
    line = one_error_line(err)
    assert code == 2 and out == "" and not (tmp_path / "runs").exists()
    assert "no test 'test_nope' in pack ncsc_2021" in line and "unknown pack" not in line
    assert "; test_telemetry_not_pinned (The browser's connections are not...))" in line
    assert "harness run ncsc_2021::TEST" in line and line.endswith("lists the claims in full)")


@pytest.mark.parametrize("paths", [["ncsc_2021"], ["PACKDIR"]])
def test_frida_remote_without_an_address_is_a_usage_error(tmp_path: Path, paths: list[str]):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "test_a.py").write_text("def test_a():\n    pass\n")
    argv = [str(folder) if p == "PACKDIR" else p for p in paths]
    code, out, err = run_cli(tmp_path, "run", *argv, "--frida", "remote", "--out", str(tmp_path / "runs"))
    line = one_error_line(err)
    assert code == 2 and out == "" and not (tmp_path / "runs").exists()
    assert "--frida remote needs --frida-address HOST:PORT" in line


def test_the_plugin_refuses_frida_remote_without_an_address(pytester: pytest.Pytester):
    pytester.makepyfile(test_a="def test_a():\n    pass\n")
    result = pytester.runpytest("--harness-frida", "remote", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--harness-frida remote needs --harness-frida-address HOST:PORT" in result.stderr.str()
    assert result.stdout.str().count("test_a") == 0


def test_the_plugin_ignores_mitmproxy_internal_deprecations_only(pytester: pytest.Pytester):
    """A lab's test printed 15 DeprecationWarnings raised inside mitmproxy (trial report item 12):
    those are ignored; a DeprecationWarning of the lab's own code is still shown. The warnings are
    raised as mitmproxy raises them (``warnings.warn_explicit`` with its module name)."""
    pytester.makepyfile(test_w='''
        import warnings

        def test_w():
            for module in ("mitmproxy.certs", "passlib.utils", "ldap3.core"):
                warnings.warn_explicit("Passing pyOpenSSL X509 objects is deprecated", DeprecationWarning,
                                       "internal.py", 1, module=module)
            warnings.warn("the lab's own deprecation", DeprecationWarning)
    ''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    text = result.stdout.str()
    assert result.ret == 0 and "the lab's own deprecation" in text
    assert "Passing pyOpenSSL" not in text and "1 warning" in text
