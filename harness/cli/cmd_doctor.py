"""``harness doctor [--device SERIAL] [--adb HOST:PORT]``: preflight checks, one line each."""

from __future__ import annotations

import argparse
import json

from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.device.adb import AdbServer
from harness.device.doctor import run_doctor


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check a device and this host are ready for interception",
                       description="Preflight checks with a pass/fail line and a fix hint each. "
                                   "Exits 2 when a blocking check fails.")
    p.add_argument("--device", metavar="SERIAL", help="device serial (default: the only one attached)")
    p.add_argument("--adb", metavar="HOST:PORT", help="a remote adb server (device farm)")
    p.add_argument("--no-proxy-probe", action="store_true", help="skip the probe request through adb reverse")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    report = run_doctor(AdbServer.parse(args.adb), args.device, probe_proxy=not args.no_proxy_probe,
                        home=env.home)
    if args.json:
        env.out(json.dumps({"serial": report.serial, "ok": report.ok,
                            "checks": [c.to_json() for c in report.checks]}, indent=2))
    else:
        for check in report.checks:
            env.out(check.line)
        env.out("ready" if report.ok else "NOT ready: fix the FAIL lines above")
    return int(ExitStatus.OK if report.ok else ExitStatus.ERROR)
