"""``python -m harness.sim``: run a virtual handset in the foreground until SIGTERM/SIGINT.

``harness sim start`` runs this detached; ``--ready-file`` receives a JSON record (pid, serial,
port, personality, state dir) once the ADB daemon listens.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from harness.cli.argtypes import port
from harness.errors import HarnessError, UsageError
from harness.fsutil import write_private
from harness.sim.personality import PERSONALITIES
from harness.sim.service import default_sim_dir


def add_auth_options(p: argparse.ArgumentParser) -> None:
    """``--adb-key FILE`` (repeatable) and ``--insecure``, shared with ``harness sim start``."""
    p.add_argument("--adb-key", type=Path, action="append", default=[], metavar="FILE",
                   help="also trust this adb public key (adbkey.pub); the starting user's "
                        "~/.android/adbkey is always trusted")
    p.add_argument("--insecure", action="store_true",
                   help="accept any local ADB client without AUTH (tests only: other users could "
                        "install and run apps as you)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m harness.sim", description=__doc__.splitlines()[0])
    p.add_argument("--name", default="default", help="handset name (state under HARNESS_HOME/sim/NAME)")
    p.add_argument("--personality", choices=sorted(PERSONALITIES), default=None)
    p.add_argument("--port", type=port, default=0, help="ADB daemon port on 127.0.0.1 (0: any free one)")
    p.add_argument("--state-dir", type=Path, default=None)
    p.add_argument("--root", choices=("none", "su", "magisk"), default=None, help="override the root method")
    p.add_argument("--hosts-file", type=Path, default=None, help="hosts file apps resolve names with")
    p.add_argument("--world", default=None,
                   help="run a virtual vendor world with the handset: compliant, ncsc-2021, "
                        "list-not-enforced or a world file")
    p.add_argument("--ready-file", type=Path, default=None, help="write a JSON record here once listening")
    add_auth_options(p)
    p.add_argument("--allow-app-install", action="store_true",
                   help="accept `pm install` of apps outside the bundled world (their code runs on this machine)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # own SIGTERM/SIGINT/SIGHUP from the start, whatever was inherited (issue 10.1): a signal during
    # start-up stops the handset once it is up instead of killing it half-started
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: done.set())
    try:
        # imported after the handlers: a signal while importing stops it too
        from harness.sim.handset import HandsetConfig, VirtualHandset

        state_dir = args.state_dir or default_sim_dir(args.name) / "state"
        world = None
        config = HandsetConfig(state_dir=state_dir, personality=args.personality, port=args.port,
                               root=args.root, hosts_file=args.hosts_file, adb_keys=list(args.adb_key),
                               insecure=args.insecure)
        config.allow_app_install = args.allow_app_install
        if args.world is not None:
            if args.hosts_file is not None:
                raise UsageError("--world and --hosts-file exclude each other",
                                 fix="the world writes its own hosts file; drop --hosts-file")
            from harness.sim.world import World

            world = World(args.world, Path(state_dir).parent / "world").start()
            config.hosts_file = world.hosts_file
            config.extra_props = world.props()
            config.extra_system_cas = [world.ca_cert_path]
        try:
            handset = VirtualHandset(config).start()
        except BaseException:
            if world is not None:
                world.stop()
            raise
    except HarnessError as exc:
        print(f"harness sim: error: {exc}", file=sys.stderr, flush=True)
        return 2
    try:
        assert handset.device is not None and handset.daemon is not None
        record = {"pid": os.getpid(), "serial": handset.serial, "port": handset.daemon.port,
                  "personality": handset.device.personality.name, "state_dir": str(Path(state_dir).resolve()),
                  "device_serialno": handset.device.serial, "world": world.info() if world else None}
        if args.ready_file:
            write_private(args.ready_file, json.dumps(record, indent=1))
        print(f"virtual handset {record['personality']} listening on {record['serial']}", flush=True)
        while not done.wait(1.0):
            pass
    finally:
        handset.stop()
        if world is not None:
            world.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
