"""The findings contract (harness/report/findings.schema.json) accepts what the harness writes and
rejects what breaks it."""

from __future__ import annotations

import copy

import pytest

from harness.report.contract import validation_errors
from harness.testing.flows import http_flow
from tests.report.test_html import _doc


@pytest.fixture
def doc() -> dict:
    d = _doc([http_flow("https://a.test/"), http_flow("https://b.test/")])
    d["tool_versions"]["adb"] = None  # a tool that did not answer
    return d


def test_a_full_document_is_valid(doc):
    assert validation_errors(doc) == []


@pytest.mark.parametrize(("break_it", "where"), [
    (lambda d: d["findings"][0].pop("evidence"), "findings/0"),
    (lambda d: d["findings"][0]["evidence"].update(flow_ids="f1"), "findings/0/evidence/flow_ids"),
    (lambda d: d["findings"][1].update(severity="urgent"), "findings/1/severity"),
    (lambda d: d.update(created_at="2026-12-01 10:00:00"), "created_at"),  # not UTC ISO 8601 with Z
    (lambda d: d["steps"][0].update(started_at="2026-12-01T10:00:00+02:00"), "steps/0/started_at"),
    (lambda d: d["claims"][0].update(verdict="mostly true"), "claims/0/verdict"),
    (lambda d: d.update(schema="harness.findings/0"), "schema"),
    (lambda d: d.pop("device"), "(document)"),
])
def test_broken_documents_name_the_place(doc, break_it, where):
    bad = copy.deepcopy(doc)
    break_it(bad)
    errors = validation_errors(bad)
    assert errors and all(e.startswith(f"{where}") for e in errors), errors
