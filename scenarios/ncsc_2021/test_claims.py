"""The vendor's answers to NCSC Lithuania (2021) as tests: each passes when the claim holds on the
handset. The ``lab`` and ``verdict`` fixtures come from the harness pytest plugin. Run against a
virtual world:

    pytest scenarios/ncsc_2021 --harness-world compliant   # every claim holds: exit 0
    pytest scenarios/ncsc_2021 --harness-world ncsc-2021   # the claims are violated: exit 1
    pytest scenarios/ncsc_2021 --harness-target SERIAL --harness-profile my-phone.yaml   # a phone

A failure message is the claim's details, its evidence (flow ids and agent event ids in the run
store) and the run directory; each claim is kept in the run's ``claims.jsonl`` and in the JUnit
properties (``--junitxml``)."""

from __future__ import annotations

import pytest

from scenarios.ncsc_2021.claims import (
    no_keyword_blacklist,
    personal_data_only_with_consent,
    searches_never_restricted,
)

pytestmark = pytest.mark.timeout(180)


@pytest.mark.claim("System apps do not download a keyword blacklist.")
@pytest.mark.app("security")
def test_system_apps_do_not_download_a_keyword_blacklist(lab, verdict):
    verdict.record(no_keyword_blacklist(lab))


@pytest.mark.claim("Personal data leaves the device only with prior consent and not to third countries.")
@pytest.mark.app("browser")
def test_personal_data_leaves_only_with_consent_and_not_to_third_countries(lab, verdict):
    verdict.record(personal_data_only_with_consent(lab))


@pytest.mark.claim("Searches are never restricted.")
@pytest.mark.app("browser")
def test_searches_are_never_restricted(lab, verdict):
    verdict.record(searches_never_restricted(lab))
