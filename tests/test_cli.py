"""The ``harness`` command itself: help, version, exit statuses, one-line errors."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from harness import __version__
from harness.cli.context import Env
from harness.cli.main import build_parser, main
from harness.cli.status import ExitStatus


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Env(stdout=out, stderr=err))
    return code, out.getvalue(), err.getvalue()


def test_version_from_console_script():
    proc = subprocess.run([sys.executable, "-m", "harness", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"harness {__version__}"


def test_help_lists_every_registered_command():
    parser = build_parser()
    help_text = parser.format_help()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sub.choices, "no subcommands registered"
    for name in sub.choices:
        assert name in help_text


def test_no_command_prints_help_and_exits_2():
    code, out, _ = run_cli()
    assert code == ExitStatus.ERROR
    assert "usage: harness" in out


def test_unknown_command_is_a_usage_error():
    proc = subprocess.run(
        [sys.executable, "-m", "harness", "no-such-command"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == ExitStatus.ERROR
    assert proc.stderr == "harness: unknown command 'no-such-command'; see harness --help\n"


#: a mistyped option or value (trial report item 8): (argv, the one line on stderr)
USAGE_ERRORS = [
    (["run", "ncsc_2021", "--wrld", "compliant"],
     "harness run: unknown option --wrld (did you mean --world?); see harness run --help"),
    (["demo", "--wrld", "compliant"],
     "harness demo: unknown option --wrld (did you mean --world?); see harness demo --help"),
    (["run", "x.py", "-n", "abc"], "harness run: -n 'abc': expected a whole number (e.g. 2); see harness run --help"),
    (["demo", "--timeout", "abc"],
     "harness demo: --timeout 'abc': expected a positive number of seconds (e.g. 30 or 2.5); see harness demo --help"),
    # durations and ports share one validator each (harness.cli.argtypes; trial 6 finding H)
    (["demo", "--timeout", "0"],
     "harness demo: --timeout '0': expected a positive number of seconds (e.g. 30 or 2.5); see harness demo --help"),
    (["intercept", "--duration", "-5"], "harness intercept: --duration '-5': expected a positive number of seconds "
                                        "(e.g. 30 or 2.5); see harness intercept --help"),
    (["intercept", "--duration", "nan"], "harness intercept: --duration 'nan': expected a positive number of seconds "
                                         "(e.g. 30 or 2.5); see harness intercept --help"),
    (["hook", "--duration", "-1"], "harness hook: --duration '-1': expected a positive number of seconds "
                                   "(e.g. 30 or 2.5); see harness hook --help"),
    (["intercept", "--device-port", "70000"],
     "harness intercept: --device-port '70000': expected a port number 0-65535; see harness intercept --help"),
    (["record", "--port", "99999"], "harness record: --port '99999': expected a port number 0-65535; "
                                    "see harness record --help"),
    (["sim", "start", "--port", "99999"], "harness sim start: --port '99999': expected a port number 0-65535; "
                                          "see harness sim start --help"),
    (["verify", "b.zip", "--manifest-sha256", "zz"], "harness verify: --manifest-sha256 'zz': expected 64 hexadecimal "
                                                     "digits (the SHA-256 `harness bundle` printed); see harness verify --help"),
    (["sim", "start", "--prt", "5"],
     "harness sim start: unknown option --prt (did you mean --port?); see harness sim start --help"),
    (["sim", "strt"], "harness sim: unknown command 'strt' (did you mean start?); see harness sim --help"),
    (["rn", "x.py"], "harness: unknown command 'rn' (did you mean run?); see harness --help"),
    (["intercept", "--ca", "systm"], "harness intercept: --ca 'systm': expected one of auto, system, user, none "
                                     "(did you mean system?); see harness intercept --help"),
    (["record", "--port"], "harness record: --port needs a value; see harness record --help"),
    (["export"], "harness export: missing the argument INPUT; see harness export --help"),
    (["export", "a", "b"], "harness export: unexpected argument 'b'; see harness export --help"),
    (["analyze", "x.mitm", "--zzz"], "harness analyze: unknown option --zzz; see harness analyze --help"),
]


@pytest.mark.parametrize(("argv", "line"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_error_is_one_line_naming_the_problem_and_the_fix(argv: list[str], line: str) -> None:
    code, out, err = run_cli(*argv)
    assert (code, out, err) == (ExitStatus.ERROR, "", line + "\n")


def test_usage_error_of_the_installed_command_is_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "harness", "run", "ncsc_2021", "--wrld", "compliant"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == ExitStatus.ERROR and proc.stdout == ""
    assert proc.stderr.splitlines() == [USAGE_ERRORS[0][1]]


@pytest.fixture
def finished_run(tmp_path):
    from harness.testing.flows import http_flow, make_run

    return make_run(tmp_path / "run-1", [http_flow("https://a.test/x")])


#: an output path that is a folder or lies in a missing folder (trial 6 finding G): (argv, the problem
#: as a regular expression: paths are cut to their last ~80 characters, whatever tmp_path's length)
BAD_OUTPUTS = [
    (["report", "{run}", "-o", "{dir}"], r"-o \S*/dir is a folder"),
    (["report", "{run}", "--junit", "{dir}"], r"--junit \S*/dir is a folder"),
    (["report", "{run}", "-o", "{missing}/r.html"], r"-o \S*/missing/r.html: folder \S*/missing does not exist"),
    (["bundle", "{run}", "-o", "{dir}"], r"-o \S*/dir is a folder"),
    (["bundle", "{run}", "-o", "{missing}/b.zip"], r"-o \S*/missing/b.zip: folder \S*/missing does not exist"),
    (["export", "{run}", "-o", "{dir}"], r"-o \S*/dir is a folder"),
    (["export", "{run}", "-o", "{run}/store.sqlite/x.har"], r"folder \S*/run-1/store.sqlite is not a folder"),
]


@pytest.mark.parametrize(("argv", "problem"), BAD_OUTPUTS, ids=[" ".join(a) for a, _ in BAD_OUTPUTS])
def test_a_bad_output_path_is_one_line_and_leaves_nothing(tmp_path, finished_run, argv, problem) -> None:
    import re

    (tmp_path / "dir").mkdir()
    names = {"run": str(finished_run), "dir": str(tmp_path / "dir"), "missing": str(tmp_path / "missing")}
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    code, out, err = run_cli(*(a.format(**names) for a in argv))
    assert code == ExitStatus.ERROR and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("harness: error: ") and re.search(problem, err) and "(fix: " in err, err
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before  # no temp file


def test_an_unwritable_report_path_is_one_line_without_a_temp_file(tmp_path, finished_run) -> None:
    """An OS error found only when writing (here: a folder made after the check) is the same one line."""
    from harness.report.html import write_report

    code, _, err = run_cli("report", str(finished_run))
    assert code == 0, err
    (tmp_path / "late").mkdir()
    from harness.errors import UsageError

    with pytest.raises(UsageError, match=r"report HTML: cannot write .*late: Is a directory"):
        write_report(finished_run, tmp_path / "late")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["late", "run-1"]


def test_a_long_output_path_is_quoted_to_about_80_characters(tmp_path, finished_run) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    code, _, err = run_cli("report", str(finished_run), "-o", str(deep))
    quoted = err.split("-o ", 1)[1].split(" is a folder")[0]
    assert code == ExitStatus.ERROR and quoted.startswith("...") and quoted.endswith("/" + "e" * 60)
    assert len(quoted) == 80


def test_a_cut_string_stays_quoted():
    """Trial 6b N5: ``quote`` cutting a string's repr closes the quote again, so an error line
    quoting a long value never ends in an unclosed quote."""
    from harness.parsing import quote

    assert quote("x" * 200, 20) == "'" + "x" * 15 + "...'"
    assert quote(b"y" * 200, 20) == "b'" + "y" * 14 + "...'"
    assert quote("short", 20) == "'short'"
    assert quote(list(range(100)), 20) == "[0, 1, 2, 3, 4, 5..."  # not a string: no quote to close
