"""``harness devices [--adb HOST:PORT] [--connect HOST:PORT] [--json]``: what is attached."""

from __future__ import annotations

import argparse
import json

from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.device.adb import NO_DEVICE_HINT, AdbServer
from harness.device.discovery import list_devices

COLUMNS = ("serial", "state", "model", "android", "api", "abi", "region", "root", "frida-server")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("devices", help="list devices on the local or a remote adb server",
                       description="List devices with model, Android version, ABI, region, root "
                                   "method and frida-server status.")
    p.add_argument("--adb", metavar="HOST:PORT", help="a remote adb server (device farm); default: local")
    p.add_argument("--connect", metavar="HOST:PORT", action="append", default=[],
                   help="`adb connect` this TCP device first (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _region(miui: str | None, country: str | None) -> str:
    parts = [f"miui={miui}" if miui else "", f"country={country}" if country else ""]
    return ",".join(p for p in parts if p) or "-"


def run(args: argparse.Namespace, env: Env) -> int:
    server = AdbServer.parse(args.adb)
    devices = list_devices(server, connect=args.connect)
    if args.json:
        env.out(json.dumps([d.to_json() for d in devices], indent=2))
        return int(ExitStatus.OK)
    if not devices:
        env.out(f"no devices on adb server {server}: {NO_DEVICE_HINT}")
        return int(ExitStatus.OK)
    rows = [COLUMNS]
    for d in devices:
        rows.append((
            d.serial, d.state, d.model or "-", d.android_version or "-",
            str(d.api_level) if d.api_level is not None else "-", d.abi or "-",
            _region(d.miui_region, d.country), d.root_method or ("-" if d.state != "device" else "none"),
            d.frida_server or "-",
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    for r in rows:
        env.out("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    for d in devices:
        if d.state == "unauthorized":
            env.out(f"{d.serial}: unauthorized - accept the RSA prompt on the phone")
        if d.error:
            env.out(f"{d.serial}: {d.error}")
    return int(ExitStatus.OK)
