"""World files: which behaviours of the virtual vendor world are compliant and which violate.

A world file is YAML. Every field is optional except ``name``; unknown fields are errors, so a typo
never silently turns a violating world into a compliant one. :func:`load_world` accepts a bundled
world name (``compliant``, ``ncsc-2021``) or a path.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.parsing import bounded, check_shape, load_yaml, quote, read_text

#: EU/EEA country codes: regions for which the vendor's config gate switches filtering off
EU_EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)

#: the services of the world and the country each is geolocated in by default
DEFAULT_GEO = {
    "adconfig": "SG",
    "ads": "SG",
    "search": "NL",
    "telemetry_sg": "SG",
    "telemetry_eu": "DE",
    "cdn": "LT",
    "chat": "IE",
    "consent": "IE",
}

BUNDLED = ("compliant", "ncsc-2021", "list-not-enforced")

#: a world file is at most this large, its strings at most 1024 characters, its lists 5000 items
MAX_WORLD_BYTES = 256 * 1024
_WORLD_BOUNDS = bounded(max_chars=1024, max_items=5000, max_keys=100)


class WorldFileError(UsageError):
    """A world file is missing, unreadable or has a bad field (the message names the field)."""


@dataclass(frozen=True)
class RegionGate:
    #: EU/EEA regions receive the config switched off and without terms
    eu_disabled: bool = True
    #: the server-side switch that enables the config for gated regions anyway
    remote_switch: bool = False


@dataclass(frozen=True)
class AdConfig:
    #: the ad-config service serves the blacklist at all (False: it answers with no config)
    serve: bool = True
    version: int = 2021092301
    #: milliseconds since the epoch, as in the vendor's config
    update_time: int = 1632355200000
    #: "default" (the bundled 449-term list) or an explicit list of terms
    terms: tuple[str, ...] | str = "default"
    #: extra terms on top of ``terms``
    add_terms: tuple[str, ...] = ()
    #: a list update: when an app downloads the config a second time (after the first download of
    #: that app), the service publishes this version (0: never) with ``added_terms`` added and
    #: ``removed_terms`` removed, so two downloads differ as NCSC Lithuania saw the list change
    next_version: int = 0
    added_terms: tuple[str, ...] = ()
    removed_terms: tuple[str, ...] = ()
    region_gate: RegionGate = field(default_factory=RegionGate)


@dataclass(frozen=True)
class Filtering:
    """Whether the apps' filtering classes act on the served list."""

    browser_ads: bool = False
    browser_suggestions: bool = False
    video_ads: bool = False
    #: the vendor's system component suppresses messenger notifications containing listed terms
    messenger: bool = False


@dataclass(frozen=True)
class Telemetry:
    #: "sg" (collector in Singapore) or "eu" (collector in the EU)
    destination: str = "eu"
    #: device identifiers (Android ID, serial, model) in every event
    identifiers: bool = False
    #: the app asks the consent service and sends nothing without consent
    consent_respected: bool = True
    #: what the user chose (the consent service's answer)
    user_consent: bool = False
    #: event bodies AES-encrypted before sending
    encrypted: bool = False
    #: OkHttp CertificatePinner pinned to the collector's certificate
    pinning: bool = False
    #: seconds between periodic usage events (0: only on app actions)
    interval_s: float = 0.0


@dataclass(frozen=True)
class Device:
    #: the device region the apps read (``ro.miui.region``)
    region: str = "LT"


@dataclass(frozen=True)
class Network:
    #: TCP port of every world server (443 needs root; otherwise pick a high port)
    https_port: int = 443
    #: "auto" (a free random 127.x.y.0/24 block) or an explicit /24 inside 127.0.0.0/8
    block: str = "auto"


