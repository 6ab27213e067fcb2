"""What the claims of the packs observe, shared by ``ncsc_2021`` and ``vendor_claims``: an app's
first start and its config answer, the keyword lists a step downloaded (with the country of the
host), what an app rendered for a subject.

Every helper reads the lab's run (flows, agent events, the analysis of ``harness.analysis``) and
raises :class:`harness.scenario.Inconclusive` when the app did not do the thing observed (no
answer from the ad-config service, nothing rendered), so a claim never holds on a missing
observation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.scenario.claims import log_tags, once
from harness.scenario.results import Inconclusive

if TYPE_CHECKING:
    from harness.scenario import Lab

#: the app roles NCSC Lithuania saw downloading the list at first start (those of a profile that exist)
LIST_ROLES = ("security", "browser", "video")


def tags(lab: Lab, role: str) -> tuple[str, ...]:
    """The role's log tags in the lab's profile (:func:`harness.scenario.claims.log_tags`)."""
    return log_tags(lab, role)


@dataclass
class ListSeen:
    """A keyword list one config answer carried (a ``config_list`` finding of the analysis)."""

    name: str
    version: str
    terms: int
    digest: str
    host: str
    country: str
    flow_id: str
    sensitive: list[str] = field(default_factory=list)
    #: the answer's terms (to diff two downloads)
    term_list: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.name} v{self.version or '?'} ({self.terms} terms) from {self.host} ({self.country or '??'})"


@dataclass
class ConfigAnswer:
    """One app's config download in one step: the answered flows and the lists they carried."""

    role: str
    step_id: str
    flow_ids: list[str]
    lists: list[ListSeen]


def lists_in(lab: Lab, step_id: str) -> list[ListSeen]:
    """The keyword lists the analysis found in ``step_id``'s flows (with each host's country)."""
    analysis = lab.analyse()
    country: dict[str, str] = {}
    if not analysis.flows.empty:
        for row in analysis.flows[["id", "country"]].to_dict("records"):
            country[str(row["id"])] = str(row["country"]) if isinstance(row["country"], str) else ""
    terms_of: dict[str, list[str]] = {}
    if not analysis.lists.empty:
        for row in analysis.lists.to_dict("records"):
            terms_of[str(row.get("flow_id"))] = [str(t) for t in (row.get("terms") if row.get("terms") is not None
                                                                  else [])]
    out = []
    for f in analysis.finding_list:
        if f.kind != "config_list" or f.step_id != step_id:
            continue
        d = f.details
        flow = f.flow_ids[0] if f.flow_ids else ""
        out.append(ListSeen(str(d.get("name")), str(d.get("version") or ""), int(d.get("terms") or 0),
                            str(d.get("digest") or ""), str(d.get("host") or ""), country.get(flow, ""), flow,
                            list(d.get("sensitive_terms") or []), terms_of.get(flow, [])))
    return out


def config_download(lab: Lab, role: str, step_name: str, *, fresh: bool = True) -> ConfigAnswer:
    """Start ``role``'s app (its first start when ``fresh``: data cleared first) in a step of its
    own and wait for its config request to be answered; the answered flows and the lists in them.
    Raises :class:`Inconclusive` when the app's config request got no 200 answer."""
    if fresh:
        lab.clear_data(role)
    with lab.step(step_name, action="launch", role=role, first_start=fresh) as step:
        lab.launch(role)
        step.expect_flow("ad_config", answered=True)
        if "AdBlacklist" in tags(lab, role):  # the vendor SDK says how its config request ended
            step.expect_log("AdBlacklist", lambda m: '"event":"config"' in m or "download failed" in m,
                            what="the config request's outcome")
    lab.stop(role)
    answered = [f for f in step.flows("ad_config") if f.status_code == 200]
    failed = [ln.message for ln in step.log("AdBlacklist") if "download failed" in ln.message]
    if failed or not answered:
        raise Inconclusive(f"the {role} app got no config answer: {(failed or ['no 200 answer'])[-1][:200]}",
                           serial=lab.serial, attempted=f"step {step.id}",
                           fix="see the run store's flows of the step and artifacts/logcat.txt")
    return ConfigAnswer(role, step.id, [f.id for f in answered], lists_in(lab, step.id))


def first_start(lab: Lab, role: str) -> ConfigAnswer:
    """``role``'s first start (data cleared) and its config answer, in step ``ROLE-first-start``;
    observed once per lab (:func:`once`)."""
    return once(lab, ("first-start", role), lambda: config_download(lab, role, f"{role}-first-start"))


def rendered_ids(lab: Lab, steps: list[str]) -> list[str]:
    """Ids of the ``ui:rendered`` events of ``steps`` (what the app showed), in order."""
    return [e.id for e in lab.events("ui:rendered") if e.step_id in set(steps)]


def rendered(lab: Lab, step_id: str) -> dict[str, list[Any]]:
    """What the app rendered in ``step_id``, per surface (from its step result)."""
    for s in lab.steps:
        if s.id == step_id:
            return dict(s.rendered)
    return {}
