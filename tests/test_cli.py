"""The ``harness`` command itself: help, version, exit statuses, one-line errors."""

from __future__ import annotations

import io
import subprocess
import sys

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
    assert "invalid choice" in proc.stderr
