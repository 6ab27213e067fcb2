"""The keyword-list findings of NCSC Lithuania (2021), as checks on a lab.

- :func:`no_app_downloads_a_list_at_first_start` — which system apps download a keyword list at
  their first start, from which host and country, its size and version;
- :func:`keyword_list_unchanged_between_downloads` — the diff (version, added and removed terms)
  between two downloads by the same app;
- :func:`eu_region_gets_no_list` — the region gate: the list switched off for an EU/EEA region
  and on elsewhere (``lab.set_region``), and the server-side remote switch that turns it on for
  the EU anyway.

Source: NCSC Lithuania, "Assessment of cybersecurity of mobile devices supporting 5G technology
sold in Lithuania" (National Cyber Security Centre under the Ministry of National Defence,
2021; https://www.nksc.lt/doc/en/analysis/2021-08-23_5G-CN-analysis_env3.pdf), section on Xiaomi Mi 10T 5G (``MiAdBlacklistConfig``, 449 terms,
the EU region gate and its remote switch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.packs.ncsc_2021.observe import LIST_ROLES, ConfigAnswer, config_download, first_start
from harness.scenario.claims import roles_of
from harness.scenario.results import ClaimResult, Inconclusive

if TYPE_CHECKING:
    from harness.scenario import Lab

#: the regions the gate check compares: an EU/EEA member state and a country outside the EEA
EU_REGION = "LT"
OTHER_REGION = "SG"
RULE = "lists.keyword_list"
#: EU member states and the EEA's Iceland, Liechtenstein and Norway (ISO 3166 alpha-2): the regions
#: a region gate treats as the EU (as harness.sim.world.config.EU_EEA, which packs do not import)
EU_EEA = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split())


def _evidence(answers: list[ConfigAnswer], with_lists: bool) -> list[str]:
    if with_lists:
        return list(dict.fromkeys(seen.flow_id for a in answers for seen in a.lists if seen.flow_id))
    return list(dict.fromkeys(i for a in answers for i in a.flow_ids))


def no_app_downloads_a_list_at_first_start(lab: Lab, roles: tuple[str, ...] = LIST_ROLES) -> ClaimResult:
    """"No app downloads a keyword list at its first start": each of ``roles`` the profile has is
    started with its data cleared; violated by a keyword list (``config_list`` finding) in its
    config answer. The details name, per app, the list, its version and size, the host and the
    host's country. Inconclusive when an app's config request got no answer."""
    claim = "no app downloads a keyword list at its first start"
    present = roles_of(lab, roles)
    if not present:
        raise Inconclusive(f"the profile {lab.profile.name} has none of the roles {', '.join(roles)}",
                           serial=lab.serial, attempted="first starts", fix="map the vendor's apps in the profile")
    answers = [first_start(lab, role) for role in present]
    downloading = [a for a in answers if a.lists]
    numbers = {"apps": len(answers), "apps_with_list": len(downloading),
               "terms": max((seen.terms for a in downloading for seen in a.lists), default=0)}
    if not downloading:
        return ClaimResult(claim, True, f"{', '.join(present)} asked for their config at first start; no keyword "
                                        "list in the answers", _evidence(answers, False), RULE, numbers)
    details = "; ".join(f"{a.role}: {', '.join(seen.describe() for seen in a.lists)}" for a in downloading)
    return ClaimResult(claim, False, f"downloaded at first start: {details}", _evidence(downloading, True), RULE,
                       numbers)


def keyword_list_unchanged_between_downloads(lab: Lab, role: str = "security") -> ClaimResult:
    """"The keyword list is not changed remotely between two downloads": two first starts of
    ``role``'s app (data cleared before each). Violated when the two answers carry lists that
    differ (version, terms added or removed); holds when both carry the same list or both none.
    Inconclusive when a download got no answer."""
    claim = "the keyword list is not changed remotely between two downloads"
    first = first_start(lab, role)
    second = config_download(lab, role, f"{role}-download-2")
    a = {seen.name: seen for seen in first.lists}
    b = {seen.name: seen for seen in second.lists}
    changes = []
    numbers: dict[str, object] = {"first_terms": sum(s.terms for s in a.values()),
                                  "second_terms": sum(s.terms for s in b.values())}
    for name in sorted(a.keys() | b.keys()):
        old, new = a.get(name), b.get(name)
        if old and new and old.digest == new.digest:
            continue
        added = sorted(set(new.term_list if new else []) - set(old.term_list if old else []))
        removed = sorted(set(old.term_list if old else []) - set(new.term_list if new else []))
        numbers.update(added=len(added), removed=len(removed))
        changes.append(f"{name}: v{old.version if old else '-'} ({old.terms if old else 0} terms) -> "
                       f"v{new.version if new else '-'} ({new.terms if new else 0} terms), "
                       f"+{len(added)} {added[:3]}, -{len(removed)} {removed[:3]}")
    if not changes:
        same = ", ".join(seen.describe() for seen in b.values()) or "no keyword list in either answer"
        return ClaimResult(claim, True, f"two downloads by the {role} app carried the same: {same}",
                           _evidence([first, second], bool(a or b)) or _evidence([first, second], False), RULE,
                           numbers)
    return ClaimResult(claim, False, f"the {role} app's two downloads differ: {'; '.join(changes)}",
                       _evidence([first, second], True), RULE, numbers)


def _region(lab: Lab) -> str:
    """The device's region: the Settings choice (``persist.sys.country``), else the build's
    (``ro.miui.region``); "" when neither is set."""
    for key in ("persist.sys.country", "ro.miui.region"):
        value = (lab.device.getprop(key) or "").strip().upper()
        if value:
            return value
    return ""


def eu_region_gets_no_list(lab: Lab, role: str = "security", eu: str = EU_REGION,
                           other: str = OTHER_REGION) -> ClaimResult:
    """"The keyword list is switched off for an EU region": ``role``'s first start in the device's
    own region and once more in a region on the other side of the EEA border (``other``, outside
    the EEA, when the device is in an EU/EEA region, else ``eu``; set with ``lab.set_region``,
    restored when the lab closes). Violated when the answer for the EU region carries the list: the
    gate is off or the server-side remote switch turned the list on for the EU. The details give
    both answers (the gate: on elsewhere, off in the EU). Inconclusive when a download got no answer."""
    claim = "the keyword list is switched off for an EU region"
    here = _region(lab)
    home = first_start(lab, role)
    if here in EU_EEA:
        eu, inside = here, home
        lab.set_region(other)
        outside = config_download(lab, role, f"{role}-region-{other.lower()}")
    else:
        other, outside = here or "?", home
        lab.set_region(eu)
        inside = config_download(lab, role, f"{role}-region-{eu.lower()}")

    def said(a: ConfigAnswer) -> str:
        return ", ".join(seen.describe() for seen in a.lists) or "no list"

    numbers = {"eu_terms": sum(s.terms for s in inside.lists), "other_terms": sum(s.terms for s in outside.lists)}
    gate = f"region {other}: {said(outside)}; region {eu}: {said(inside)}"
    if not inside.lists:
        return ClaimResult(claim, True, f"{gate} (the list is withheld from the EU region)",
                           _evidence([inside, outside], False), RULE, numbers)
    switch = ("on for the EU region as elsewhere: the region gate is off, or the server's remote switch "
              "turned the list on for the EU" if outside.lists else "on for the EU region only")
    # both downloads compared: the EU one (its list) and the other region's (its list, or its answer without one)
    evidence = list(dict.fromkeys(_evidence([inside], True) + _evidence([outside], bool(outside.lists))))
    return ClaimResult(claim, False, f"{gate}: {switch}", evidence, RULE,
                       {**numbers, "remote_switch": bool(outside.lists)})
