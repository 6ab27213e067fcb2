"""Entry point: ``harness [--version] COMMAND ...``.

Each subcommand is a module in :mod:`harness.cli` exposing ``register(subparsers)``; the parser it
adds sets ``func(args, env) -> int``. A :class:`~harness.errors.HarnessError` becomes one line on
stderr and exit status 2; so is a usage error (:mod:`harness.cli.parser`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.cli.context import Env

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


#: the command each module registers, for building only the one a command line names
COMMAND_NAMES = {name.rsplit(".", 1)[1].removeprefix("cmd_"): name for name in COMMAND_MODULES}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``harness`` parser. Given the command line, only the command it names is registered
    (each command's module imports what it needs: ``harness sim status`` never imports Frida);
    without one, or when the first word is not a command (a typo, ``--help``), every command."""
    from harness import __version__
    from harness.cli.parser import Parser

    parser = Parser(
        prog="harness",
        description="Android interception test harness: record what apps send, where, and what they filter.",
    )
    parser.add_argument("--version", action="version", version=f"harness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    named = _command_word(argv)
    if named in COMMAND_NAMES:
        modules = [COMMAND_NAMES[named]]
    elif named is None and argv is not None and "--version" in argv:
        modules = []  # `harness --version` prints and exits while parsing
    else:
        modules = COMMAND_MODULES
    for name in modules:
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


def _command_word(argv: Sequence[str] | None) -> str | None:
    """The first word of the command line that is not an option (``sim`` in ``sim status``)."""
    return next((w for w in argv or () if not w.startswith("-")), None)


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    from harness.cli import context
    from harness.cli.parser import UsageExit, parse
    from harness.cli.status import ExitStatus
    from harness.errors import HarnessError
    from harness.parsing import one_line

    env = env or context.Env()
    parser = build_parser(sys.argv[1:] if argv is None else argv)
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
        if args.command in ADB_COMMANDS and getattr(args, "needs_adb", True):  # `sim status` reads a file
            from harness.device.adbbin import use_adb

            use_adb(getattr(args, "adb_path", None))
        return int(args.func(args, env))
    except HarnessError as exc:
        env.err(f"harness: error: {one_line(str(exc), 1000)}")  # one line, whatever the message
        return int(ExitStatus.ERROR)
    except KeyboardInterrupt as exc:  # Ctrl-C, or a stop signal (:func:`run`, harness.scenario.signals)
        env.err(interrupted_line(exc))
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `harness ... | head`: the reader went away; that is not an error
        import os

        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return int(ExitStatus.OK)


#: exit status of a command a signal stopped (README "Exit statuses"; 128 + SIGINT)
EXIT_INTERRUPTED = 130


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP at start-up, raised like Ctrl-C; ``name`` is the signal's."""

    def __init__(self, signum: int) -> None:
        self.name = signal.Signals(signum).name
        super().__init__(self.name)


def interrupted_line(exc: BaseException) -> str:
    name = getattr(exc, "name", None)
    return f"harness: interrupted by {name}" if name else "harness: interrupted"


#: the stop signals seen (the first raises; later ones are ignored while the command cleans up)
_seen: list[int] = []


def _on_stop(signum: int, frame: FrameType | None) -> None:
    _seen.append(signum)
    if len(_seen) == 1:
        raise Stopped(signum)


def own_stop_signals() -> None:
    """From the first instruction on, SIGINT, SIGTERM and SIGHUP stop the command as Ctrl-C does
    (one line, exit 130), never a traceback nor a silent 143; later ones are ignored while the
    command cleans up (a half-started handset is stopped) — except a signal the process
    inherited as ignored (a background job of a non-interactive shell ignores SIGINT, ``nohup``
    SIGHUP): that one stays ignored until a long-running command takes it over
    (:func:`harness.scenario.signals.handled`)."""
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(stop_signal) is not signal.SIG_IGN:
            signal.signal(stop_signal, _on_stop)


def run() -> None:
    """The ``harness`` console script (and ``python -m harness``)."""
    try:
        own_stop_signals()
        code = main()
    except KeyboardInterrupt as exc:  # a signal while the command's modules were being imported
        with contextlib.suppress(OSError):
            sys.stderr.write(interrupted_line(exc) + "\n")
        code = EXIT_INTERRUPTED
    sys.exit(code)
