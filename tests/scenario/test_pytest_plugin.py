"""The pytest plugin's options, markers and usage errors, with ``pytester`` (no lab is opened here;
the tests that open virtual labs are in test_pytest_plugin_lab.py and test_pytest_plugin_xdist.py)."""

from __future__ import annotations

import json
import os

import pytest

pytest_plugins = ["pytester"]
#: tests/conftest.py's HOME, whose adb key the session's adb server uses (pytester moves HOME)
HOME = os.environ["HOME"]


@pytest.fixture
def out(pytester: pytest.Pytester):
    return pytester.path / "out"


def test_the_options_are_in_the_harness_group_with_their_choices(pytester: pytest.Pytester):
    result = pytester.runpytest("--help")
    text = result.stdout.str()
    assert "Android interception harness:" in text
    for option in ("--harness-target", "--harness-device", "--harness-world", "--harness-profile", "--harness-out",
                   "--harness-geo-db", "--harness-policy", "--harness-adb", "--harness-frida ",
                   "--harness-frida-address", "--harness-progress", "--harness-hosts", "--harness-upstream-ca",
                   "--harness-geo-overrides"):
        assert option in text.replace("=", " "), option
    assert "{usb,remote,forward,local}" in text
    bad = pytester.runpytest("--harness-frida", "bluetooth")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    assert "invalid choice: 'bluetooth'" in bad.stderr.str()


def test_the_markers_are_declared(pytester: pytest.Pytester):
    text = pytester.runpytest("--markers").stdout.str()
    for marker in ("@pytest.mark.claim(text)", "@pytest.mark.app(role)", "@pytest.mark.needs_root",
                   "@pytest.mark.world(name)"):
        assert marker in text, marker
    # --strict-markers accepts them
    pytester.makepyfile("""
        import pytest

        @pytest.mark.claim("A sentence.")
        @pytest.mark.needs_root
        def test_plain():
            pass
    """)
    assert pytester.runpytest("--strict-markers").ret == pytest.ExitCode.OK


