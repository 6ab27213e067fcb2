"""IP address -> country (and ASN where known), in layers, recording which layer answered.

Order: the override table (lab networks, the virtual world) -> a MaxMind GeoIP2/GeoLite2 ``.mmdb``
if given -> the embedded offline RIR data (``iptocc``). Loopback, private, link-local and other
non-global addresses are ``unknown`` unless the override table names them.
"""

from __future__ import annotations

import csv
import io
import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import iptocc
import maxminddb

from harness.analysis.shapes import GEO_OVERRIDES, MAX_GEO_BYTES
from harness.errors import AnalysisError
from harness.parsing import check_shape, load_json, load_yaml, quote, read_text

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class GeoAnswer:
    """Where an address is. ``source`` is ``override``, ``mmdb``, ``iptocc``, ``non_global`` or
    ``none`` (no layer knew it / not an IP address)."""

    country: str | None
    asn: int | None
    source: str
    label: str | None = None


@dataclass(frozen=True)
class Override:
    network: Network
    country: str
    asn: int | None = None
    label: str | None = None


def _override_from(entry: dict[str, Any], origin: str) -> Override:
    cidr = entry.get("cidr") or entry.get("network") or entry.get("ip")
    country = entry.get("country") or entry.get("cc")
    if not cidr or not country:
        raise AnalysisError(
            f"geo override entry {quote(entry)} in {origin} needs 'cidr' and 'country'",
            fix="write each entry as {cidr: 127.0.0.10/32, country: SG[, asn: N, label: ...]}",
        )
    try:
        net = ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError:
        raise AnalysisError(f"bad CIDR {quote(cidr)} in {origin}", fix="use e.g. 10.0.0.0/8") from None
    asn = entry.get("asn")
    try:
        asn_value = int(str(asn).upper().removeprefix("AS")) if asn not in (None, "") else None
        if asn_value is not None and not 0 <= asn_value < 1 << 32:
            raise ValueError(asn_value)
    except ValueError:
        raise AnalysisError(f"bad ASN {quote(asn)} in {origin}", fix="use a number such as 4808") from None
    code = str(country).strip().upper()
    if not (len(code) == 2 and code.isalpha()):
        raise AnalysisError(f"bad country {quote(country)} in {origin}", fix="use a two-letter ISO 3166 code such as SG")
    label = entry.get("label")
    return Override(net, code, asn_value, str(label) if label not in (None, "") else None)


def load_overrides(path: str | Path) -> list[Override]:
    """Read an override table from YAML, JSON or CSV (columns ``cidr,country[,asn,label]``).

    YAML/JSON may be a list of entries, ``{"overrides": [...]}``, or a mapping CIDR -> country.
    """
    p = Path(path)
    text = read_text(p, "geo override file", MAX_GEO_BYTES, AnalysisError)
    origin = str(p)
    if p.suffix.lower() == ".csv":
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise AnalysisError(f"geo override file {p} is not valid CSV: {exc}", fix="check the file's syntax") from None
        data: Any = [{str(k).strip().lower(): (v or "").strip() if isinstance(v, str) else "" for k, v in r.items() if k}
                     for r in rows]
    else:
        what = f"geo override file {p}"
        data = load_json(text, what, AnalysisError) if p.suffix.lower() == ".json" else load_yaml(text, what, AnalysisError)
    if not isinstance(data, list | dict):
        raise AnalysisError(f"geo override file {p} must hold a list of entries or a CIDR -> country map",
                            fix="see docs/analysis.md, 'Geo override table'")
    check_shape(data, GEO_OVERRIDES, f"geo override file {p}", AnalysisError,
                fix="see docs/analysis.md, 'Geo override table'")
    if isinstance(data, dict) and "overrides" in data:
        data = data["overrides"]
    if isinstance(data, dict):
        data = [{"cidr": k, **(v if isinstance(v, dict) else {"country": v})} for k, v in data.items()]
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise AnalysisError(f"geo override file {p} must hold a list of entries or a CIDR -> country map",
                            fix="see docs/analysis.md, 'Geo override table'")
    return [_override_from(e, origin) for e in data]


GEO_OVERRIDES_KIND = "geo_overrides"


def recorded_overrides(run_dir: str | Path) -> list[Override]:
    """Override tables a run recorded as artifacts of kind ``geo_overrides`` (e.g. the virtual
    world's table, saved by ``harness demo`` and ``harness intercept``), oldest first.

    Anything that is not a run directory gives ``[]``.
    """
    from harness.capture.store import RunStore  # a run store only exists for run directories

    root = Path(run_dir)
    if not (root / "store.sqlite").is_file():
        return []
    store = RunStore.open(root)
    try:
        artifacts = [a for a in store.artifacts() if a.kind == GEO_OVERRIDES_KIND]
    finally:
        store.close()
    out: list[Override] = []
    for artifact in artifacts:
        out.extend(load_overrides(root / artifact.path))
    return out


class GeoResolver:
    """Resolve addresses through the layers; answers are cached per address."""

    def __init__(
        self,
        overrides: list[Override] | None = None,
        mmdb_path: str | Path | None = None,
        use_iptocc: bool = True,
    ) -> None:
        # most specific network first
        self.overrides = sorted(overrides or [], key=lambda o: o.network.prefixlen, reverse=True)
        self.use_iptocc = use_iptocc
        self.mmdb_path = Path(mmdb_path) if mmdb_path else None
        self._mmdb: maxminddb.Reader | None = None
        if self.mmdb_path is not None:
            try:
                self._mmdb = maxminddb.open_database(str(self.mmdb_path))
            except FileNotFoundError:
                raise AnalysisError(f"MaxMind database {self.mmdb_path} does not exist",
                                    fix="pass the path of a GeoIP2/GeoLite2 .mmdb file, or omit --mmdb") from None
            except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
                raise AnalysisError(f"{self.mmdb_path} is not a valid MaxMind database: {exc}",
                                    fix="pass a GeoIP2/GeoLite2 Country, City or ASN .mmdb file") from None
        self.resolve = lru_cache(maxsize=65536)(self._resolve)  # type: ignore[method-assign]

    def close(self) -> None:
        if self._mmdb is not None:
            self._mmdb.close()

    def resolve(self, ip: str | None) -> GeoAnswer:  # replaced per instance by a cached version
        return self._resolve(ip)

    def _resolve(self, ip: str | None) -> GeoAnswer:
        if not ip:
            return GeoAnswer(None, None, "none")
        try:
            addr = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return GeoAnswer(None, None, "none")
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
            addr = addr.ipv4_mapped
        for o in self.overrides:
            if addr.version == o.network.version and addr in o.network:
                return GeoAnswer(o.country, o.asn, "override", o.label)
        if not addr.is_global:
            return GeoAnswer(None, None, "non_global")
        if self._mmdb is not None:
            rec = self._mmdb.get(str(addr))
            if isinstance(rec, dict):
                country = _mmdb_country(rec)
                asn = rec.get("autonomous_system_number")
                org = rec.get("autonomous_system_organization")
                if country or asn:
                    return GeoAnswer(country, asn if isinstance(asn, int) else None, "mmdb",
                                     org if isinstance(org, str) else None)
        if self.use_iptocc:
            cc = iptocc.country_code(str(addr))
            if cc:
                return GeoAnswer(cc.upper(), None, "iptocc")
        return GeoAnswer(None, None, "none")


def _mmdb_country(rec: dict[str, Any]) -> str | None:
    for key in ("country", "registered_country"):
        node = rec.get(key)
        if isinstance(node, dict) and node.get("iso_code"):
            return str(node["iso_code"]).upper()
    return None
