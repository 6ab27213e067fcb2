"""mitmproxy addon: route the world's host names to the world's loopback addresses.

The generic lab-network addon (:class:`harness.capture.resolve.HostsResolver`) with the world's
table: the flow keeps the host name the app asked for (CONNECT target, Host header, SNI); only the
address the proxy really connects to changes, so the recorder's ``server_ip`` is the world address
that the geo override table knows. Load it next to the recorder (``addons=[world.addon(), ...]``).
The world also writes the same table as a hosts file (``World.hosts_file``), which a phone lab
gives the proxy with ``--hosts`` instead.
"""

from __future__ import annotations

from harness.capture.resolve import HostsResolver


class WorldResolver(HostsResolver):
    """``WorldResolver({host: ip})``: a :class:`HostsResolver` over a world's addresses."""


__all__ = ["WorldResolver"]