@pytest.mark.parametrize(("marker", "said"), [
    ('claim(42)', "@pytest.mark.claim takes one sentence (a non-empty str) or nothing, got claim(42)"),
    ('claim("a", "b")', "@pytest.mark.claim takes one sentence (a non-empty str) or nothing, got claim('a', 'b')"),
    ('claim(text="a")', "@pytest.mark.claim takes one sentence (a non-empty str) or nothing, got claim(text='a')"),
    ('claim("  ")', "@pytest.mark.claim takes one sentence (a non-empty str) or nothing, got claim(' ')"),  # whitespace shown collapsed
    ('world(3)', "@pytest.mark.world takes exactly one non-empty str, got world(3)"),
    ('app()', "@pytest.mark.app takes exactly one non-empty str, got app()"),
])
def test_a_marker_with_a_wrong_argument_is_a_usage_error_in_one_line(pytester: pytest.Pytester, marker: str,
                                                                      said: str):
    path = pytester.makepyfile(f"""
        import pytest

        @pytest.mark.{marker}
        def test_it():
            pass
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1, result.stderr.lines
    assert f"{path}:3: test_it: {said} (fix: " in errors[0]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_a_bare_claim_marker_claims_the_docstring_or_the_test_name(pytester: pytest.Pytester):
    """``@pytest.mark.claim`` and ``claim()`` with no argument are claim tests: the claim is the
    first line of the docstring, else the test's name (what `harness packs` and `harness run` show)."""
    from harness.scenario.packs import collect

    path = pytester.makepyfile(test_bare='''
        import pytest

        @pytest.mark.claim
        def test_documented():
            """Searches are never restricted.

            More words the claim leaves out."""

        @pytest.mark.claim()
        def test_named():
            pass
    ''')
    assert pytester.runpytest("--strict-markers").ret == pytest.ExitCode.OK
    found = collect([path])
    assert found.errors == [], found.log
    assert {i["nodeid"].rsplit("::", 1)[-1]: i["claim"] for i in found.items} == {
        "test_documented": "Searches are never restricted.", "test_named": "test_named"}


def test_world_and_app_markers_skip_with_their_reason(pytester: pytest.Pytester, out):
    """No lab is opened: the skips happen before the fixtures, so the test bodies never run."""
    pytester.makepyfile("""
        import pytest

        @pytest.mark.world("compliant")
        def test_needs_compliant(lab):
            raise AssertionError("must not run")

        @pytest.mark.app("dialer")
        def test_needs_a_dialer(lab):
            raise AssertionError("must not run")

        @pytest.mark.world("ncsc-2021")
        @pytest.mark.app("browser")
        def test_runs_here():
            pass
    """)
    result = pytester.runpytest("-rs", "--harness-out", str(out))
    result.assert_outcomes(passed=1, skipped=2)
    text = result.stdout.str()
    assert "needs the virtual world 'compliant'; this session runs 'ncsc-2021'" in text
    assert "the profile 'virtual-vendor' has no app role 'dialer'" in text
    on_phone = pytester.runpytest("-rs", "--harness-out", str(out), "--harness-target", "SERIAL1",
                                  "--harness-profile", "virtual-vendor", "-k", "compliant")
    on_phone.assert_outcomes(skipped=1, deselected=2)
    assert "needs the virtual world 'compliant'; running on the phone SERIAL1" in on_phone.stdout.str()
    assert not out.exists()  # nothing was recorded: no lab was opened


@pytest.mark.parametrize(("args", "expected"), [
    (["--harness-world", "atlantis"], "atlantis"),
    (["--harness-profile", "no-such-profile"], "no-such-profile"),
    (["--harness-target", "A,,B"], "--harness-target 'A,,B' is not 'virtual' nor a list of serials"),
    (["--harness-policy", "no-such-policy.yaml"], "no-such-policy.yaml"),
    (["--harness-geo-db", "no-such.mmdb"], "--harness-geo-db no-such.mmdb: no such file"),
    (["--harness-hosts", "no-such-hosts"], "--harness-hosts: cannot read hosts file no-such-hosts"),
    (["--harness-upstream-ca", "no-such.pem"], "--harness-upstream-ca: cannot read upstream CA no-such.pem"),
    (["--harness-geo-overrides", "no-such-geo.json"], "--harness-geo-overrides: cannot read geo override file"),
])
def test_a_bad_option_value_is_a_usage_error_in_one_line(pytester: pytest.Pytester, args, expected):
    pytester.makepyfile("def test_it():\n    pass\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1 and expected in errors[0], result.stderr.lines
    assert "fix:" in errors[0]


def test_fewer_serials_than_workers_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile("def test_it():\n    pass\n")
    result = pytester.runpytest_subprocess("-n", "2", "--harness-target", "SERIAL1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "2 xdist workers but 1 serial(s) in --harness-target" in result.stderr.str()


def test_the_progress_stream_has_session_lines_without_a_lab(pytester: pytest.Pytester, out):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.claim("Nothing is needed.")
        def test_plain():
            pass
    """)
    progress = pytester.path / "progress.jsonl"
    result = pytester.runpytest("--harness-out", str(out), "--harness-progress", str(progress))
    result.assert_outcomes(passed=1)
    lines = [json.loads(line) for line in progress.read_text().splitlines()]
    assert [e["event"] for e in lines] == ["session-start", "test-start", "test-end", "session-end"]
    assert all(e["worker"] == "main" and isinstance(e["t"], float) for e in lines)
    assert lines[0]["target"] == "virtual" and lines[0]["world"] == "ncsc-2021"
    assert lines[1]["claim"] == "Nothing is needed."
    assert lines[2]["verdict"] == "passed"
    assert lines[3] == {**lines[3], "findings": None, "exitstatus": 0}
    assert oct(progress.stat().st_mode & 0o777) == "0o600"


def test_an_unknown_serial_stops_the_session_with_one_line(pytester: pytest.Pytester, monkeypatch, out):
    monkeypatch.setenv("HOME", HOME)
    pytester.makepyfile(test_a="def test_one(lab):\n    pass\n", test_b="def test_two(lab):\n    pass\n")
    result = pytester.runpytest("--harness-out", str(out), "--harness-target", "NO-SUCH-SERIAL",
                                "--harness-profile", "virtual-vendor")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    text = result.stdout.str()
    assert "harness: [NO-SUCH-SERIAL] open phone: no such device on the adb server" in text
    assert "test_two" not in text and "Traceback" not in text  # stopped at the first lab


def test_frida_remote_without_an_address_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile("def test_it():\n    pass\n")
    result = pytester.runpytest("--harness-target", "SERIAL1", "--harness-frida", "remote")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--harness-frida remote needs --harness-frida-address HOST:PORT" in result.stderr.str()


def test_each_xdist_worker_takes_the_next_serial(pytester: pytest.Pytester, out):
    """No lab is opened (the serials need not exist): each worker's session says its target."""
    pytester.makepyfile(test_a="def test_a(harness_session):\n    assert harness_session.serial\n",
                        test_b="def test_b(harness_session):\n    assert harness_session.serial\n")
    progress = pytester.path / "progress.jsonl"
    result = pytester.runpytest_subprocess("-n", "2", "--harness-target", "SERIAL1,SERIAL2", "--harness-out",
                                           str(out), "--harness-progress", str(progress))
    result.assert_outcomes(passed=2)
    starts = {e["worker"]: e for e in map(json.loads, progress.read_text().splitlines())
              if e["event"] == "session-start"}
    assert {w: e["target"] for w, e in starts.items()} == {"main": "SERIAL1,SERIAL2", "gw0": "SERIAL1",
                                                           "gw1": "SERIAL2"}
    assert len({e["out"] for e in starts.values()}) == 1  # one session folder for the controller and its workers
