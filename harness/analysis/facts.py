"""Known values to look for in traffic: device facts and canaries the harness planted.

The input is a JSON object (``--facts FACTS.json``, or ``RUN_DIR/artifacts/facts.json``); the keys
are listed in docs/analysis.md. Unknown keys are accepted and ignored, so the device layer can add
descriptive facts (model, build, ...) freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.analysis.shapes import FACTS, MAX_FACTS_BYTES, SEARCHED_KEYS
from harness.errors import AnalysisError
from harness.parsing import check_shape, load_json, quote, read_text

#: values shorter than this are not searched (they would match ordinary traffic)
MIN_VALUE_LEN = 4


@dataclass(frozen=True)
class KnownValue:
    """One value to search for. ``kind`` picks the normalisations (``mac``, ``phone``, ...);
    values with the same ``group`` count as one finding only when ``need`` members are seen in one
    flow (a location needs latitude and longitude; an installed-apps list needs several apps)."""

    name: str
    kind: str
    value: str
    group: str | None = None
    need: int = 1


@dataclass
class KnownValues:
    values: list[KnownValue] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ignored_keys: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.values)

    def add(self, name: str, kind: str, value: Any, group: str | None = None, need: int = 1) -> None:
        if value is None:
            return
        text = str(value).strip()
        if len(text) < MIN_VALUE_LEN:
            self.skipped.append(f"{name}: shorter than {MIN_VALUE_LEN} characters")
            return
        self.values.append(KnownValue(name, kind, text, group, need))


#: fact key -> (kind, aliases)
SCALAR_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "android_id": ("id", ()),
    "advertising_id": ("uuid", ("gaid", "aaid", "oaid")),
    "imei": ("digits", ("imeis", "meid")),
    "serial": ("id", ("serial_number", "ro.serialno")),
    "phone_number": ("phone", ("phone_numbers", "msisdn")),
    "account_email": ("email", ("account_emails", "accounts", "email")),
    "wifi_mac": ("mac", ("mac", "wlan_mac")),
    "bluetooth_mac": ("mac", ()),
    "imsi": ("digits", ()),
    "iccid": ("digits", ()),
}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _add_location(kv: KnownValues, name: str, loc: Any) -> None:
    if isinstance(loc, list | tuple) and len(loc) == 2:
        lat, lon = loc
    elif isinstance(loc, dict):
        lat = loc.get("lat", loc.get("latitude"))
        lon = loc.get("lon", loc.get("lng", loc.get("longitude")))
    else:
        raise AnalysisError(f"fact {name!r} must be {{'lat': .., 'lon': ..}} or [lat, lon], got {quote(loc)}",
                            fix="write the location as an object with lat and lon")
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise AnalysisError(f"fact {name!r} has a non-numeric latitude/longitude", fix="use decimal degrees") from None
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        raise AnalysisError(f"fact {name!r} is not a place on Earth ({quote(lat_f)}, {quote(lon_f)})",
                            fix="use decimal degrees: latitude -90..90, longitude -180..180")
    kv.values.append(KnownValue(f"{name}.lat", "coordinate", repr(lat_f), group=name, need=2))
    kv.values.append(KnownValue(f"{name}.lon", "coordinate", repr(lon_f), group=name, need=2))


def _check_text_values(facts: Any, origin: str) -> None:
    """A searched key holding a number or true/false (``{"imei": 123}``) is refused with the key and
    the shape it needs: searched as printed, it would silently find nothing (docs/analysis.md)."""
    if not isinstance(facts, dict):
        return
    if isinstance(facts.get("facts"), dict):
        _check_text_values(facts["facts"], origin)
    for key in (*SEARCHED_KEYS, "installed_apps"):
        value = facts.get(key)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, bool | int | float):
                where = key if item is value else f"{key}[{i}]"
                shape = "a list of strings" if key == "installed_apps" else "a string or a list of strings"
                raise AnalysisError(
                    f"{origin}: at {where}: expected {shape}, got {type(item).__name__} {quote(item, 40)}",
                    fix=f'write the value in quotes, e.g. "{str(item)[:40]}"')
    for group in ("custom", "canaries"):
        entries = facts.get(group)
        for name, item in (entries.items() if isinstance(entries, dict) else ()):
            if isinstance(item, bool | int | float):
                raise AnalysisError(f"{origin}: at {group}.{quote(name, 40)[1:-1]}: expected a string, got "
                                    f"{type(item).__name__} {quote(item, 40)}",
                                    fix="write the value in quotes")


def check_facts(facts: Any, origin: str = "device facts") -> None:
    """Raise :class:`AnalysisError` naming the first place where ``facts`` does not fit
    :data:`harness.analysis.shapes.FACTS` (types: every searched value a string, at most 1024
    characters; 2000 installed apps, 256 entries per list)."""
    _check_text_values(facts, origin)
    check_shape(facts, FACTS, origin, AnalysisError, fix="see docs/analysis.md, 'Device facts'")


def known_values_from_facts(facts: dict[str, Any], origin: str = "device facts") -> KnownValues:
    """Build the search list from a facts object (see docs/analysis.md for the keys).

    Raises :class:`AnalysisError` if the object does not have the shape :func:`check_facts` checks.
    """
    if not isinstance(facts, dict):
        raise AnalysisError(f"{origin} must be a JSON object", fix="see docs/analysis.md, 'Device facts'")
    check_facts(facts, origin)
    if isinstance(facts.get("facts"), dict):  # {"facts": {...}, "serial": ...} wrappers
        facts = {**facts, **facts["facts"]}
    kv = KnownValues()
    used = {"facts", "canaries", "custom", "location", "installed_apps"}
    for key, (kind, aliases) in SCALAR_KEYS.items():
        for k in (key, *aliases):
            if k in facts:
                used.add(k)
                values = _as_list(facts[k])
                for i, v in enumerate(values):
                    if isinstance(v, dict):  # accounts as [{"name": "a@b", "type": "com.google"}]
                        v = v.get("name") or v.get("value")
                    kv.add(key if len(values) == 1 else f"{key}[{i}]", kind, v)
    if facts.get("location") is not None:
        _add_location(kv, "location", facts["location"])
    apps = [str(a) for a in _as_list(facts.get("installed_apps"))]
    need = min(3, len(apps)) or 1
    for app in apps:
        kv.add(f"installed_apps:{app}", "package", app, group="installed_apps", need=need)
    canaries = facts.get("canaries") or {}
    if isinstance(canaries, list):
        canaries = {str(c.get("kind", f"canary{i}")): c.get("value") for i, c in enumerate(canaries)}
    for cname, cvalue in canaries.items():
        if cname == "location" or (isinstance(cvalue, dict) and "lat" in cvalue):
            _add_location(kv, f"canary.{cname}", cvalue)
        elif isinstance(cvalue, dict):  # contact: {"name":..., "phone":..., "email":...}
            for field_name, v in cvalue.items():
                kind = {"phone": "phone", "email": "email"}.get(field_name, "text")
                kv.add(f"canary.{cname}.{field_name}", kind, v)
        else:
            for i, v in enumerate(_as_list(cvalue)):
                kv.add(f"canary.{cname}" + (f"[{i}]" if i else ""), "text", v)
    for cname, cvalue in (facts.get("custom") or {}).items():
        kv.add(str(cname), "text", cvalue)
    kv.ignored_keys = sorted(k for k in facts if k not in used)
    return kv


def load_facts(path: str | Path) -> dict[str, Any]:
    """Read and shape-check a facts JSON file (at most 1 MiB); :class:`AnalysisError` names the
    file and the place of the first problem."""
    p = Path(path)
    data = load_json(read_text(p, "facts file", MAX_FACTS_BYTES, AnalysisError), f"facts file {p}", AnalysisError)
    if not isinstance(data, dict):
        raise AnalysisError(f"facts file {p} must hold a JSON object", fix="see docs/analysis.md, 'Device facts'")
    check_facts(data, f"facts file {p}")
    return data
