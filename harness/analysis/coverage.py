"""Interception coverage: which of the app's connections never went through the proxy.

Rule ``coverage.netwatch`` (docs/analysis.md): the ``netwatch`` agent reports every TCP
``connect()`` and UDP ``sendto()``/``connect()`` of the app (``netwatch:connect``,
``netwatch:sendto``), with the step it happened in and, for a connect, the socket's own address
(``local``). A TCP connection went through the proxy when the proxy recorded a flow from exactly
that client address (``FlowRecord.client_ip``/``client_port``: the proxy saw that very socket;
this holds for the regular listener and for ``redirect``'s SOCKS5 tunnel alike) or when its
destination is one of the proxy's own addresses. Every other destination *escaped*, and becomes
one ``coverage_gap`` finding per step and destination, with the agent events as evidence:

- ``quic``: UDP to port 443 (HTTP/3);
- ``doh``: TCP 443/853 to a public DNS-over-HTTPS/TLS resolver's literal address (the addresses
  the resolvers publish: Cloudflare, Google, Quad9, AdGuard, OpenDNS);
- ``direct_tcp``: any other TCP connection;
- ``udp``: any other UDP destination except DNS (port 53: name lookups normally go to the
  resolver, not through a proxy; counted in the summary).

Positive evidence only: a destination with no agent event is never reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pandas as pd

from harness.analysis.batches import FlowFrames, frames
from harness.analysis.findings import Finding, Severity
from harness.capture.records import AgentEvent

CONNECT = "netwatch:connect"
SENDTO = "netwatch:sendto"
BLOCKED = "netwatch:udp443-blocked"

#: literal addresses of public DNS-over-HTTPS/TLS resolvers, as published by their operators
DOH_RESOLVERS = frozenset({
    "1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001",  # Cloudflare
    "8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844",  # Google
    "9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9",  # Quad9
    "94.140.14.14", "94.140.15.15",  # AdGuard
    "208.67.222.222", "208.67.220.220",  # OpenDNS
})


def gap_kind(protocol: str, ip: str, port: int) -> str | None:
    """``quic`` / ``doh`` / ``direct_tcp`` / ``udp``, or None for plain DNS."""
    if protocol == "udp":
        if port == 443:
            return "quic"
        return None if port == 53 else "udp"
    if port in (443, 853) and ip.lower() in DOH_RESOLVERS:
        return "doh"
    return "direct_tcp"


def coverage_gaps(flows: FlowFrames, events: Iterable[AgentEvent],
                  proxy_addresses: Iterable[str] = ()) -> tuple[dict[str, Any], list[Finding]]:
    """(summary, findings) for the ``netwatch`` events of a run (summary ``events`` = 0: none).

    ``flows``: the analysis flows frame (columns ``client_ip``, ``client_port``, ``id``) or its
    batches (:mod:`harness.analysis.batches`), read only for the socket addresses the events name;
    ``proxy_addresses``: ``"ip:port"`` of the proxy's listeners, when known.
    """
    events = list(events)
    # the client addresses a netwatch connect names: only those are looked for among the flows
    wanted = {local for ev in events if ev.type in (CONNECT, SENDTO)
              and isinstance(local := (ev.payload or {}).get("local"), str)}
    proxied_clients: set[str] = set()
    for batch in frames(flows) if wanted else ():
        if batch.empty:
            continue
        for ip, port in zip(batch["client_ip"], batch["client_port"], strict=True):
            if isinstance(ip, str) and ip and not pd.isna(port) and f"{ip}:{int(port)}" in wanted:
                proxied_clients.add(f"{ip}:{int(port)}")
    proxies = set(proxy_addresses)
    gaps: dict[tuple[str | None, str, str], list[AgentEvent]] = defaultdict(list)
    proxied = dns = blocked = seen = 0
    for ev in events:
        p = ev.payload or {}
        if ev.type in (CONNECT, SENDTO, BLOCKED):
            seen += 1
        if ev.type == BLOCKED:
            blocked += 1
            continue
        if ev.type not in (CONNECT, SENDTO):
            continue
        protocol, ip, port = str(p.get("protocol", "")), str(p.get("ip", "")), int(p.get("port") or 0)
        destination = str(p.get("destination") or f"{ip}:{port}")
        if protocol == "tcp" and (destination in proxies or p.get("local") in proxied_clients):
            proxied += 1
            continue
        kind = gap_kind(protocol, ip, port)
        if kind is None:
            dns += 1
            continue
        gaps[(ev.step_id, destination, kind)].append(ev)
    findings = []
    for (step, destination, kind), evs in sorted(gaps.items(), key=lambda kv: (kv[0][0] or "", kv[0][1], kv[0][2])):
        what = {"quic": "UDP/443 (QUIC) datagrams", "doh": "DNS-over-HTTPS/TLS connection(s)",
                "direct_tcp": "direct TCP connection(s)", "udp": "UDP datagrams"}[kind]
        findings.append(Finding(
            "coverage_gap", kind, Severity.MEDIUM, "coverage.netwatch",
            f"{what} to {destination} never went through the proxy" + (f" (step {step})" if step else ""),
            event_ids=[e.id for e in evs], step_id=step,
            details={"destination": destination, "protocol": evs[0].payload.get("protocol"),
                     "events": len(evs), "kind": kind}))
    summary = {"events": seen, "proxied_connections": proxied, "escaped_destinations": len(gaps), "dns_datagrams": dns,
               "udp_443_blocked": blocked}
    return summary, findings
