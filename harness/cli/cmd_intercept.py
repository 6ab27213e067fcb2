"""``harness intercept --device SERIAL [--out DIR]``: prepare the device, record every flow with a
live line each, and on Ctrl-C or SIGTERM restore the device and say where the run is."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.device.adb import Device
from harness.device.intercept import CA_CHOICES, InterceptOptions, run_intercept
from harness.errors import HarnessError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("intercept", help="record a device's traffic interactively (Ctrl-C stops and restores)",
                       description="Set the device's proxy (adb reverse to a loopback proxy), install "
                                   "the CA, record flows; on Ctrl-C/SIGTERM restore the device.")
    p.add_argument("--device", metavar="SERIAL", help="device serial (default: the only one attached)")
    p.add_argument("--adb", metavar="HOST:PORT", help="a remote adb server (device farm)")
    p.add_argument("--out", metavar="DIR", type=Path, help="run directory (default: HARNESS_HOME/runs/<id>)")
    p.add_argument("--ca", choices=CA_CHOICES, default="auto",
                   help="where to install the proxy CA (auto: system store with root, else user)")
    p.add_argument("--lab-proxy", metavar="HOST:PORT",
                   help="make the device use this proxy address on the lab network instead of adb reverse")
    p.add_argument("--device-port", type=int, help="loopback port on the device for adb reverse")
    p.add_argument("--duration", type=float, help="stop after this many seconds")
    p.add_argument("--frida-server", metavar="FILE", type=Path, help="also deploy this frida-server")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.capture.session import new_run_dir

    device = Device.open(args.device, args.adb)
    out = args.out or new_run_dir(env.home / "runs")
    opts = InterceptOptions(out=out, ca=args.ca, lab_proxy=args.lab_proxy, device_port=args.device_port,
                            duration=args.duration, frida_server=args.frida_server)
    try:
        result = run_intercept(device, env.home, opts, env.out)
    except HarnessError as exc:
        env.err(f"harness: error: {exc}")
        env.err(f"harness: what was recorded is in {out}; "
                f"if the device was not restored run `harness restore --device {device.serial}`")
        return int(ExitStatus.ERROR)
    except KeyboardInterrupt:
        env.err(f"harness: interrupted during setup; device restored; run saved in {out}")
        return 130
    env.out(f"{result.flows} flows recorded; run saved in {result.run_dir}")
    if result.restore is not None and not result.restore.ok:
        env.err(f"harness: error: [{device.serial}] the device was not fully restored; "
                f"run `harness restore --device {device.serial}`")
        return int(ExitStatus.ERROR)
    return int(ExitStatus.OK)
