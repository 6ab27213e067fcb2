"""App profiles: what the *roles* a scenario names are on one phone.

A scenario says "search in the ``browser``" or "did anything reach a ``telemetry`` host", never a
package or a host name. A profile (YAML; shipped in ``harness/scenario/profiles/`` or given by path)
maps each app role to a package, a launch activity, how to search in it and the log tags worth
watching, and each host role to host-name patterns. Every entry carries its public source and
whether it was verified on a device, so a report can say where a package name came from.

Shipped profiles (:func:`shipped_profiles`): ``virtual-vendor`` (the virtual handset's world,
verified by tests/scenario/test_profiles.py) and ``xiaomi-miui12-global`` (the apps the 2021 NCSC
Lithuania report names; nothing verified on a device here). The file format is the JSON Schema
``profiles/profile.schema.json``; docs/scenarios.md ("App profiles") shows an example.

Errors: :class:`ProfileError` (a :class:`~harness.errors.UsageError`, so the CLI prints one line and
exits 2), naming the file or profile and the key (``apps.browser.search.kind``).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

import jsonschema
import yaml

from harness.errors import UsageError
from harness.parsing import check_keys, scan_yaml

#: app roles the scenario layer and the claims pack use (a profile may define more)
APP_ROLES = ("browser", "security", "cleaner", "package_installer", "themes", "video", "messenger")
#: host roles the scenario layer and the claims pack use (a profile may define more)
HOST_ROLES = ("ad_config", "telemetry", "search", "ads")

#: largest profile file read, bytes (a profile is a few kB; this stops a wrong path early)
MAX_PROFILE_BYTES = 256 * 1024
#: most values a profile may hold with YAML aliases expanded (bounds the schema check's work)
MAX_NODES = 20_000
#: longest piece of a bad value quoted in an error (BRIEF: at most ~80 characters)
_QUOTE = 60
_PACKAGE_DIR = "profiles"
_SCHEMA_FILE = "profile.schema.json"

SearchKind = Literal["intent", "deeplink", "input"]


class ProfileError(UsageError):
    """A profile is missing, malformed, or lacks a role a scenario asked for.

    The message names the profile (or file) and the key, e.g.
    ``profile 'xiaomi-miui12-global' has no app role 'messenger'``."""

    def __init__(self, reason: str, *, fix: str | None = None) -> None:
        super().__init__(reason, fix=fix, attempted="app profile")


@dataclass(frozen=True)
class Source:
    """Where an entry comes from: a public document (``url``, ``title``) and whether the entry was
    checked on a device (``verified_on_device``)."""

    url: str
    title: str
    verified_on_device: bool


@dataclass(frozen=True)
class Search:
    """How to search in an app.

    - ``intent``: ``am start -a ACTION --es EXTRA TERM`` (to ``component`` or the role's package);
      Android's standard is ``android.intent.action.WEB_SEARCH`` with extra ``query``
      (``SearchManager.QUERY``).
    - ``deeplink``: ``am start -a android.intent.action.VIEW -d URL``, where ``url`` holds ``{term}``;
      the caller substitutes the URL-encoded term.
    - ``input``: launch the app, ``input text`` the term, then ENTER.
    """

    kind: SearchKind
    action: str | None = None
    extra: str | None = None
    url: str | None = None
    component: str | None = None

    def deeplink(self, encoded_term: str) -> str:
        """The deep link for an already URL-encoded term (``kind == "deeplink"`` only)."""
        if self.kind != "deeplink" or self.url is None:
            raise ProfileError(f"search kind {self.kind!r} has no deep-link URL",
                               fix="use kind: deeplink with url: containing {term}")
        return self.url.replace("{term}", encoded_term)


@dataclass(frozen=True)
class AppRole:
    """One app role: ``package``; ``activity`` as ``am start -n PACKAGE/ACTIVITY`` takes it
    (``.Main`` relative to the package or a full class name; None when no public source names it:
    a lab fills it from ``adb shell cmd package resolve-activity --brief PACKAGE``); how to search
    (None: the app has no search); logcat tags worth watching."""

    role: str
    package: str
    activity: str | None
    search: Search | None
    log_tags: tuple[str, ...]
    sources: tuple[Source, ...]
    note: str = ""

    @property
    def component(self) -> str | None:
        """``PACKAGE/ACTIVITY`` for ``am start -n``, or None when the activity is unknown."""
        return f"{self.package}/{self.activity}" if self.activity else None

    @property
    def verified_on_device(self) -> bool:
        """True when at least one source says the entry was checked on a device."""
        return any(s.verified_on_device for s in self.sources)


@dataclass(frozen=True)
class HostRole:
    """One host role: ``fnmatch``-style host globs (lower case, no trailing dot; ``*`` also spans
    dots, so ``*.ad.xiaomi.com`` matches ``a.b.ad.xiaomi.com`` but not ``ad.xiaomi.com``)."""

    role: str
    patterns: tuple[str, ...]
    sources: tuple[Source, ...]
    note: str = ""

    def matches(self, host: str) -> bool:
        name = normalise_host(host)
        return any(fnmatch.fnmatchcase(name, p) for p in self.patterns)

    @property
    def verified_on_device(self) -> bool:
        return any(s.verified_on_device for s in self.sources)


@dataclass(frozen=True)
class Profile:
    """A loaded profile. ``apps`` and ``hosts`` are read-only role -> entry mappings."""

    name: str
    description: str
    path: Path
    apps: Mapping[str, AppRole]
    hosts: Mapping[str, HostRole]
    notes: tuple[str, ...] = field(default=())

    def app(self, role: str) -> AppRole:
        """The app for ``role``; :class:`ProfileError` naming the profile and role if absent."""
        try:
            return self.apps[role]
        except KeyError:
            raise ProfileError(
                f"profile {self.name!r} has no app role {_quote(role)!r} (key apps.{_quote(role)} "
                f"in {self.path})",
                fix=f"use one of: {', '.join(sorted(self.apps)) or '(none)'}, or add apps.{_quote(role)} "
                    "with its package to the profile",
            ) from None

    def host_role(self, role: str) -> HostRole:
        """The host patterns for ``role``; :class:`ProfileError` naming the profile and role if absent."""
        try:
            return self.hosts[role]
        except KeyError:
            raise ProfileError(
                f"profile {self.name!r} has no host role {_quote(role)!r} (key hosts.{_quote(role)} "
                f"in {self.path})",
                fix=f"use one of: {', '.join(sorted(self.hosts)) or '(none)'}, or add hosts.{_quote(role)} "
                    "with its patterns to the profile",
            ) from None

    def roles_of_host(self, host: str) -> tuple[str, ...]:
        """Host roles whose patterns match ``host`` (case and a trailing dot ignored), sorted."""
        return tuple(sorted(r for r, h in self.hosts.items() if h.matches(host)))

    def to_json(self) -> dict[str, Any]:
        """The profile as plain JSON types, for a run's record and a report that cites where each
        package and host pattern came from: ``{"name", "description", "path", "notes", "apps":
        {role: {"package", "activity", "search", "log_tags", "note", "sources"}}, "hosts": {role:
        {"patterns", "note", "sources"}}}``."""
        def plain(entry: AppRole | HostRole) -> dict[str, Any]:
            doc = dataclasses.asdict(entry)
            doc.pop("role")
            return json.loads(json.dumps(doc))  # tuples -> lists
        return {"name": self.name, "description": self.description, "path": str(self.path),
                "notes": list(self.notes), "apps": {r: plain(a) for r, a in self.apps.items()},
                "hosts": {r: plain(h) for r, h in self.hosts.items()}}


def normalise_host(host: str) -> str:
    """``Host.Example.`` -> ``host.example`` (DNS names are case-insensitive; a trailing dot is
    the root label)."""
    return host.strip().lower().rstrip(".")


def shipped_profiles() -> list[str]:
    """Names of the profiles shipped in ``harness/scenario/profiles/``, sorted."""
    folder = resources.files("harness.scenario").joinpath(_PACKAGE_DIR)
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a shipped profile by name (``virtual-vendor``) or a profile file by path.

    Raises :class:`ProfileError` (one line: the file, the key, the problem and the fix) when the
    file is missing, larger than :data:`MAX_PROFILE_BYTES`, not YAML, or does not match
    ``profile.schema.json``."""
    path, text = _read(name_or_path)
    try:
        scan_yaml(text, str(path), ProfileError, allow_aliases=True)  # fast: deep nesting, size (issue 12)
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except _DuplicateKey as exc:
        raise ProfileError(f"{path}: key {exc.key}: given twice (line {exc.line})",
                           fix="keep one entry per key; YAML would silently keep only the last") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ProfileError(f"{path}: not valid YAML{line}: {_quote(str(getattr(exc, 'problem', exc)))}",
                           fix="fix the YAML syntax") from None
    except RecursionError:  # nesting deeper than Python's recursion limit (found by tests/fuzz)
        raise ProfileError(f"{path}: nested too deeply", fix="flatten the document") from None
    except (ValueError, TypeError, OverflowError, UnicodeError, MemoryError) as exc:  # PyYAML constructors
        raise ProfileError(f"{path}: a value YAML cannot build: {_quote(str(exc))}",
                           fix="quote the value to keep it as text") from None
    if _node_count(data) > MAX_NODES:
        raise ProfileError(f"{path}: more than {MAX_NODES} values once YAML aliases are expanded",
                           fix="write the entries out; a profile has a few hundred values")
    check_keys(data, str(path), ProfileError, "see docs/scenarios.md, 'App profiles'")  # 1: beside name:
    _validate(data, path)
    return _build(cast(dict[str, Any], data), path)


# ---------------------------------------------------------------------------------------------


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key, self.line = key, line


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise _DuplicateKey(_quote(str(key)), key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _node_count(data: Any) -> int:
    """Values in ``data`` as a tree (aliases counted once per use), stopping past :data:`MAX_NODES`:
    a few aliases can make a small file a huge tree for the schema check."""
    count, stack = 0, [data]
    while stack and count <= MAX_NODES:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _read(name_or_path: str | Path) -> tuple[Path, str]:
    shipped = shipped_profiles()
    if isinstance(name_or_path, str) and name_or_path in shipped:
        res = resources.files("harness.scenario").joinpath(_PACKAGE_DIR, f"{name_or_path}.yaml")
        return Path(str(res)), res.read_text("utf-8")
    path = Path(name_or_path)
    if not path.is_file():
        raise ProfileError(f"no profile file or shipped profile named {_quote(str(name_or_path))!r}",
                           fix=f"use one of {', '.join(shipped)} or a path to a profile YAML file")
    try:
        size = path.stat().st_size
        if size > MAX_PROFILE_BYTES:
            raise ProfileError(f"{path}: {size} bytes, larger than the {MAX_PROFILE_BYTES} a profile may have",
                               fix="check the path; a profile is a few kilobytes of YAML")
        return path, path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {_quote(str(exc))}", fix="check the file") from None


@cache
def _validator() -> jsonschema.protocols.Validator:
    text = resources.files("harness.scenario").joinpath(_PACKAGE_DIR, _SCHEMA_FILE).read_text("utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cast(jsonschema.protocols.Validator, cls(schema))


def _validate(data: Any, path: Path) -> None:
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is None:
        return
    key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    raise ProfileError(f"{path}: key {key}: {_explain(error)}", fix=_fix_for(error))


def _explain(error: jsonschema.ValidationError) -> str:
    """jsonschema's message, with the bad value quoted at most :data:`_QUOTE` characters."""
    kw, inst = error.validator, error.instance
    if kw == "required":
        missing = [k for k in cast(list[str], error.validator_value) if isinstance(inst, dict) and k not in inst]
        return f"missing {', '.join(missing)}"
    if kw == "additionalProperties" and isinstance(inst, dict):
        allowed = cast(dict[str, Any], error.schema.get("properties", {}))
        extra = sorted(k for k in inst if k not in allowed)
        return f"unknown key {_quote(repr(extra[0]))}" if extra else error.message
    if kw == "type":
        return f"expected {_types(error.validator_value)}, got {_quote(repr(inst))}"
    if kw == "enum":
        return f"{_quote(repr(inst))} is not one of {', '.join(map(str, cast(list[str], error.validator_value)))}"
    if kw == "pattern":
        return f"{_quote(repr(inst))} is not a valid {error.absolute_path[-1] if error.absolute_path else 'value'}"
    if kw in ("maxItems", "maxProperties", "maxLength"):
        return f"too large (at most {error.validator_value} allowed)"
    if kw in ("minItems", "minLength"):
        return "empty (at least one entry needed)" if error.validator_value == 1 else error.message
    return _quote(error.message)


def _fix_for(error: jsonschema.ValidationError) -> str:
    kw = error.validator
    leaf = str(error.absolute_path[-1]) if error.absolute_path else ""
    if kw == "required":
        return "add the missing key (see docs/scenarios.md, 'App profiles')"
    if kw == "additionalProperties":
        allowed = sorted(cast(dict[str, Any], error.schema.get("properties", {})))
        return f"use one of: {', '.join(allowed)}" if allowed else "remove it"
    if kw == "enum":
        return f"write one of: {', '.join(map(str, cast(list[str], error.validator_value)))}"
    hints = {
        "package": "write an Android package name, e.g. com.mi.globalbrowser",
        "activity": "write .MainActivity or a full class name, or null",
        "url": "write an http(s) URL (search url: a deep link containing {term})",
        "component": "write PACKAGE/ACTIVITY, e.g. com.example/.Main",
    }
    if kw == "pattern" and leaf in hints:
        return hints[leaf]
    if kw == "minItems" and leaf == "sources":
        return "give every entry at least one source (url, title, verified_on_device)"
    return "see profile.schema.json and docs/scenarios.md ('App profiles')"


def _types(value: Any) -> str:
    names = {"string": "a string", "object": "a mapping", "array": "a list", "boolean": "true/false",
             "null": "null", "integer": "an integer", "number": "a number"}
    items = value if isinstance(value, list) else [value]
    return " or ".join(names.get(str(v), str(v)) for v in items)


def _build(doc: dict[str, Any], path: Path) -> Profile:
    apps = {role: _app(role, raw) for role, raw in (doc.get("apps") or {}).items()}
    hosts = {role: HostRole(role=role,
                            patterns=tuple(dict.fromkeys(normalise_host(p) for p in raw["patterns"])),
                            sources=_sources(raw["sources"]), note=raw.get("note", ""))
             for role, raw in (doc.get("hosts") or {}).items()}
    return Profile(name=doc["name"], description=doc.get("description", ""), path=path,
                   apps=MappingProxyType(apps), hosts=MappingProxyType(hosts),
                   notes=tuple(doc.get("notes") or ()))


def _app(role: str, raw: dict[str, Any]) -> AppRole:
    search_raw = raw.get("search")
    search = None if search_raw is None else Search(
        kind=search_raw["kind"], action=search_raw.get("action"), extra=search_raw.get("extra"),
        url=search_raw.get("url"), component=search_raw.get("component"))
    return AppRole(role=role, package=raw["package"], activity=raw.get("activity"), search=search,
                   log_tags=tuple(raw.get("log_tags") or ()), sources=_sources(raw["sources"]),
                   note=raw.get("note", ""))


def _sources(raw: list[dict[str, Any]]) -> tuple[Source, ...]:
    return tuple(Source(url=s["url"], title=s["title"], verified_on_device=s["verified_on_device"]) for s in raw)


def _quote(text: str) -> str:
    return text if len(text) <= _QUOTE else text[: _QUOTE - 3] + "..."
