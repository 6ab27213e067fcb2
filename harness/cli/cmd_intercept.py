"""``harness intercept --device SERIAL [--out DIR]``: prepare the device (``harness.scenario.open_lab``),
record every flow with a live line each (time, step, method, host, country and jurisdiction of the
server, status), and on Ctrl-C, SIGTERM or SIGHUP (whatever the process inherited) restore the
device, close the run (``complete``: a stop signal is how an interactive session ends) and say
where the run is. Steps: type a name + Enter in the terminal, or run
``harness mark NAME`` in another shell; flows from then on carry that step. ``--ready-file PATH``
is written once the proxy records and the CA is installed (a script starts the app after it: an
app started earlier keeps its old trust store and records only TLS failures).

A virtual handset started with ``harness sim start --world W`` is recognised by its serial: the
world's host names are routed to its servers and its geo table feeds the live country column.

Exit 0 when ``--duration`` ended the session; 130 when a signal stopped it (whatever the signal,
as every command: README "Exit statuses", harness.scenario.signals); 2 on an error, a device that
was not fully restored, or a device that went away during the session (noticed within about 3 s
by polling the adb server's device list: a line at once, the run kept ``incomplete``, the journal
kept for ``harness restore``; docs/lab-guide.md section 10)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli.argtypes import port, seconds
from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.device.adb import Device
from harness.device.cacert import CA_CHOICES
from harness.device.proxy import lab_listen
from harness.errors import HarnessError
from harness.scenario.labnet import check_file


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("intercept", help="record a device's traffic interactively (Ctrl-C stops and restores)",
                       description="Set the device's proxy (adb reverse to a loopback proxy), install "
                                   "the CA, record flows; on Ctrl-C/SIGTERM restore the device. Exit 130 when "
                                   "stopped by a signal, 0 when --duration ended it, 2 on an error.")
    p.add_argument("--device", metavar="SERIAL", help="device serial (default: the only one attached)")
    p.add_argument("--adb", metavar="HOST:PORT", help="a remote adb server (device farm)")
    p.add_argument("--out", metavar="DIR", type=Path, help="run directory (default: HARNESS_HOME/runs/<id>)")
    p.add_argument("--ca", choices=CA_CHOICES, default="auto",
                   help="where to install the proxy CA (auto: system store with root, else user)")
    p.add_argument("--lab-proxy", metavar="HOST:PORT",
                   help="make the device use this proxy address on the lab network instead of adb reverse; "
                        "the proxy listens exactly there (this machine's LAN address, else the run is "
                        "refused) and only HOST's /24 may use it without credentials")
    p.add_argument("--device-port", type=port, help="loopback port on the device for adb reverse (0-65535)")
    p.add_argument("--duration", type=seconds, metavar="SECONDS", help="stop after this many seconds (above 0)")
    p.add_argument("--frida-server", metavar="FILE", type=Path, help="also deploy this frida-server")
    p.add_argument("--geo-overrides", metavar="FILE", type=Path,
                   help="CIDR -> country table (YAML, JSON or CSV, as for `harness analyze`) for the live "
                        "country column; wins over a virtual world's own table")
    p.add_argument("--mmdb", metavar="FILE", type=Path, help="MaxMind GeoIP2/GeoLite2 .mmdb database")
    p.add_argument("--hosts", metavar="FILE", type=Path,
                   help="the lab network's host names: a hosts file (ADDRESS NAME...) the proxy connects by")
    p.add_argument("--upstream-ca", metavar="PEM", type=Path,
                   help="CA certificate(s) of the lab network's servers, trusted for upstream TLS")
    p.add_argument("--policy", metavar="FILE", type=Path,
                   help="jurisdiction policy YAML (default: EU/EEA home, EU adequacy list)")
    p.add_argument("--ready-file", metavar="PATH", type=Path,
                   help="write PATH (JSON: run_dir, serial, proxy) once the proxy records and the CA is "
                        "installed, so a script can start the app then; removed when the session ends")
    p.add_argument("--no-keyboard-marks", action="store_true",
                   help="do not read step marks from the terminal (`harness mark NAME` still works)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    # imported here, not at the top: every `harness` command builds this parser
    from harness.analysis.geo import GeoResolver, load_overrides
    from harness.analysis.policy import load_policy
    from harness.capture.session import new_run_dir
    from harness.scenario.intercept import InterceptOptions, run_intercept

    # bad input files fail here, before the device or the proxy is touched
    policy = load_policy(args.policy)
    if args.geo_overrides is not None:
        load_overrides(args.geo_overrides)
    for kind, path in (("hosts", args.hosts), ("upstream_ca", args.upstream_ca)):
        if path is not None:
            check_file(kind, path)
    if args.mmdb is not None:
        GeoResolver(mmdb_path=args.mmdb).close()
    if args.lab_proxy:
        lab_listen(args.lab_proxy)
    if args.ready_file is not None:
        ready_file(args.ready_file)
    device = Device.open(args.device, args.adb)
    from harness.scenario.virtual import RunningVirtual, serial_target

    target = serial_target(env.home, device.serial, args.adb)
    virtual = target if isinstance(target, RunningVirtual) else None
    out = args.out or new_run_dir(env.home / "runs")
    opts = InterceptOptions(out=out, ca=args.ca, lab_proxy=args.lab_proxy, device_port=args.device_port,
                            duration=args.duration, frida_server=args.frida_server,
                            geo_overrides=args.geo_overrides, mmdb=args.mmdb, policy=policy,
                            hosts_file=args.hosts, upstream_ca=args.upstream_ca, keyboard_marks=not args.no_keyboard_marks,
                            ready_file=args.ready_file)
    usable = not out.exists() or (out.is_dir() and not any(out.iterdir()))  # else refused before anything
    try:
        result = run_intercept(target, env.home, opts, env.out)
    except HarnessError as exc:
        env.err(f"harness: error: {exc}")
        if (line := left_behind(env, out, usable, device.serial)) is not None:
            env.err(line)
        return int(ExitStatus.ERROR)
    world = virtual
    env.out(f"{result.flows} flows recorded; run saved in {result.run_dir}")
    env.out(f"analyse with: harness analyze {result.run_dir}"
            + (" (the world's geo table recorded in the run is used)" if world is not None else ""))
    if result.restore is not None and not result.restore.ok:
        env.err(f"harness: error: [{device.serial}] the device was not fully restored; "
                f"run `harness restore --device {device.serial}`")
        return int(ExitStatus.ERROR)
    if result.signal is not None:
        from harness.scenario.signals import EXIT_INTERRUPTED

        return EXIT_INTERRUPTED
    return int(ExitStatus.OK)


def left_behind(env: Env, out: Path, usable: bool, serial: str) -> str | None:
    """After an error: where the run is (when this session recorded into ``out``) and the restore
    to run (when the device's journal still has changes and no session holds it); None when the
    session was refused before anything was recorded or changed (trial 6 findings F and H)."""
    from harness.device.journal import left_changed

    recorded = usable and out.is_dir() and any(out.iterdir())
    pending = left_changed(env.home, serial=serial)
    parts = [f"what was recorded is in {out}"] if recorded else []
    if pending:
        count = pending[0][1]
        changes = f"{count} change(s) pending" if count >= 0 else "its journal is unreadable"
        parts.append(f"{serial} was not restored ({changes}): run `harness restore --device {serial}` "
                     "once it is connected")
    return "harness: " + "; ".join(parts) if parts else None


def ready_file(path: Path) -> None:
    """Check ``--ready-file PATH`` before the device is touched: its folder exists and PATH is not a
    folder. A file left there by an earlier session is removed (a script waiting for PATH must not
    start the app before this session is ready). Raises UsageError."""
    from harness.fsutil import check_output_file

    check_output_file(path, "--ready-file")
    path.unlink(missing_ok=True)