@dataclass(frozen=True)
class WorldConfig:
    name: str
    description: str = ""
    device: Device = field(default_factory=Device)
    network: Network = field(default_factory=Network)
    ad_config: AdConfig = field(default_factory=AdConfig)
    filtering: Filtering = field(default_factory=Filtering)
    telemetry: Telemetry = field(default_factory=Telemetry)
    #: service -> country code, merged over :data:`DEFAULT_GEO`
    geo: dict[str, str] = field(default_factory=dict)
    #: chat users that answer every message with the same text
    chat_echo_users: tuple[str, ...] = ("echo-bot",)

    @property
    def region_is_eu(self) -> bool:
        return self.device.region.upper() in EU_EEA

    def service_geo(self) -> dict[str, str]:
        return {**DEFAULT_GEO, **self.geo}


# ---------------------------------------------------------------------------------------------
# parsing


def _err(path: str, problem: str, fix: str, source: str) -> WorldFileError:
    return WorldFileError(f"{source}: field '{path}': {problem}", fix=fix, attempted="loading world file")


def _expect(value: Any, kind: type | tuple[type, ...], path: str, source: str) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) and kind is not bool and not (isinstance(kind, tuple) and bool in kind):
        raise _err(path, f"expected {_kind_name(kind)}, got {quote(value)}", f"write {_kind_name(kind)}", source)
    if not isinstance(value, kind):
        raise _err(path, f"expected {_kind_name(kind)}, got {quote(value)}", f"write {_kind_name(kind)}", source)
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {bool: "true/false", int: "an integer", float: "a number", str: "a string", dict: "a mapping",
             list: "a list"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _section(cls: type, raw: Any, path: str, source: str) -> Any:
    """Build dataclass ``cls`` from mapping ``raw``; scalar fields are type-checked by their default."""
    raw = {} if raw is None else _expect(raw, dict, path, source)
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise _err(f"{path}.{unknown[0]}" if path else unknown[0], "unknown field",
                   f"use one of: {', '.join(sorted(known))}", source)
    kwargs: dict[str, Any] = {}
    for name, value in raw.items():
        sub = f"{path}.{name}" if path else name
        kwargs[name] = _field_value(cls, name, value, sub, source)
    return cls(**kwargs)


_NESTED = {("AdConfig", "region_gate"): RegionGate}


def _field_value(cls: type, name: str, value: Any, path: str, source: str) -> Any:
    nested = _NESTED.get((cls.__name__, name))
    if nested is not None:
        return _section(nested, value, path, source)
    default = _default_of(cls, name)
    if name == "terms":
        if value == "default":
            return value
        items = _expect(value, list, path, source)
        return tuple(_term(t, f"{path}[{i}]", source) for i, t in enumerate(items))
    if name in ("add_terms", "added_terms", "removed_terms"):
        items = _expect(value, list, path, source)
        return tuple(_term(t, f"{path}[{i}]", source) for i, t in enumerate(items))
    if isinstance(default, bool):
        return _expect(value, bool, path, source)
    if isinstance(default, float):
        return _expect(value, float, path, source)
    if isinstance(default, int):
        return _expect(value, int, path, source)
    if isinstance(default, str):
        return _expect(value, str, path, source)
    raise _err(path, "unsupported field", "remove it", source)  # pragma: no cover


def _default_of(cls: type, name: str) -> Any:
    for f in fields(cls):
        if f.name == name:
            return f.default
    raise KeyError(name)  # pragma: no cover


def _term(value: Any, path: str, source: str) -> str:
    text = _expect(value, str, path, source).strip()
    if not text:
        raise _err(path, "empty term", "remove the empty entry", source)
    return text


def parse_world(data: Any, source: str = "<world>") -> WorldConfig:
    """Validate a parsed YAML document and build a :class:`WorldConfig`.

    Raises :class:`WorldFileError` naming the field; keys must be text, strings at most 1024
    characters, lists at most 5000 items (checked first, with :func:`harness.parsing.bounded`).
    """
    if data is None:  # an empty file (or only comments)
        raise WorldFileError(f"{source}: the world file is empty", attempted="loading world file",
                             fix="write a mapping with at least `name: my-world` (docs/virtual-handset.md, "
                                 "\"World files\")")
    doc = _expect(data, dict, "(top level)", source)
    check_shape(doc, _WORLD_BOUNDS, source, WorldFileError, fix="see docs/virtual-handset.md for the world file's fields")
    sections = {"device": Device, "network": Network, "ad_config": AdConfig, "filtering": Filtering,
                "telemetry": Telemetry}
    known = {f.name for f in fields(WorldConfig)}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise _err(unknown[0], "unknown field", f"use one of: {', '.join(sorted(known))}", source)
    if "name" not in doc:
        raise _err("name", "missing", "give the world a name, e.g. name: my-world", source)
    kwargs: dict[str, Any] = {
        "name": _expect(doc["name"], str, "name", source),
        "description": _expect(doc.get("description", ""), str, "description", source),
    }
    for key, cls in sections.items():
        kwargs[key] = _section(cls, doc.get(key), key, source)
    geo = _expect(doc.get("geo") or {}, dict, "geo", source)
    for service, country in geo.items():
        if service not in DEFAULT_GEO:
            raise _err(f"geo.{service}", "unknown service", f"use one of: {', '.join(DEFAULT_GEO)}", source)
        if not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
            raise _err(f"geo.{service}", f"expected a two-letter country code, got {quote(country)}",
                       "write e.g. SG or DE", source)
    kwargs["geo"] = {k: v.upper() for k, v in geo.items()}
    echo = _expect(doc.get("chat_echo_users", ["echo-bot"]), list, "chat_echo_users", source)
    kwargs["chat_echo_users"] = tuple(_term(u, f"chat_echo_users[{i}]", source) for i, u in enumerate(echo))
    config = WorldConfig(**kwargs)
    _check_values(config, source)
    return config


def _check_values(c: WorldConfig, source: str) -> None:
    if c.telemetry.destination not in ("sg", "eu"):
        raise _err("telemetry.destination", f"expected 'sg' or 'eu', got {quote(c.telemetry.destination)}",
                   "write destination: sg (Singapore collector) or destination: eu", source)
    if c.telemetry.interval_s < 0:
        raise _err("telemetry.interval_s", "must not be negative", "write 0 to disable periodic events", source)
    region = c.device.region
    if not (len(region) == 2 and region.isalpha()):
        raise _err("device.region", f"expected a two-letter region code, got {quote(region)}", "write e.g. LT or SG",
                   source)
    if not 1 <= c.network.https_port <= 65535:
        raise _err("network.https_port", f"port out of range: {c.network.https_port}", "use 443 or 1024-65535",
                   source)
    if c.network.block != "auto":
        try:
            net = ipaddress.ip_network(c.network.block)
        except ValueError as exc:
            raise _err("network.block", str(exc), "write auto or e.g. 127.77.1.0/24", source) from None
        loopback = ipaddress.IPv4Network("127.0.0.0/8")
        if not isinstance(net, ipaddress.IPv4Network) or net.prefixlen != 24 or not net.subnet_of(loopback):
            raise _err("network.block", f"{net} is not a /24 inside 127.0.0.0/8",
                       "world servers listen on loopback only; write e.g. 127.77.1.0/24", source)
    if c.ad_config.version < 0:
        raise _err("ad_config.version", "must not be negative", "use e.g. 2021092301", source)
    if c.ad_config.next_version and c.ad_config.next_version <= c.ad_config.version:
        raise _err("ad_config.next_version", f"{c.ad_config.next_version} is not above version {c.ad_config.version}",
                   "write a later version (e.g. version + 1) or 0 for no update", source)


def load_world(name_or_path: str | Path) -> WorldConfig:
    """Load a bundled world by name (``compliant``, ``ncsc-2021``) or a world file by path."""
    text: str
    source = str(name_or_path)
    if isinstance(name_or_path, str) and name_or_path in BUNDLED:
        text = resources.files("harness.sim.world").joinpath(f"{name_or_path}.yaml").read_text("utf-8")
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise WorldFileError(
                f"no world file or bundled world named {source!r}",
                fix=f"use one of {', '.join(BUNDLED)} or a path to a YAML world file",
                attempted="loading world file",
            )
        text = read_text(path, "world file", MAX_WORLD_BYTES, WorldFileError)
    return parse_world(load_yaml(text, f"world file {source}", WorldFileError), source)
