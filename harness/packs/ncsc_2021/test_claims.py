"""The NCSC Lithuania 2021 findings as tests: each passes when the handset does NOT do what NCSC
reported (the claim holds), fails with the evidence when it does, and is skipped as inconclusive
when the app did not do the thing observed. The ``lab`` and ``verdict`` fixtures come from the
harness pytest plugin (``harness.scenario.pytest_plugin``):

    harness run ncsc_2021 --target virtual --world ncsc-2021   # every finding reproduced: exit 1
    pytest --pyargs harness.packs.ncsc_2021 --harness-world compliant   # every claim holds: exit 0
    harness run ncsc_2021 --target R58M123ABC --profile my-phone.yaml   # a phone
"""

from __future__ import annotations

import pytest

from harness.packs.ncsc_2021.claims import (
    eu_region_gets_no_list,
    keyword_list_unchanged_between_downloads,
    no_app_downloads_a_list_at_first_start,
    no_keyword_blacklist,
    personal_data_only_with_consent,
    searches_never_restricted,
    telemetry_not_pinned,
)

pytestmark = pytest.mark.timeout(180)


@pytest.mark.claim("System apps do not download a keyword blacklist.")
@pytest.mark.app("security")
def test_system_apps_do_not_download_a_keyword_blacklist(lab, verdict):
    verdict.record(no_keyword_blacklist(lab))


@pytest.mark.claim("No app downloads a keyword list at its first start.")
@pytest.mark.app("security")
def test_no_app_downloads_a_list_at_first_start(lab, verdict):
    verdict.record(no_app_downloads_a_list_at_first_start(lab))


@pytest.mark.claim("The keyword list is not changed remotely between two downloads.")
@pytest.mark.app("security")
def test_keyword_list_unchanged_between_downloads(lab, verdict):
    verdict.record(keyword_list_unchanged_between_downloads(lab))


@pytest.mark.claim("Listed terms are not filtered against control terms in search and ads.")
@pytest.mark.app("browser")
def test_searches_are_never_restricted(lab, verdict):
    verdict.record(searches_never_restricted(lab))


@pytest.mark.claim("The keyword list is switched off for an EU region and cannot be switched on remotely.")
@pytest.mark.app("security")
def test_eu_region_gets_no_list(lab, verdict):
    verdict.record(eu_region_gets_no_list(lab))


@pytest.mark.claim("Personal data leaves the device only with prior consent and not to third countries.")
@pytest.mark.app("browser")
def test_personal_data_leaves_only_with_consent_and_not_to_third_countries(lab, verdict):
    verdict.record(personal_data_only_with_consent(lab))


@pytest.mark.claim("The browser's connections are not certificate-pinned.")
@pytest.mark.app("browser")
def test_telemetry_not_pinned(lab, verdict):
    verdict.record(telemetry_not_pinned(lab))
