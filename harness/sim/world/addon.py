"""mitmproxy addon: route the world's host names to the world's loopback addresses.

The flow keeps the host name the app asked for (CONNECT target, Host header, SNI); only the address
the proxy really connects to changes, so the recorder's ``server_ip`` is the world address that the
geo override table knows. Load it next to the recorder (``addons=[world.addon(), ...]``).
"""

from __future__ import annotations

import logging

from mitmproxy.proxy.server_hooks import ServerConnectionHookData

log = logging.getLogger(__name__)


class WorldResolver:
    def __init__(self, addresses: dict[str, str]) -> None:
        #: host name (lower case) -> loopback ip
        self.addresses = {h.lower(): ip for h, ip in addresses.items()}

    def use(self, addresses: dict[str, str]) -> None:
        """Route to another world from now on (one proxy, several worlds in turn)."""
        self.addresses = {h.lower(): ip for h, ip in addresses.items()}

    def resolve(self, host: str) -> str | None:
        return self.addresses.get(host.lower().rstrip("."))

    def server_connect(self, data: ServerConnectionHookData) -> None:
        address = data.server.address
        if not address:
            return
        ip = self.resolve(str(address[0]))
        if ip is not None:
            data.server.address = (ip, address[1])
            if not data.server.sni:
                data.server.sni = str(address[0])
