"""Jurisdiction policy: which countries are home, which have an adequacy decision, per-host overrides.

Classes: ``domestic`` (home jurisdiction, default EU/EEA), ``adequate`` (adequacy decision;
the United States only for hosts marked DPF-certified), ``third_country`` and ``unknown``.
One vocabulary: findings.json, the frames and ``flows`` columns hold these class values, and
displays show the same word with the home it means (:func:`jurisdiction_label`: ``domestic (EEA)``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.analysis.hosts import normalise_host
from harness.analysis.shapes import MAX_POLICY_BYTES, POLICY
from harness.errors import AnalysisError
from harness.parsing import check_shape, load_yaml, quote, read_text

DOMESTIC = "domestic"
ADEQUATE = "adequate"
THIRD_COUNTRY = "third_country"
UNKNOWN = "unknown"
CLASSES = (DOMESTIC, ADEQUATE, THIRD_COUNTRY, UNKNOWN)

EU = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
EEA = EU | {"IS", "LI", "NO"}
#: countries named by a group alias in ``home``
GROUPS = {"EU": EU, "EEA": EEA, "EU/EEA": EEA}

#: adequacy decisions (European Commission). "US" only with the DPF flag; Canada: commercial orgs.
DEFAULT_ADEQUATE = frozenset("AD AR CA FO GG IL IM JP JE NZ KR CH GB UY US".split())


@dataclass
class Policy:
    home: frozenset[str] = EEA
    home_name: str = "EU/EEA"
    adequate: frozenset[str] = DEFAULT_ADEQUATE
    #: host globs whose operators are certified under the EU-US Data Privacy Framework
    dpf_certified: list[str] = field(default_factory=list)
    #: host glob -> class, checked first
    hosts: dict[str, str] = field(default_factory=dict)

    def classify(self, country: str | None, host: str | None = None) -> str:
        h = normalise_host(host) or ""
        if h:
            for pattern, cls in self.hosts.items():
                if fnmatch.fnmatchcase(h, _glob(pattern)):
                    return cls
        if not country:
            return UNKNOWN
        cc = country.upper()
        if cc in self.home:
            return DOMESTIC
        if cc == "US":
            if "US" in self.adequate and h and any(fnmatch.fnmatchcase(h, _glob(p)) for p in self.dpf_certified):
                return ADEQUATE
            return THIRD_COUNTRY
        if cc in self.adequate:
            return ADEQUATE
        return THIRD_COUNTRY

    @property
    def home_label(self) -> str:
        """The home's display word (:func:`home_label`)."""
        return home_label(self.home)

    def to_dict(self) -> dict[str, Any]:
        return {"home": self.home_name, "home_countries": sorted(self.home), "adequate": sorted(self.adequate),
                "dpf_certified": self.dpf_certified, "hosts": self.hosts}


def home_label(home: Iterable[str]) -> str:
    """The display word of a home jurisdiction: ``EEA`` or ``EU`` for those groups, else ``home
    (LT, LV)`` (at most four codes shown)."""
    countries = frozenset(home)
    if countries == EEA:
        return "EEA"
    if countries == EU:
        return "EU"
    codes = sorted(countries)
    return "home (" + ", ".join(codes[:4]) + (", ..." if len(codes) > 4 else "") + ")"


def jurisdiction_label(cls: str | None, home: str | None) -> str:
    """Display text of a jurisdiction class: the class value findings.json and the frames hold,
    ``domestic`` followed by the home it means (``domestic (EEA)`` for the default policy: an
    Irish server is not "domestic" to a Lithuanian handset, and a reader must still match it with
    the ``domestic`` of the data; ``domestic (LT, LV)`` for ``home (LT, LV)``); the other classes
    as they are. ``home`` None (not known): ``domestic``."""
    if cls == DOMESTIC:
        if not home:
            return DOMESTIC
        where = home[len("home ("):-1] if home.startswith("home (") and home.endswith(")") else home
        return f"{DOMESTIC} ({where})"
    return cls or UNKNOWN


def _glob(pattern: str) -> str:
    """A host glob in the canonical host form (lower case, no trailing dot; harness.analysis.hosts)."""
    return pattern.strip().rstrip(".").lower()


def _countries(value: Any, what: str, origin: str) -> frozenset[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise AnalysisError(f"'{what}' in {origin} must be a country code or a list of them",
                            fix="e.g. home: EU  or  adequate: [CH, GB, JP]")
    out: set[str] = set()
    for item in items:
        code = str(item).strip().upper()
        if code in GROUPS:
            out |= GROUPS[code]
        elif len(code) == 2 and code.isalpha():
            out.add(code)
        else:
            raise AnalysisError(f"{quote(item)} in '{what}' of {origin} is not an ISO 3166 alpha-2 code or EU/EEA",
                                fix="use two-letter codes such as LT, SG, or the groups EU, EEA")
    return frozenset(out)


def load_policy(path: str | Path | None) -> Policy:
    """Read a policy YAML file (see docs/analysis.md); ``None`` gives the default policy. Raises
    AnalysisError naming the file for one that cannot be read, is empty (or comments only: `{}`
    is the explicit default) or breaks the shape."""
    if path is None:
        return Policy()
    p = Path(path)
    data = load_yaml(read_text(p, "policy file", MAX_POLICY_BYTES, AnalysisError), f"policy file {p}",
                     AnalysisError)
    if data is None:  # an empty file (or comments only) is a mistake, not a choice of the default
        raise AnalysisError(f"policy file {p} is empty (no YAML document)",
                            fix="write its keys (home, adequate, dpf_certified, hosts: docs/analysis.md, 'Policy "
                                "file'), `{}` for the default policy, or leave out --policy")
    if not isinstance(data, dict):
        raise AnalysisError(f"policy file {p} must be a mapping", fix="see docs/analysis.md, 'Policy file'")
    check_shape(data, POLICY, f"policy file {p}", AnalysisError,
                fix="see docs/analysis.md, 'Policy file' (keys: home, adequate, dpf_certified, hosts)")
    policy = Policy()
    if "home" in data:
        policy.home = _countries(data["home"], "home", str(p))
        policy.home_name = data["home"] if isinstance(data["home"], str) else ",".join(sorted(policy.home))
    if "adequate" in data:
        policy.adequate = _countries(data["adequate"] or [], "adequate", str(p))
    dpf = data.get("dpf_certified") or []
    if not isinstance(dpf, list):
        raise AnalysisError(f"'dpf_certified' in {p} must be a list of host globs", fix="e.g. [\"*.example.com\"]")
    policy.dpf_certified = [str(h) for h in dpf]
    hosts = data.get("hosts") or {}
    if not isinstance(hosts, dict) or any(v not in CLASSES for v in hosts.values()):
        raise AnalysisError(f"'hosts' in {p} must map host globs to one of {list(CLASSES)}",
                            fix="e.g. hosts: {\"*.xiaomi.test\": third_country}")
    policy.hosts = {str(k): str(v) for k, v in hosts.items()}
    return policy
