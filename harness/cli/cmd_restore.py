"""``harness restore --device SERIAL``: replay the device's restore journal (newest change first)
and verify the device matches the snapshot taken before the run."""

from __future__ import annotations

import argparse

from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.device.adb import Device
from harness.device.journal import journal_path, pending_journals, read_journal
from harness.device.restore import restore_device
from harness.errors import DeviceError, DeviceNotFound


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help="undo what a run changed on a device (proxy, CA, frida-server)",
                       description="Replay HARNESS_HOME/journals/<serial>.jsonl in reverse and verify.")
    p.add_argument("--device", metavar="SERIAL", required=True, help="device serial")
    p.add_argument("--adb", metavar="HOST:PORT", help="a remote adb server (device farm)")
    p.set_defaults(func=run)


def _not_attached(serial: str, env: Env, exc: DeviceError) -> int:
    """A serial that is not attached: say so, and name the journals that are pending (a typo in
    the serial must not look like "nothing to restore")."""
    others = [f"{s} ({n} change(s))" if n >= 0 else f"{s} (unreadable)" for s, n in pending_journals(env.home)]
    listed = "; pending restore journals: " + ", ".join(others) if others else "; no restore journal is pending"
    if _tcp_serial(serial):  # a TCP device the adb server dropped (adb kill-server, a restart): re-attach it
        fix = (f"if the device is running, `adb connect {serial}` (or `harness devices --connect {serial}`) "
               f"attaches it; then run `harness restore --device {serial}` again")
    else:
        fix = "`harness devices` lists attached serials; run `harness restore --device SERIAL` with one of them"
    env.err(f"harness: error: [{serial}] restore: {exc.reason}{listed} (fix: {fix})")
    return int(ExitStatus.ERROR)


def _tcp_serial(serial: str) -> bool:
    """Whether ``serial`` is a TCP device's (``HOST:PORT``, ``[IPv6]:PORT``): one the adb server
    knows only after `adb connect`, and forgets when it restarts (trial 6b N4)."""
    host, sep, port = serial.rpartition(":")
    return bool(sep and host and port.isdigit() and (":" not in host or host.startswith("[")))


def run(args: argparse.Namespace, env: Env) -> int:
    path = journal_path(env.home, args.device)
    pending = read_journal(path).pending
    try:
        device = Device.open(args.device, args.adb)
    except DeviceNotFound as exc:
        return _not_attached(args.device, env, exc)
    if not path.exists() or not pending:
        env.out(f"{args.device}: nothing to restore (no pending changes in {path})")
        if path.exists():
            path.unlink()
        return int(ExitStatus.OK)
    report = restore_device(device, env.home)
    for line in report.lines():
        env.out(f"{args.device}: {line}")
    if report.ok:
        env.out(f"{args.device}: restored; journal removed")
        return int(ExitStatus.OK)
    env.err(f"harness: error: [{args.device}] restore incomplete; journal kept at {path} "
            "(fix: reconnect the device and run `harness restore` again, or reboot it)")
    return int(ExitStatus.ERROR)
