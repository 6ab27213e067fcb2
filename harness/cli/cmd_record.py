"""``harness record [--port P] [--out RUN_DIR] [--listen-host 127.0.0.1] [--duration SECONDS]``: proxy +
recorder until Ctrl-C, SIGTERM or SIGHUP (whatever the process inherited) or ``--duration`` ends
(exit 0 either way; the run is closed and kept)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from harness.cli.argtypes import port
from harness.cli.context import Env
from harness.cli.status import ExitStatus
from harness.errors import UsageError
from harness.redact import redact_url
from harness.scenario.signals import handled


def register(subparsers: argparse._SubParsersAction) -> None:
    from harness.cli.argtypes import seconds

    p = subparsers.add_parser(
        "record", help="run the recording proxy until Ctrl-C",
        description="Run mitmproxy with the harness recorder; every flow goes into a run directory.")
    p.add_argument("--port", "-p", type=port, default=0, help="listen port 0-65535 (default: 0 = a free port)")
    p.add_argument("--listen-host", default="127.0.0.1",
                   help="listen address (default: 127.0.0.1; anything else exposes the proxy: clients of "
                        "other machines then need --proxy-auth credentials or --allow-client)")
    p.add_argument("--proxy-auth", metavar="USER:PASSWORD",
                   help="credentials other machines must give when --listen-host is not loopback "
                        "(default: random ones, printed)")
    p.add_argument("--allow-client", metavar="IP|CIDR", action="append", default=[],
                   help="a client address allowed without credentials (a phone cannot send them); repeatable")
    p.add_argument("--out", "-o", metavar="RUN_DIR", help="run directory (default: HARNESS_HOME/runs/<run-id>)")
    p.add_argument("--body-cap", type=int, default=None, metavar="BYTES",
                   help="keep at most this many bytes of each body (default: 4 MiB)")
    p.add_argument("--upstream-ca", metavar="PEM",
                   help="verify upstream servers against this CA bundle, e.g. /etc/ssl/certs/ca-certificates.crt "
                        "(default: not verified, so every flow is recorded but the run does not attest that the "
                        "server held a valid certificate for the name: only the name asked for and the address "
                        "connected to; docs/capture.md)")
    p.add_argument("--quiet", "-q", action="store_true", help="no line per flow")
    # the same option and validator as `harness intercept` / `harness hook --duration` (harness.cli.argtypes)
    p.add_argument("--duration", type=seconds, metavar="SECONDS",
                   help="stop after this many seconds (above 0); the run is closed complete, exit 0")
    p.set_defaults(func=run)


def _flow_line(rec) -> str:
    if rec.kind in ("tls_failure", "idle"):
        return f"{rec.kind} {rec.sni or rec.server_host or '?'}: {rec.error}"
    if rec.method is None:
        return f"{rec.kind} {rec.client_ip}:{rec.client_port}: {rec.error}"
    status = rec.status_code if rec.status_code is not None else (rec.error or "-")
    target = rec.url or f"{rec.server_host or rec.host or '?'}:{rec.server_port or rec.port or '?'}"  # (CONNECT)
    return f"{rec.kind} {rec.method} {redact_url(target)} {status}"  # query values stay in the run only


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.capture.exposure import ProxyAccess, exposed_warning, is_loopback_host
    from harness.capture.session import CaptureSession, new_run_dir
    from harness.scenario.labnet import check_upstream_ca

    if args.body_cap is not None and args.body_cap < 0:
        raise UsageError("--body-cap must be >= 0")
    options = {}
    meta = {"recorder": "harness record"}
    if args.upstream_ca:  # the check `harness intercept` and `harness run` make: a missing, unreadable or empty CA is refused
        upstream_ca = check_upstream_ca(args.upstream_ca, "--upstream-ca").resolve()
        options["ssl_verify_upstream_trusted_ca"] = str(upstream_ca)
        meta["upstream_ca"] = str(upstream_ca)
    run_dir = Path(args.out) if args.out else new_run_dir(env.home / "runs")
    access = None
    if not is_loopback_host(args.listen_host):
        access = ProxyAccess.make(args.proxy_auth, args.allow_client)
        env.err(f"harness: {exposed_warning(args.listen_host, access)}")
    elif args.proxy_auth or args.allow_client:
        raise UsageError("--proxy-auth and --allow-client only apply with a --listen-host beyond loopback",
                         fix="drop them, or listen on the lab network address")
    session = CaptureSession(run_dir, listen_host=args.listen_host, port=args.port, confdir=env.home / "ca",
                             options=options, body_cap=args.body_cap,
                             meta=meta, access=access)
    # SIGINT, SIGTERM and SIGHUP stop the recording whatever the process inherited (issue 10.1)
    with handled(raise_=False) as stop:
        _record(session, args, env, stop)
    assert session.store is not None
    count = session.store.count_flows()
    env.out(f"saved run {session.run_dir} ({count} flows, {session.store.meta().get('status')})")
    return int(ExitStatus.OK)


def _record(session: Any, args: argparse.Namespace, env: Env, stop: Any) -> None:
    try:
        session.start()
        assert session.recorder is not None and session.address is not None
        if not args.quiet:
            session.recorder.on_flow = lambda rec: env.out(_flow_line(rec))
        host, port = session.address
        env.out(f"proxy listening on {host}:{port}")
        env.out(f"CA certificate: {session.ca.cert}")
        env.out(f"recording into {session.run_dir} (Ctrl-C to stop)")
        deadline = time.monotonic() + args.duration if args.duration else None
        while not stop.is_set() and not session.wait(0.2):
            if deadline is not None and time.monotonic() >= deadline:
                env.out(f"stopping (--duration {args.duration:g}s ended)")
                break
        if stop.is_set():
            env.out(f"stopping ({stop.name})")
        session.stop()
    finally:
        if session.proxy is not None and session.proxy.running:
            session.proxy.stop()
