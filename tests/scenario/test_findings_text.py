"""The findings line of `harness run`: filtering comparisons with their outcomes."""

from __future__ import annotations


def test_findings_line_says_comparisons_and_their_outcomes():
    """``findings: 2 filtered (not_filtered)`` read as "2 filtered" (trial report item 11)."""
    from harness.scenario.run_results import finding_label, findings_text

    found = [{"kind": "filtered", "verdict": "not_filtered"}, {"kind": "filtered", "verdict": "not_filtered"},
             {"kind": "config_list", "verdict": "downloaded"}]
    kinds: dict[str, int] = {}
    for f in found:
        kinds[finding_label(f)] = kinds.get(finding_label(f), 0) + 1
    assert findings_text(kinds) == "2 comparisons: 0 filtered, 2 not filtered; 1 config_list"
    kinds = {"comparison: filtered": 1, "comparison: inconclusive": 1}
    assert findings_text(kinds) == "2 comparisons: 1 filtered, 0 not filtered, 1 inconclusive"
    assert findings_text({"comparison: filtered": 1}) == "1 comparison: 1 filtered, 0 not filtered"
    assert finding_label({"kind": "pii_sent", "verdict": "not_sent"}) == "pii_sent (not_sent)"
