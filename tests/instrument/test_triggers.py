"""Trigger map format: parsing, validation errors that name the fix, parameter filling."""

from __future__ import annotations

import json

import pytest

from harness.errors import UsageError
from harness.instrument.triggers import load_map, parse_map


def test_yaml_and_json_maps_parse_and_fill_parameters(tmp_path):
    doc = {"package": "com.mi.browser", "actions": {
        "search": {"class": "a.Search", "method": "run", "kind": "instance", "args": ["{query}", 3]},
        "open_url": {"class": "a.Nav", "method": "open", "args": ["https://{host}/x"],
                     "signature": ["java.lang.String"]}}}
    (tmp_path / "m.json").write_text(json.dumps(doc))
    (tmp_path / "m.yaml").write_text(
        "package: com.mi.browser\nactions:\n  search: {class: a.Search, method: run, kind: instance, args: ['{query}', 3]}\n"
        "  open_url: {class: a.Nav, method: open, args: ['https://{host}/x'], signature: [java.lang.String]}\n")
    for path in (tmp_path / "m.json", tmp_path / "m.yaml"):
        m = load_map(path)
        assert m.action("search").spec({"query": 89}) == {
            "action": "search", "class": "a.Search", "method": "run", "kind": "instance", "args": [89, 3],
            "signature": None}
        assert m.action("open_url").spec({"host": "e.test"})["args"] == ["https://e.test/x"]


@pytest.mark.parametrize("doc, needle", [
    ([], "top level"),
    ({"actions": {"a": {"class": "C", "method": "m"}}}, "package"),
    ({"package": "p", "actions": {}}, "actions"),
    ({"package": "p", "actions": {"a": {"class": "C"}}}, "needs \"class\" and \"method\""),
    ({"package": "p", "actions": {"a": {"class": "C", "method": "m", "kind": "virtual"}}}, "kind"),
    ({"package": "p", "actions": {"a": {"class": "C", "method": "m", "clas": "x"}}}, "unknown key"),
    ({"package": "p", "actions": {"a": {"class": "C", "method": "m", "args": [1], "signature": []}}}, "signature"),
])
def test_bad_maps_are_usage_errors_naming_the_problem(doc, needle):
    with pytest.raises(UsageError, match=needle):
        parse_map(doc, "m.json")


def test_missing_parameter_and_action_are_clear(tmp_path):
    m = parse_map({"package": "p", "actions": {"search": {"class": "C", "method": "m", "args": ["{query}"]}}})
    with pytest.raises(UsageError, match="needs parameter"):
        m.action("search").spec({})
    with pytest.raises(UsageError, match="no trigger action 'ads'"):
        m.action("ads")
    (tmp_path / "broken.json").write_text("{nope")
    with pytest.raises(UsageError, match="not valid JSON"):
        load_map(tmp_path / "broken.json")
