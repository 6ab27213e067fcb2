"""``harness sim start|stop|status``: a virtual handset in the background, attached to adb.

``harness sim start`` is the one command that gives a usable device: it starts the handset as a
detached process, runs ``adb connect`` and prints the serial.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

from harness.cli.argtypes import port
from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.errors import DeviceNotFound, UsageError
from harness.sim import service
from harness.sim.__main__ import add_auth_options
from harness.sim.personality import PERSONALITIES

#: exit status of a command a signal stopped (README "Exit statuses")
EXIT_INTERRUPTED = 130


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sim", help="run a virtual handset (no phone needed)",
                       description="Start, stop or inspect a virtual handset that adb sees as a device.")
    verbs = p.add_subparsers(dest="sim_command", metavar="VERB")
    start = verbs.add_parser("start", help="start a handset in the background and `adb connect` it")
    start.add_argument("--personality", choices=sorted(PERSONALITIES), default=None,
                       help="what the handset is (default: miui-android10; fixed once its state exists)")
    start.add_argument("--port", type=port, default=0, help="ADB port on 127.0.0.1, 0-65535 (default: a free one)")
    start.add_argument("--state-dir", type=Path, default=None, help="device state folder (default: per name)")
    start.add_argument("--root", choices=("none", "su", "magisk"), default=None, help="override the root method")
    start.add_argument("--hosts-file", type=Path, default=None, help="hosts file apps resolve names with")
    start.add_argument("--world", default=None,
                       help="run a virtual vendor world with it: compliant, ncsc-2021, list-not-enforced "
                            "or a world file (YAML)")
    start.add_argument("--no-connect", action="store_true", help="do not run `adb connect`")
    add_auth_options(start)
    start.add_argument("--allow-app-install", action="store_true",
                       help="accept `pm install` of apps outside the bundled world (their Java runs on this machine)")
    status = verbs.add_parser("status", help="show whether the handset runs")
    status.set_defaults(needs_adb=False)  # reads HARNESS_HOME/sim/NAME only (harness.cli.main)
    for verb in (start, verbs.add_parser("stop", help="stop the handset"), status):
        verb.add_argument("--name", default="default", help="which handset (default: 'default')")
    p.set_defaults(func=run)


@contextlib.contextmanager
def held_signals() -> Iterator[list[int]]:
    """While ``sim start`` starts a handset: SIGINT, SIGTERM and SIGHUP are only noted (the list
    yielded; polled by the start and connect loops), so none can strike between spawning the
    handset and knowing its pid. A signal the process inherited as ignored stays ignored. The
    previous handlers come back on exit."""
    seen: list[int] = []
    previous = {}
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(stop_signal) is not signal.SIG_IGN:
            previous[stop_signal] = signal.signal(stop_signal, lambda signum, frame: seen.append(signum))
    try:
        yield seen
    finally:
        for stop_signal, handler in previous.items():
            signal.signal(stop_signal, handler)


def _adb_client():
    import adbutils

    return adbutils.AdbClient(port=int(os.environ.get("ANDROID_ADB_SERVER_PORT", "5037")))


def _connect(serial: str, timeout: float = 20.0, stopped: Callable[[], bool] | None = None) -> None:
    import time

    import adbutils

    client = _adb_client()
    deadline = time.monotonic() + timeout
    answer = ""
    while time.monotonic() < deadline:
        if stopped is not None and stopped():
            raise KeyboardInterrupt("stopped while adb attached the handset")
        try:
            answer = client.connect(serial, timeout=10)
            if any(d.serial == serial and d.state == "device" for d in client.list()):
                return
        except adbutils.AdbError as exc:
            answer = str(exc)
        time.sleep(0.3)
    raise DeviceNotFound(f"adb did not attach the handset ({answer})", serial=serial,
                         fix="check `adb devices`; then `harness sim stop` and start again")


def run(args: argparse.Namespace, env: Env) -> int:
    if not args.sim_command:
        raise UsageError("missing verb", fix="harness sim start|stop|status")
    folder = service.default_sim_dir(args.name, env.home)
    if args.sim_command == "start":
        if args.world is not None:
            if args.hosts_file is not None:
                raise UsageError("--world and --hosts-file exclude each other",
                                 fix="the world writes its own hosts file; drop --hosts-file")
            from harness.sim.world import load_world

            load_world(args.world)  # a bad world file fails here, naming the field
            if Path(args.world).is_file():
                args.world = str(Path(args.world).resolve())
        if args.hosts_file is not None:  # a missing or bad hosts file fails here, naming the line
            from harness.scenario.labnet import check_file

            check_file("hosts", args.hosts_file)
            args.hosts_file = args.hosts_file.resolve()
        from harness.sim.adb.auth import TrustedKeys

        TrustedKeys(files=tuple(args.adb_key))  # a bad key file fails here, naming it
        if args.insecure:
            env.err("harness sim: warning: --insecure: any local user can connect to this handset over ADB "
                    "and run code as you; use it only on a single-user machine")
        with held_signals() as stop:  # a stop signal while it starts: the half-started handset is stopped
            try:
                record = service.start(folder, personality=args.personality, port=args.port,
                                       state_dir=args.state_dir, root=args.root, hosts_file=args.hosts_file,
                                       world=args.world, adb_keys=args.adb_key, insecure=args.insecure,
                                       allow_app_install=args.allow_app_install, stopped=lambda: bool(stop))
                if not args.no_connect:
                    _connect(record.serial, stopped=lambda: bool(stop))
                if stop:
                    raise KeyboardInterrupt
            except (DeviceNotFound, KeyboardInterrupt) as exc:
                service.stop(folder)  # it had started (service.start stops one that had not finished)
                if not isinstance(exc, KeyboardInterrupt):
                    raise
                name = signal.Signals(stop[0]).name if stop else getattr(exc, "name", None) or "SIGINT"
                env.err(f"harness: interrupted by {name}; handset {args.name!r} stopped again, "
                        "nothing left running")
                return EXIT_INTERRUPTED
        env.out(record.serial)
        if record.world:
            env.err(f"world {record.world['name']}: truth log {record.world['truth_log']}, "
                    f"CA {record.world['ca_cert']}, geo table {record.world['geo_file']}")
        return int(ExitStatus.OK)
    if args.sim_command == "stop":
        stopped = service.stop(folder)
        if stopped is None:
            env.out(f"handset {args.name!r} is not running")
            return int(ExitStatus.OK)
        try:
            _adb_client().disconnect(stopped.serial)
        except Exception:  # the adb server may be gone; the handset is stopped either way
            pass
        env.out(f"stopped {stopped.serial}")
        return int(ExitStatus.OK)
    current = service.status(folder)
    if current is None:
        env.out(f"handset {args.name!r}: stopped")
    else:
        env.out(f"handset {args.name!r}: running as {current.serial} (pid {current.pid}, {current.personality},"
                f" serialno {current.device_serialno}, state {current.state_dir})")
    return int(ExitStatus.OK)
