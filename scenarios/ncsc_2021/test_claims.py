"""The vendor's answers to NCSC Lithuania (2021) as tests: each passes when the claim holds on the
handset. Run against a virtual world:

    pytest scenarios/ncsc_2021 --harness-world compliant   # every claim holds: exit 0
    pytest scenarios/ncsc_2021 --harness-world ncsc-2021   # the claims are violated: exit 1
    pytest scenarios/ncsc_2021 --harness-device SERIAL --harness-profile my-phone.yaml   # a phone

A failure message is the claim's details; the evidence (flow ids and agent event ids in the run
store) is attached to the test report as the ``evidence`` property (``--junitxml``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.scenario import Lab
from scenarios.ncsc_2021.claims import (
    ClaimResult,
    no_keyword_blacklist,
    personal_data_only_with_consent,
    searches_never_restricted,
)

pytestmark = pytest.mark.timeout(180)


def check(lab: Lab, claim: Callable[[Lab], ClaimResult], record_property: Callable[[str, object], None]) -> None:
    result = claim(lab)
    record_property("claim", result.claim)
    record_property("evidence", " ".join(result.evidence))
    record_property("run_dir", str(lab.run_dir))
    assert result.holds, f"{result.claim}: violated: {result.details} (evidence {result.evidence} in run " \
                         f"{lab.run_dir})"


def test_system_apps_do_not_download_a_keyword_blacklist(lab, record_property):
    check(lab, no_keyword_blacklist, record_property)


def test_personal_data_leaves_only_with_consent_and_not_to_third_countries(lab, record_property):
    check(lab, personal_data_only_with_consent, record_property)


def test_searches_are_never_restricted(lab, record_property):
    check(lab, searches_never_restricted, record_property)
