"""IP address -> country (and ASN where known), in layers, recording which layer answered.

Order: the override table (lab networks, the virtual world) -> a MaxMind GeoIP2/GeoLite2 ``.mmdb``
if given -> the embedded location data (DB-IP Lite country, :mod:`harness.analysis.geodata`).
The registration country (offline RIR data, ``iptocc``) is a second opinion: a block registered in
one country can serve from another (the 2021 keyword-list server 47.241.69.153 is registered in
the US and located in Singapore). Loopback, private, link-local and other non-global addresses
are ``unknown`` unless the override table names them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import iptocc
import maxminddb

from harness.analysis.geodata import LocationData
from harness.analysis.geodata import load as load_location_data
from harness.analysis.shapes import GEO_OVERRIDES, MAX_GEO_BYTES
from harness.errors import AnalysisError
from harness.parsing import check_shape, load_json, load_yaml, quote, read_bytes

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class GeoAnswer:
    """Where an address is. ``source`` is ``override``, ``mmdb``, ``dbip`` (embedded DB-IP Lite),
    ``iptocc`` (registration country, only with the location database turned off), ``non_global``
    or ``none`` (no layer knew it / not an IP address)."""

    country: str | None
    asn: int | None
    source: str
    label: str | None = None
    #: name and version of the database that answered (layers ``mmdb`` and ``dbip``), or the file
    #: of the override table that answered (layer ``override``, e.g. ``artifacts/world-geo.json``)
    database: str | None = None
    #: the registration country (RIR data, iptocc) when it differs from ``country``: a second opinion
    registered_country: str | None = None
    #: organisation of the AS (from the user's mmdb or the embedded ASN table)
    as_org: str | None = None
    #: a caveat on the country, e.g. for anycast networks
    caveat: str | None = None


@dataclass(frozen=True)
class OverrideTable:
    """The file an override entry was read from: ``file`` as the analysis names it (a run's
    artifact path such as ``artifacts/world-geo.json``, or the path given with ``--geo-overrides``)
    and ``sha256``, the hex SHA-256 of its bytes, so a reviewer can check the table that located
    the hosts."""

    file: str
    sha256: str


@dataclass(frozen=True)
class Override:
    network: Network
    country: str
    asn: int | None = None
    label: str | None = None
    #: the table this entry came from (None for an entry built in code)
    table: OverrideTable | None = None


def _override_from(entry: dict[str, Any], origin: str, table: OverrideTable | None = None) -> Override:
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
    return Override(net, code, asn_value, str(label) if label not in (None, "") else None, table)


def load_overrides(path: str | Path, name: str | None = None) -> list[Override]:
    """Read an override table from YAML, JSON or CSV (columns ``cidr,country[,asn,label]``).

    YAML/JSON may be a list of entries, ``{"overrides": [...]}``, or a mapping CIDR -> country.
    Each entry records its :class:`OverrideTable`: ``name`` (default: ``path`` as given) and the
    SHA-256 of the bytes read. Raises :class:`~harness.errors.AnalysisError` on a bad file.
    """
    p = Path(path)
    raw = read_bytes(p, "geo override file", MAX_GEO_BYTES, AnalysisError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnalysisError(f"geo override file {p} is not UTF-8 text (byte {exc.start}: {exc.reason})",
                            fix="save the file as UTF-8") from None
    table = OverrideTable(name or str(p), hashlib.sha256(raw).hexdigest())
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
    return [_override_from(e, origin, table) for e in data]


GEO_OVERRIDES_KIND = "geo_overrides"


def recorded_overrides(run_dir: str | Path) -> list[Override]:
    """Override tables a run recorded as artifacts of kind ``geo_overrides`` (e.g. the virtual
    world's table, saved by ``harness demo`` and ``harness intercept``), oldest first.

    Anything that is not a run directory gives ``[]``, and so does a store that cannot be read:
    the analysis that follows reports it, with its fix (``harness.analysis.loaders``).
    """
    from harness.capture.store import RunStore  # a run store only exists for run directories
    from harness.errors import HarnessError

    root = Path(run_dir)
    if not (root / "store.sqlite").is_file():
        return []
    try:
        store = RunStore.open(root)
    except HarnessError:
        return []
    try:
        artifacts = [a for a in store.artifacts() if a.kind == GEO_OVERRIDES_KIND]
    finally:
        store.close()
    out: list[Override] = []
    for artifact in artifacts:
        out.extend(load_overrides(root / artifact.path, str(artifact.path)))
    return out


#: AS numbers of operators that announce the same prefixes from many countries (anycast CDNs and
#: public DNS resolvers, per their own network documentation): a country for such an address is
#: where a database places the prefix, not necessarily where the answering server stands.
ANYCAST_ASNS = {
    13335: "Cloudflare", 209242: "Cloudflare", 54113: "Fastly", 20940: "Akamai", 16625: "Akamai",
    15169: "Google", 396982: "Google Cloud", 19281: "Quad9", 36692: "Cisco OpenDNS", 30148: "Sucuri", 19551: "Imperva Incapsula", 60068: "CDN77", 22822: "Edgio (Limelight)",
}


def anycast_caveat(asn: int | None) -> str | None:
    """A one-line caveat when ``asn`` belongs to an operator known for anycast (see :data:`ANYCAST_ASNS`)."""
    if asn is None or asn not in ANYCAST_ASNS:
        return None
    return (f"AS{asn} ({ANYCAST_ASNS[asn]}) serves anycast: the country is where the database places the "
            "prefix; the server that answered may be elsewhere")


class GeoResolver:
    """Resolve addresses through the layers; answers are cached per address.

    Layers, first answer wins: ``overrides`` (most specific CIDR first) -> a user's MaxMind
    ``mmdb_path`` -> the embedded DB-IP Lite location data (``location_db``; loaded on the first
    global address, :class:`~harness.analysis.geodata.GeoDataMissing` if it is not installed) ->
    the registration country (``iptocc``) only when ``location_db`` is False. The registration
    country is also kept as a second opinion (``GeoAnswer.registered_country``) when it differs.
    """

    def __init__(
        self,
        overrides: list[Override] | None = None,
        mmdb_path: str | Path | None = None,
        use_iptocc: bool = True,
        location_db: bool | LocationData = True,
    ) -> None:
        # the tables in the order given (the first wins for the same network), then most specific network first
        self.override_tables: list[OverrideTable] = list(dict.fromkeys(o.table for o in overrides or [] if o.table))
        self.overrides = sorted(overrides or [], key=lambda o: o.network.prefixlen, reverse=True)
        self.use_iptocc = use_iptocc
        self.mmdb_path = Path(mmdb_path) if mmdb_path else None
        self._mmdb: maxminddb.Reader | None = None
        self._mmdb_label: str | None = None
        self.use_location_db = bool(location_db)
        self._location: LocationData | None = location_db if isinstance(location_db, LocationData) else None
        if self.mmdb_path is not None:
            try:
                self._mmdb = maxminddb.open_database(str(self.mmdb_path))
            except FileNotFoundError:
                raise AnalysisError(f"MaxMind database {self.mmdb_path} does not exist",
                                    fix="pass the path of a GeoIP2/GeoLite2 .mmdb file, or omit --mmdb") from None
            except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
                raise AnalysisError(f"{self.mmdb_path} is not a valid MaxMind database: {exc}",
                                    fix="pass a GeoIP2/GeoLite2 Country, City or ASN .mmdb file") from None
            meta = self._mmdb.metadata()
            built = datetime.fromtimestamp(meta.build_epoch, UTC).date().isoformat()
            self._mmdb_label = f"{meta.database_type} ({self.mmdb_path.name}, built {built})"
        self.resolve = lru_cache(maxsize=65536)(self._resolve)  # type: ignore[method-assign]

    @property
    def location(self) -> LocationData | None:
        """The embedded location data, loaded on first use (None when turned off)."""
        if self.use_location_db and self._location is None:
            self._location = load_location_data()
        return self._location

    def describe(self) -> dict[str, Any]:
        """The layers in use and the databases' names and versions, for a run's meta and findings:
        ``{"overrides": N, "override_tables": [{"file", "sha256", "entries"}], "mmdb", "iptocc",
        "location_db"}`` (``override_tables`` in the order given, first wins)."""
        out: dict[str, Any] = {"overrides": len(self.overrides), "override_tables": [
            {"file": t.file, "sha256": t.sha256, "entries": sum(1 for o in self.overrides if o.table == t)}
            for t in self.override_tables], "mmdb": self._mmdb_label, "iptocc": self.use_iptocc, "location_db": None}
        if self._location is not None:
            out["location_db"] = self._location.describe()
        elif self.use_location_db:
            out["location_db"] = "not used (no global address)"
        return out

    def close(self) -> None:
        if self._mmdb is not None:
            self._mmdb.close()
        if self._location is not None:
            self._location.close()

    def resolve(self, ip: str | None) -> GeoAnswer:  # replaced per instance by a cached version
        return self._resolve(ip)

    def _resolve(self, ip: str | None) -> GeoAnswer:
        if not ip:
            return GeoAnswer(None, None, "none")
        try:
            addr = ipaddress.ip_address(ip.strip("[]").split("%", 1)[0])
        except ValueError:
            return GeoAnswer(None, None, "none")
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
            addr = addr.ipv4_mapped
        for o in self.overrides:
            if addr.version == o.network.version and addr in o.network:
                return GeoAnswer(o.country, o.asn, "override", o.label, database=o.table.file if o.table else None)
        if not addr.is_global:
            return GeoAnswer(None, None, "non_global")
        registered = iptocc.country_code(str(addr)) if self.use_iptocc else None
        registered = registered.upper() if registered else None
        answer = self._from_mmdb(addr) or self._from_location(addr)
        if answer is None:
            answer = GeoAnswer(registered, None, "iptocc") if registered else GeoAnswer(None, None, "none")
        if answer.asn is None and self.location is not None:
            found = self.location.asn(addr)
            if found:
                answer = replace(answer, asn=found[0], as_org=answer.as_org or found[1])
        if answer.source != "iptocc" and registered and registered != answer.country:
            answer = replace(answer, registered_country=registered)
        return replace(answer, caveat=anycast_caveat(answer.asn))

    def _from_mmdb(self, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> GeoAnswer | None:
        if self._mmdb is None:
            return None
        rec = self._mmdb.get(str(addr))
        if not isinstance(rec, dict):
            return None
        country = _mmdb_country(rec)
        asn = rec.get("autonomous_system_number")
        org = rec.get("autonomous_system_organization")
        if not (country or asn):
            return None
        return GeoAnswer(country, asn if isinstance(asn, int) else None, "mmdb", None,
                         database=self._mmdb_label, as_org=org if isinstance(org, str) else None)

    def _from_location(self, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> GeoAnswer | None:
        data = self.location
        if data is None:
            return None
        country = data.country(addr)
        return GeoAnswer(country, None, "dbip", None, database=data.label("country")) if country else None


def _mmdb_country(rec: dict[str, Any]) -> str | None:
    for key in ("country", "registered_country"):
        node = rec.get(key)
        if isinstance(node, dict) and node.get("iso_code"):
            return str(node["iso_code"]).upper()
    cc = rec.get("country_code")  # ip-location-db's own mmdb format
    return str(cc).upper() if isinstance(cc, str) and cc else None
