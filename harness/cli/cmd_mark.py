"""``harness mark NAME [--device SERIAL]``: begin step NAME in the running ``harness intercept``
session (from another shell), so the flows from now on carry that step id. Prints the step id."""

from __future__ import annotations

import argparse

from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mark", help="mark a step in the running `harness intercept` session",
                       description="Begin step NAME in the running intercept session (mitmproxy command "
                                   "harness.mark through its proxy); flows from now on carry it.")
    p.add_argument("name", metavar="NAME", help="step name: letters, digits, '-', '_', '.' (max 64)")
    p.add_argument("--device", metavar="SERIAL", help="the session's device when several run")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.scenario.marks import send_mark

    env.out(send_mark(env.home, args.name, args.device))
    return int(ExitStatus.OK)
