"""The parser class of every ``harness`` command: a usage error is one line naming the problem and
the fix (``harness run: unknown option --wrld (did you mean --world?); see harness run --help``),
exit 2 -- never a usage dump (the project's bad-input rule, /work/shared/STYLE.md).

argparse reports a usage error by calling ``error(message)`` with its own English text; this
module turns those messages (Python 3.11-3.13 wording, ``Lib/argparse.py``) into the one line.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Sequence

from harness.cli.argtypes import TYPE_WORDS
from harness.parsing import quote

#: argparse's ``type=`` callables -> the form the value must have (the shared ones: harness.cli.argtypes)
_TYPE_WORDS = {"int": "a whole number (e.g. 2)", "float": "a number (e.g. 30 or 2.5)", **TYPE_WORDS}

_INVALID_VALUE = re.compile(r"^argument (?P<opt>[^:]+): invalid (?P<type>\w+) value: '(?P<value>.*)'$", re.S)
_INVALID_CHOICE = re.compile(r"^argument (?P<opt>[^:]+): invalid choice: '(?P<value>.*)' \(choose from (?P<choices>.*)\)$",
                             re.S)
_NEEDS_VALUE = re.compile(r"^argument (?P<opt>[^:]+): expected (?P<count>.+) arguments?$")
_REQUIRED = re.compile(r"^the following arguments are required: (?P<names>.*)$")


class UsageExit(Exception):
    """A usage error as its one line (``harness CMD: problem; see harness CMD --help``); exit 2."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def _first_option(opt: str) -> str:
    return opt.split("/")[0]  # argparse names an option by all its strings: "--port/-p"


def _did_you_mean(word: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [s for action in parser._actions for s in action.option_strings]


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def problem_of(parser: argparse.ArgumentParser, message: str) -> str:
    """argparse's ``message`` as the problem part of the one line (the option, the value given and
    the form expected; a close option or command name as "did you mean")."""
    if m := _INVALID_CHOICE.match(message):
        value, choices = m["value"], [c.strip().strip("'") for c in m["choices"].split(",")]
        if not m["opt"].startswith("-") and set(choices) == set(_subcommands(parser)):
            return f"unknown command {quote(value)}{_did_you_mean(value, choices)}"
        return (f"{_first_option(m['opt'])} {quote(value)}: expected one of {', '.join(choices)}"
                f"{_did_you_mean(value, choices)}")
    if m := _INVALID_VALUE.match(message):
        form = _TYPE_WORDS.get(m["type"], f"a valid {m['type']}")
        return f"{_first_option(m['opt'])} {quote(m['value'])}: expected {form}"
    if m := _NEEDS_VALUE.match(message):
        return f"{_first_option(m['opt'])} needs a value"
    if m := _REQUIRED.match(message):
        return f"missing the argument {m['names']}"
    if message.startswith("unrecognized arguments: "):
        return unrecognized(parser, message.split(": ", 1)[1].split())
    return message


def unrecognized(parser: argparse.ArgumentParser, extras: Sequence[str]) -> str:
    """The problem with arguments ``parser`` does not take: the first unknown option (with a close
    one), else the first unexpected value."""
    for arg in extras:
        if arg.startswith("-") and len(arg) > 1 and not arg[1:2].isdigit():
            name = arg.split("=", 1)[0]
            return f"unknown option {quote(name)[1:-1]}{_did_you_mean(name, _option_strings(parser))}"
    return f"unexpected argument {quote(extras[0])}" + (f" (and {len(extras) - 1} more)" if len(extras) > 1 else "")


def usage_line(parser: argparse.ArgumentParser, problem: str) -> str:
    """``harness CMD: PROBLEM; see harness CMD --help`` (the fix is the command's own help)."""
    return f"{parser.prog}: {problem}; see {parser.prog} --help"


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors raise :class:`UsageExit` with the one line (the caller
    prints it and exits 2); ``--help`` and ``--version`` behave as argparse's."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageExit(usage_line(self, problem_of(self, message)))


def deepest(parser: argparse.ArgumentParser, namespace: argparse.Namespace) -> argparse.ArgumentParser:
    """The (sub)command parser ``namespace`` was parsed by (``harness sim start`` -> its parser)."""
    while True:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            return parser
        name = getattr(namespace, subs[0].dest, None)
        if name not in subs[0].choices:
            return parser
        parser = subs[0].choices[name]


#: the attribute of a command that passes what follows ``--`` on to another program: the command
#: declares it with ``set_defaults(passthrough=[])`` (``harness run ... -- PYTEST_ARGS``)
PASSTHROUGH = "passthrough"


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """``parser.parse_args(argv)``, except that arguments no (sub)command takes are named by the
    command that was given (argparse names the top-level ``harness`` and prints its usage), and
    that for a command declaring :data:`PASSTHROUGH` everything after the first ``--`` is that
    attribute's list, unparsed (for the other commands ``--`` keeps argparse's meaning).

    Raises UsageExit; SystemExit for ``--help``/``--version``."""
    words = list(sys.argv[1:] if argv is None else argv)
    if "--" in words:
        cut = words.index("--")
        try:
            head, _ = parser.parse_known_args(words[:cut])
        except UsageExit:  # e.g. a positional argument after --: parsed whole below
            head = None
        if head is not None and deepest(parser, head).get_default(PASSTHROUGH) is not None:
            args = parse(parser, words[:cut])
            setattr(args, PASSTHROUGH, words[cut + 1:])
            return args
    args, extras = parser.parse_known_args(words)
    if extras:
        command = deepest(parser, args)
        raise UsageExit(usage_line(command, unrecognized(command, extras)))
    return args
