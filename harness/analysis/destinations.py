"""The ``destinations`` frame: one row per (host, server IP actually connected to), with geo and
jurisdiction resolved once per distinct address (see docs/analysis.md, 'Geo and jurisdiction')."""

from __future__ import annotations

import pandas as pd

from harness.analysis import frames as F
from harness.analysis.geo import GeoResolver
from harness.analysis.policy import Policy


def destination_keys(flows: pd.DataFrame) -> list[tuple[str, str]]:
    """Per flow, the (host, server IP) key of its destination row (``""`` for a missing part)."""
    return list(zip(flows["server_host"].fillna(flows["host"]).fillna(""), flows["server_ip"].fillna(""),
                    strict=True))


def destinations(flows: pd.DataFrame, geo: GeoResolver, policy: Policy) -> pd.DataFrame:
    """Group ``flows`` (without body columns) by destination; add country, ASN, jurisdiction."""
    if flows.empty:
        return F.frame([], F.DESTINATIONS)
    keys = destination_keys(flows)
    base = pd.DataFrame({
        "host": [h for h, _ in keys],
        "server_ip": [ip for _, ip in keys],
        "sent": flows["request_body_size"].fillna(0).astype("int64").to_numpy(),
        "received": flows["response_body_size"].fillna(0).astype("int64").to_numpy(),
        "started_at": flows["started_at"].astype("float64").to_numpy(),
        "step_id": flows["step_id"].astype(object).to_numpy(),
        "pii": (flows["pii_hits"] > 0).astype("int64").to_numpy(),
    })
    g = base.groupby(["host", "server_ip"], sort=True, dropna=False)
    agg = g.agg(flows=("sent", "size"), bytes_sent=("sent", "sum"), bytes_received=("received", "sum"),
                first_seen=("started_at", "min"), last_seen=("started_at", "max"), pii_flows=("pii", "sum"),
                steps=("step_id", lambda s: sorted({x for x in s if isinstance(x, str)})))
    rows = []
    for r in agg.reset_index().itertuples(index=False):
        ans = geo.resolve(r.server_ip or None)
        rows.append({
            "host": r.host or None, "server_ip": r.server_ip or None, "country": ans.country, "asn": ans.asn,
            "geo_source": ans.source, "geo_label": ans.label, "geo_database": ans.database,
            "registered_country": ans.registered_country, "as_org": ans.as_org, "geo_caveat": ans.caveat,
            "jurisdiction": policy.classify(ans.country, r.host or None),
            "flows": int(r.flows), "bytes_sent": int(r.bytes_sent), "bytes_received": int(r.bytes_received),
            "first_seen": float(r.first_seen), "last_seen": float(r.last_seen), "steps": list(r.steps),
            "pii_flows": int(r.pii_flows),
        })
    return F.frame(rows, F.DESTINATIONS)
