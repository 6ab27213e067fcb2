"""Xiaomi's 2021 statement as tests, one per testable sentence (its words in the ``claim``
marker). A test passes when the handset keeps the sentence, fails with the evidence when it does
not, and is skipped as inconclusive when the lab could not observe it. The ``lab`` and ``verdict``
fixtures come from the harness pytest plugin:

    harness run vendor_claims --target virtual --world ncsc-2021
    pytest --pyargs harness.packs.vendor_claims --harness-world compliant
"""

from __future__ import annotations

import pytest

from harness.packs.vendor_claims.claims import (
    ad_management_limited_to_ads,
    communication_not_restricted,
    personal_data_only_after_consent,
    searches_not_restricted,
    transfers_only_to_adequate_jurisdictions,
    web_browsing_not_restricted,
)

pytestmark = pytest.mark.timeout(180)


@pytest.mark.claim("Xiaomi has never and will never restrict or block any personal behaviors of our smartphone "
                   "users, such as searching.")
@pytest.mark.app("browser")
def test_searches_not_restricted(lab, verdict):
    verdict.record(searches_not_restricted(lab))


@pytest.mark.claim("Xiaomi has never and will never restrict or block any personal behaviors of our smartphone "
                   "users, such as web browsing.")
@pytest.mark.app("browser")
def test_web_browsing_not_restricted(lab, verdict):
    verdict.record(web_browsing_not_restricted(lab))


@pytest.mark.claim("Xiaomi has never and will never restrict or block any personal behaviors of our smartphone "
                   "users, such as calling or the use of third-party communication software.")
@pytest.mark.app("messenger")
def test_communication_not_restricted(lab, verdict):
    verdict.record(communication_not_restricted(lab))


@pytest.mark.claim("The list manages advertisements shown in Xiaomi's own apps, such as Mi Browser and Mi Video.")
@pytest.mark.app("browser")
def test_ad_management_limited_to_ads(lab, verdict):
    verdict.record(ad_management_limited_to_ads(lab))


@pytest.mark.claim("Xiaomi complies with the GDPR: personal data is collected only after prior consent.")
@pytest.mark.app("browser")
def test_personal_data_only_after_consent(lab, verdict):
    verdict.record(personal_data_only_after_consent(lab))


@pytest.mark.claim("Xiaomi complies with the GDPR: personal data is transferred only to jurisdictions with an "
                   "adequacy decision.")
@pytest.mark.app("browser")
def test_transfers_only_to_adequate_jurisdictions(lab, verdict):
    verdict.record(transfers_only_to_adequate_jurisdictions(lab))
