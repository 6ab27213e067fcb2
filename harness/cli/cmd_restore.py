"""``harness restore --device SERIAL``: replay the device's restore journal (newest change first)
and verify the device matches the snapshot taken before the run."""

from __future__ import annotations

import argparse

from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.device.adb import Device
from harness.device.journal import journal_path, read_journal
from harness.device.restore import restore_device


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="undo what a run changed on a device (proxy, CA, frida-server)",
                       description="Replay HARNESS_HOME/journals/<serial>.jsonl in reverse and verify.")
    p.add_argument("--device", metavar="SERIAL", required=True, help="device serial")
    p.add_argument("--adb", metavar="HOST:PORT", help="a remote adb server (device farm)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    path = journal_path(env.home, args.device)
    pending = read_journal(path).pending
    if not path.exists() or not pending:
        env.out(f"{args.device}: nothing to restore (no pending changes in {path})")
        if path.exists():
            path.unlink()
        return int(ExitStatus.OK)
    device = Device.open(args.device, args.adb)
    report = restore_device(device, env.home)
    for line in report.lines():
        env.out(f"{args.device}: {line}")
    if report.ok:
        env.out(f"{args.device}: restored; journal removed")
        return int(ExitStatus.OK)
    env.err(f"harness: error: [{args.device}] restore incomplete; journal kept at {path} "
            "(fix: reconnect the device and run `harness restore` again, or reboot it)")
    return int(ExitStatus.ERROR)
