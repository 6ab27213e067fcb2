"""Entry point: ``harness [--version] COMMAND ...``.

Each subcommand is a module in :mod:`harness.cli` exposing ``register(subparsers)``; the parser it
adds sets ``func(args, env) -> int``. A :class:`~harness.errors.HarnessError` becomes one line on
stderr and exit status 2; so is a usage error (:mod:`harness.cli.parser`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence

from harness import __version__
from harness.cli.context import Env
from harness.cli.parser import Parser, UsageExit, parse
from harness.cli.status import ExitStatus
from harness.errors import HarnessError
from harness.parsing import one_line

#: subcommand modules, in the order ``--help`` lists them
COMMAND_MODULES = [
    "harness.cli.cmd_demo",
    "harness.cli.cmd_record",
    "harness.cli.cmd_export",
    "harness.cli.cmd_analyze",
    "harness.cli.cmd_report",
    "harness.cli.cmd_bundle",
    "harness.cli.cmd_verify",
    "harness.cli.cmd_sim",
    "harness.cli.cmd_devices",
    "harness.cli.cmd_doctor",
    "harness.cli.cmd_intercept",
    "harness.cli.cmd_mark",
    "harness.cli.cmd_restore",
    "harness.cli.cmd_hook",
    "harness.cli.cmd_run",
    "harness.cli.cmd_runs",
    "harness.cli.cmd_packs",
]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="harness",
        description="Android interception test harness: record what apps send, where, and what they filter.",
    )
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command not built yet
                continue
            raise
        module.register(sub)
    for name in ADB_COMMANDS:
        _add_adb_path(sub.choices.get(name))
    return parser


#: commands that run adb: each takes ``--adb-path FILE`` (else HARNESS_ADB, else the bundled adb)
ADB_COMMANDS = ("demo", "record", "devices", "doctor", "intercept", "restore", "hook", "sim", "run")


def _add_adb_path(parser: argparse.ArgumentParser | None) -> None:
    if parser is None:
        return
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):  # `sim start|stop|status`
            for verb in action.choices.values():
                _add_adb_path(verb)
            return
    if any("--adb-path" in a.option_strings for a in parser._actions):
        return
    parser.add_argument("--adb-path", metavar="FILE", default=None,
                        help="the adb binary to run (default: $HARNESS_ADB, else the adb bundled with adbutils)")


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    env = env or Env()
    parser = build_parser()
    try:
        args = parse(parser, argv)
    except UsageExit as exc:  # one line naming the problem and the fix, never a usage dump
        env.err(exc.line)
        return int(ExitStatus.ERROR)
    except SystemExit as exc:  # argparse exits on --help and --version
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(env.stdout)
        return int(ExitStatus.ERROR)
    try:
        if args.command in ADB_COMMANDS:
            from harness.device.adbbin import use_adb

            use_adb(getattr(args, "adb_path", None))
        return int(args.func(args, env))
    except HarnessError as exc:
        env.err(f"harness: error: {one_line(str(exc), 1000)}")  # one line, whatever the message
        return int(ExitStatus.ERROR)
    except KeyboardInterrupt:
        env.err("harness: interrupted")
        return 130
    except BrokenPipeError:  # `harness ... | head`: the reader went away; that is not an error
        import os

        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitStatus.OK)


def run() -> None:
    sys.exit(main())
