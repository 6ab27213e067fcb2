"""A proxy listening beyond loopback must not become an open relay (issue 11 item 4).

By default the proxy listens on ``127.0.0.1`` and a phone reaches it through ``adb reverse``, so
every client is local. When it listens on another address (``--listen-host 0.0.0.0``, ``::`` or a
LAN address, ``intercept --lab-proxy``), :class:`ExposureGuard` is added as the last addon:

* a client that is not on loopback must authenticate (HTTP ``Proxy-Authorization: Basic``; 407
  otherwise; a SOCKS or transparent client cannot, so it is refused) unless its address is in
  ``allow_clients`` (Android's global proxy setting cannot carry credentials, so a phone on the lab
  network is allowed by address instead);
* a client that is not on loopback never reaches a loopback, link-local, unspecified or multicast
  destination, whatever name it asks for (the name is resolved here and the connection pinned to
  the checked address, so DNS cannot answer differently later): the host's adb server (5037),
  frida-server forwards and the virtual world stay out of its reach.

Local clients (adb reverse, the virtual handset, the machine's own tools) are not affected.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import ipaddress
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mitmproxy import http
from mitmproxy.addons.proxyauth import http_auth_header, is_http_proxy, make_auth_required_response
from mitmproxy.utils.strutils import always_str

from harness.errors import UsageError

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _ip(text: str) -> IpAddress | None:
    try:
        addr = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def is_local_address(text: str) -> bool:
    """A loopback address (127.0.0.0/8, ::1, ::ffff:127.x)."""
    addr = _ip(text)
    return addr is not None and addr.is_loopback


def is_loopback_host(host: str) -> bool:
    """Does listening on ``host`` keep the proxy on loopback? (``localhost`` or a loopback IP)."""
    return host == "localhost" or is_local_address(host)


def blocked_destination(addr: IpAddress) -> bool:
    """Destinations a non-local client may not reach through the proxy."""
    return addr.is_loopback or addr.is_link_local or addr.is_unspecified or addr.is_multicast


@dataclass
class ProxyAccess:
    """Who may use a proxy that listens beyond loopback.

    ``credentials`` is ``USER:PASSWORD`` for HTTP proxy authentication; ``allow_clients`` are IP
    addresses or CIDR networks allowed without it."""

    credentials: str
    allow_clients: tuple[IpNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def make(cls, credentials: str | None = None, allow_clients: Iterable[str] = ()) -> ProxyAccess:
        """Parse the user's values (UsageError on a bad one); no credentials: random ones."""
        if credentials is not None and (":" not in credentials or credentials.startswith(":")):
            raise UsageError("proxy credentials must be USER:PASSWORD", fix="e.g. --proxy-auth lab:s3cret")
        nets = []
        for text in allow_clients:
            try:
                nets.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise UsageError(f"--allow-client {text[:80]!r} is not an IP address or CIDR network",
                                 fix="e.g. --allow-client 192.168.1.23 or --allow-client 192.168.1.0/24") from None
        return cls(credentials or f"harness:{secrets.token_urlsafe(12)}", tuple(nets))

    def allowed(self, client_ip: str) -> bool:
        addr = _ip(client_ip)
        return addr is not None and any(addr in net for net in self.allow_clients)


class ExposureGuard:
    """mitmproxy addon enforcing :class:`ProxyAccess` for clients that are not on loopback."""

    def __init__(self, access: ProxyAccess) -> None:
        self.access = access
        user, _, password = access.credentials.partition(":")
        self._user, self._password = user, password
        self._authenticated: set[str] = set()  # client connection ids

    # -- who the client is ----------------------------------------------------------------

    @staticmethod
    def _client_ip(client: Any) -> str:
        peer = getattr(client, "peername", None)
        return str(peer[0]) if peer else ""

    def _trusted(self, client: Any) -> bool:
        ip = self._client_ip(client)
        return is_local_address(ip) or self.access.allowed(ip) or client.id in self._authenticated

    def _check_credentials(self, flow: http.HTTPFlow) -> bool:
        header = http_auth_header(is_http_proxy(flow))
        value = flow.request.headers.get(header, "")
        scheme, _, token = value.partition(" ")
        try:
            user, _, password = always_str(base64.b64decode(token.strip(), validate=True)).partition(":")
        except (ValueError, binascii.Error):
            return False
        ok = (scheme.lower() == "basic" and secrets.compare_digest(user, self._user)
              and secrets.compare_digest(password, self._password))
        if ok:
            del flow.request.headers[header]
        return ok

    def _authenticate(self, flow: http.HTTPFlow) -> None:
        if self._trusted(flow.client_conn):
            return
        if self._check_credentials(flow):
            self._authenticated.add(flow.client_conn.id)
        else:
            flow.response = make_auth_required_response(is_http_proxy(flow))

    # -- mitmproxy events ------------------------------------------------------------------

    def http_connect(self, flow: http.HTTPFlow) -> None:
        self._authenticate(flow)

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        if flow.response is None:
            self._authenticate(flow)

    def client_disconnected(self, client: Any) -> None:
        self._authenticated.discard(client.id)

    async def server_connect(self, data: Any) -> None:
        client, server = data.client, data.server
        if is_local_address(self._client_ip(client)):
            return
        if not self._trusted(client):
            server.error = "proxy authentication required for clients not on this machine"
            return
        if server.address is None:
            return
        host, port = server.address[0], server.address[1]
        addr = _ip(str(host))
        if addr is not None:
            addrs: Sequence[IpAddress] = [addr]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError:
                return  # mitmproxy reports the failed resolution itself
            addrs = [a for a in (_ip(str(info[4][0])) for info in infos) if a is not None]
        if not addrs or any(blocked_destination(a) for a in addrs):
            server.error = (f"destination {host}:{port} is on this machine's loopback or link-local "
                            "network; not reachable for clients of other machines")
            return
        server.address = (str(addrs[0]), port)  # pinned: the address that was checked


def exposed_warning(listen_host: str, access: ProxyAccess) -> str:
    """The loud line printed when the proxy listens beyond loopback."""
    allowed = ", ".join(str(n) for n in access.allow_clients) or "none"
    return (f"WARNING: the proxy listens on {listen_host}, reachable from other machines; clients not "
            f"on this machine must authenticate as {access.credentials} (allowed without: {allowed}) and "
            "cannot reach this machine's loopback or link-local services through it")
