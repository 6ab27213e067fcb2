"""What the claims of both packs should conclude on a virtual world, from what the world did.

:func:`expected_verdicts` reads the world's ground-truth log (``harness.sim.world.truth``: what it
served, received and enforced) and its switches, never the harness's own capture, so comparing it
with the claim functions' verdicts tests the harness (``tests/test_scenario_pack.py``, the demo's
ground-truth checks). Only for virtual worlds: a phone has no ground truth.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.packs.ncsc_2021.claims import CLAIMS as NCSC_CLAIMS
from harness.packs.vendor_claims.claims import CLAIMS as VENDOR_CLAIMS
from harness.scenario.results import ClaimResult

#: every claim function of the installed packs, in the order the demo runs them (names are unique)
ALL_CLAIMS: tuple[Callable[[Any], ClaimResult], ...] = NCSC_CLAIMS + VENDOR_CLAIMS


def expected_verdicts(world: Any, packages: dict[str, str]) -> dict[str, bool]:
    """Claim function name -> holds, by what ``world`` (a started ``harness.sim.world.World``) did.

    ``packages`` maps the roles ``security``, ``browser``, ``video`` to the world's packages (the
    profile's). Lists count when served with terms; filtering when the world's ``filtering.*``
    switch for that surface is on while the browser had an enabled list."""
    from harness.sim.world.config import EU_EEA  # virtual worlds only

    truth = world.truth
    cfg = world.config

    def lists(app: str) -> list[dict[str, Any]]:
        return [e for e in truth.entries("config_served", app=app) if e.get("served") and e.get("terms_count")]

    security = [e for e in truth.entries("config_served", app=packages["security"]) if e.get("served") is not None]
    browser_list = [e for e in lists(packages["browser"]) if e.get("enable")]
    received = truth.entries("telemetry_received")
    with_ids = [e for e in received if e.get("identifiers")]
    filters = cfg.filtering
    digests = [e.get("terms_digest") for e in security[:2]]
    chat_cut = [e for e in truth.entries("chat_accepted") if e.get("terms") and e.get("enforced")]
    searches = not (browser_list and (filters.browser_suggestions or filters.browser_ads))
    return {
        "no_keyword_blacklist": not lists(packages["security"]),
        "no_app_downloads_a_list_at_first_start": not any(lists(packages[r]) for r in ("security", "browser", "video")),
        "keyword_list_unchanged_between_downloads": len(set(digests)) <= 1,
        "searches_never_restricted": searches,
        "eu_region_gets_no_list": not [e for e in lists(packages["security"]) if e.get("region") in EU_EEA],
        "personal_data_only_with_consent": not with_ids,
        "telemetry_not_pinned": not (cfg.telemetry.pinning and received),
        "searches_not_restricted": searches,
        "web_browsing_not_restricted": bool(truth.entries("page_served")),  # the world never withholds a page
        "communication_not_restricted": not (filters.messenger and chat_cut),
        "ad_management_limited_to_ads": not (browser_list and filters.browser_suggestions),
        "personal_data_only_after_consent": not (with_ids and not cfg.telemetry.user_consent),
        "transfers_only_to_adequate_jurisdictions": not [e for e in with_ids if e.get("service") == "telemetry_sg"],
    }
