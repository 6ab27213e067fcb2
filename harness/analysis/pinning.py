"""``tls.client_rejected_certificate`` → ``pinning_failure``: only with positive evidence.

A ``tls_failure`` flow is a fact (the client's TLS connection to the proxy failed or ended without
a request); a pinning finding is a conclusion, reported for a host only when at least one of its
``tls_failure`` flows carries evidence that the client rejected the proxy's certificate
(rules in :mod:`harness.capture.tlsevidence`):

* ``client_alert``: ``extra.evidence == "client_alert"`` (a certificate alert or ``user_canceled``
  the recorder read), or an error message naming the rejection as mitmproxy words it
  ("The client does not trust the proxy's certificate ... (tlsv1 alert unknown ca)") — what a
  ``.mitm`` file, a HAR or an older run can carry;
* ``repeated_closes``: ``extra.evidence == "repeated_closes"``, unless the same client address
  sent a request inside TLS to the same host anywhere in the input (it trusted the proxy's
  certificate there: the closes were spare connections, not pinning).

Rows without evidence (a single close after the handshake, a disconnect during the handshake with
no alert) give no finding; they stay in the ``flows`` frame.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pandas as pd

from harness.analysis.findings import Finding, Severity
from harness.capture.tlsevidence import error_rejects

RULE = "tls.client_rejected_certificate"


def _extra(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _s(value: Any) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def pinning_findings(flows: pd.DataFrame) -> list[Finding]:
    """One ``pinning_failure`` finding per host with evidence (verdict ``tls_rejected``, severity
    low); ``flows`` is the analysis ``flows`` frame (``extra`` as JSON text)."""
    if flows.empty:
        return []
    trusted: list[set[tuple[str, str]]] = []  # made once, when a repeated_closes row needs it

    def ok() -> set[tuple[str, str]]:
        """(client, host) pairs with a request sent inside TLS: the client trusted the certificate."""
        if not trusted:
            pairs: set[tuple[str, str]] = set()
            # row filters copy only the columns read (a filter of the whole frame reads every column's pages)
            sent = flows.loc[flows["method"].notna() & (flows["method"] != "CONNECT") & flows["sni"].notna(),
                             ["client_ip", "server_host", "sni", "host"]]
            for ip, host, sni, h in zip(sent["client_ip"], sent["server_host"], sent["sni"], sent["host"], strict=True):
                for name in (host, sni, h):
                    if _s(name):
                        pairs.add((_s(ip) or "", str(name).lower()))
            trusted.append(pairs)
        return trusted[0]

    groups: dict[str, dict[str, Any]] = defaultdict(lambda: {"ids": [], "errors": set(), "evidence": set(),
                                                             "alerts": set(), "rows": 0})
    failed = flows.loc[flows["kind"] == "tls_failure", ["id", "client_ip", "server_host", "sni", "server_ip", "error",
                                                        "extra"]]
    for row in failed.itertuples(index=False):
        host = _s(row.server_host) or _s(row.sni) or _s(row.server_ip) or "?"
        extra = _extra(row.extra)
        evidence = extra.get("evidence")
        if evidence == "repeated_closes" and (_s(row.client_ip) or "", host.lower()) in ok():
            evidence = None
        elif evidence not in ("client_alert", "repeated_closes"):
            evidence = "client_alert" if error_rejects(_s(row.error)) else None
        if evidence is None:
            continue
        g = groups[host]
        g["rows"] += 1
        g["evidence"].add(evidence)
        earlier = extra.get("earlier_ids") if evidence == "repeated_closes" else None
        for fid in [*(earlier if isinstance(earlier, list) else []), str(row.id)]:
            if fid not in g["ids"]:
                g["ids"].append(str(fid))
        if _s(row.error):
            g["errors"].add(str(row.error))
        alerts = extra.get("client_alerts")
        if isinstance(alerts, list):
            g["alerts"].update(str(a) for a in alerts if a != "close_notify")
    out = []
    for host, g in groups.items():
        how = " and ".join(sorted(g["evidence"])).replace("_", " ")
        out.append(Finding(
            "pinning_failure", "tls_rejected", Severity.LOW, RULE,
            f"{g['rows']} TLS connection(s) with {host} rejected the interception certificate ({how})",
            flow_ids=g["ids"], details={"host": host, "errors": sorted(g["errors"]), "count": g["rows"],
                                        "evidence": sorted(g["evidence"]), "client_alerts": sorted(g["alerts"])}))
    return out
