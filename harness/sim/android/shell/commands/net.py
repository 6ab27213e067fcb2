"""``nc`` (toybox netcat, client side only): what ``harness doctor`` uses to probe the proxy path.

The handset's loopback is the host's loopback, except that a device port with an ``adb reverse``
goes to the host port it is mapped to, as on a phone.
"""

from __future__ import annotations

import socket

from harness.sim.android.shell.commands import command
from harness.sim.android.shell.interp import CmdIO, Shell


@command("nc", "netcat")
def nc(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    wait = 10.0
    rest: list[str] = []
    i = 0
    while i < len(args):
        if args[i] in ("-w", "-q", "-W") and i + 1 < len(args):
            if args[i] == "-w" and args[i + 1].isdigit():
                wait = float(args[i + 1])
            i += 2
            continue
        rest.append(args[i])
        i += 1
    if len(rest) != 2 or not rest[1].isdigit():
        io.error("usage: nc [-w SECS] HOST PORT")
        return 1
    host, port = rest[0], int(rest[1])
    if host not in ("127.0.0.1", "localhost"):
        io.error(f"nc: {host}: the virtual handset only reaches its own loopback")
        return 1
    mapped = sh.device.reverse.get(port)
    try:
        sock = socket.create_connection(("127.0.0.1", mapped or port), timeout=wait)
    except OSError:
        io.error(f"nc: connect to {host} port {port}: Connection refused")
        return 1
    with sock:
        try:
            # no half-close: an adb reverse stream cannot carry one (toybox nc does not send one
            # either); read until the server closes or -w seconds pass without data
            sock.sendall(io.read_all())
            while chunk := sock.recv(65536):
                io.out(chunk)
        except TimeoutError:
            pass
        except OSError as exc:
            io.error(f"nc: {exc}")
            return 1
    return 0
