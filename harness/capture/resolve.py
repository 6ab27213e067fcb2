"""Name routing for a lab network: a hosts file (``/etc/hosts`` format) read into a mitmproxy addon.

A lab with split DNS or internal test servers tells the proxy where its names live, as it would
tell a resolver (``hosts(5)``):

    # comment
    10.0.8.20   api.vendor.test  cdn.vendor.test   # names after the address
    fd00::8     telemetry.vendor.test

:func:`load_hosts` reads such a file into ``{name: address}``; :class:`HostsResolver` is the
mitmproxy addon. The flow keeps the host name the app asked for (CONNECT target, ``Host`` header,
SNI); only the address the proxy connects to changes, so the recorder's ``server_ip`` is the lab's
address (which a lab's geo override table can place). Names not in the file resolve as usual.

Rules, after glibc's ``hosts(5)`` reader: ``#`` starts a comment anywhere on a line; fields are
separated by blanks; the first field is an IPv4 or IPv6 address, the others host names (matched
without case and without a trailing dot); the first line naming a host wins. A line with an
address and no name, a bad address or a bad host name (RFC 1123 labels: letters, digits, ``-``,
``_``; 1-63 characters each, at most 253 in all) is refused with :class:`HostsFileError` naming
the file and the line.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

from mitmproxy.proxy.server_hooks import ServerConnectionHookData

from harness.errors import UsageError
from harness.parsing import quote, read_text

#: the largest hosts file read (a lab's table, not a block list of millions of names)
MAX_HOSTS_BYTES = 8 << 20
#: one DNS label (RFC 1123 2.1; ``_`` as real resolvers accept it in hosts files)
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")

__all__ = ["HostsFileError", "HostsResolver", "load_hosts", "parse_hosts"]


class HostsFileError(UsageError):
    """A hosts file that cannot be read or has a bad line (exit status 2 at the CLI)."""


def valid_host(name: str) -> bool:
    """True for a DNS host name (RFC 1123 labels; at most 253 characters without a final dot)."""
    name = name[:-1] if name.endswith(".") else name
    return 0 < len(name) <= 253 and all(_LABEL.match(label) for label in name.split("."))


def parse_hosts(text: str, origin: str = "hosts file") -> dict[str, str]:
    """``{host name (lower case, no final dot): address}`` of a hosts file's text; see the module
    docstring. ``origin`` names the file in errors. Raises :class:`HostsFileError` (file:line)."""
    table: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split("#", 1)[0].split()
        if not fields:
            continue
        where = f"{origin}:{number}"
        try:
            address = str(ipaddress.ip_address(fields[0].split("%", 1)[0]))
        except ValueError:
            raise HostsFileError(f"{where}: {quote(fields[0])} is not an IPv4 or IPv6 address",
                                 fix="each line is `ADDRESS NAME [NAME...]` (hosts(5) format)") from None
        if len(fields) == 1:
            raise HostsFileError(f"{where}: the address {quote(address)} names no host",
                                 fix="add the host name(s) after the address, or remove the line")
        for name in fields[1:]:
            if not valid_host(name):
                raise HostsFileError(f"{where}: {quote(name)} is not a host name",
                                     fix="use DNS names (letters, digits, '-', '.'), one or more per line")
            table.setdefault(name.lower().rstrip("."), address)
    return table


def load_hosts(path: str | Path) -> dict[str, str]:
    """:func:`parse_hosts` of a file (UTF-8, at most :data:`MAX_HOSTS_BYTES`). Raises
    :class:`HostsFileError` for a missing, unreadable, oversized or bad file."""
    text = read_text(path, "hosts file", MAX_HOSTS_BYTES, HostsFileError)
    return parse_hosts(text, str(path))


class HostsResolver:
    """mitmproxy addon: connect to the address a table gives a host name (``{name: address}``).

    ``HostsResolver.from_file(path)`` reads a hosts file. The upstream connection's SNI stays the
    name the client asked for (its own SNI, else the CONNECT/Host name), so upstream certificate
    checks (``ssl_verify_upstream_trusted_ca``) are made for the name, not the address."""

    def __init__(self, addresses: dict[str, str]) -> None:
        self.use(addresses)

    @classmethod
    def from_file(cls, path: str | Path) -> HostsResolver:
        return cls(load_hosts(path))

    def use(self, addresses: dict[str, str]) -> None:
        """Route by another table from now on (one proxy, several networks in turn)."""
        #: host name (lower case, no final dot) -> address
        self.addresses = {h.lower().rstrip("."): ip for h, ip in addresses.items()}

    def resolve(self, host: str) -> str | None:
        """The table's address of ``host`` (any case, final dot or not), else None."""
        return self.addresses.get(host.lower().rstrip("."))

    def server_connect(self, data: ServerConnectionHookData) -> None:
        """mitmproxy hook: rewrite the address, keep the name."""
        server = data.server
        address = server.address
        if not address:
            return
        ip = self.resolve(str(address[0]))
        if ip is not None:
            server.address = (ip, address[1])
            if not server.sni:
                server.sni = str(address[0])
