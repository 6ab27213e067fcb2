"""pytest's own ``--junitxml`` file, told the harness's verdicts (docs/scenarios.md "JUnit").

After pytest wrote the file (the plugin's ``pytest_sessionfinish`` runs last), :func:`amend` reads
it back and, for each ``<testcase>`` of a claim (its ``<properties>``: ``verdict``, ``device``, which
the plugin adds to each test of a lab):

- a claim whose verdict is ``error`` (its test raised, its device went offline, its app died, its
  xdist worker crashed) has its ``<failure>`` turned into an ``<error>`` — the same as
  ``harness report --junit`` (harness.report.junit): an error is not a violation;
- when the file holds testcases of more than one device (a farm: ``-n 2 --harness-target S1,S2``, or
  ``--dist each``), each such testcase's ``name`` ends in `` [SERIAL]``, so CI tools that key
  testcases by classname and name keep one per device (one device: names unchanged, so a CI history
  of one phone is not split by its serial).

The ``<testsuite>`` counts (``failures``, ``errors``) are recomputed. The file keeps its mode.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any


def junit_path(config: Any) -> Path | None:
    """The ``--junitxml`` file pytest wrote in this process (None: none, or an xdist worker)."""
    try:
        from _pytest.junitxml import xml_key  # pytest's LogXML, the only place the path is kept
    except ImportError:  # pragma: no cover - a pytest without the junitxml plugin
        return None
    xml = config.stash.get(xml_key, None)
    path = getattr(xml, "logfile", None)
    return Path(path) if path and Path(path).is_file() else None


def crash_properties(config: Any, report: Any) -> None:
    """Give the testcase of a test whose xdist worker died (a report pytest never finalizes with
    its ``user_properties``) those properties (``verdict`` ``error``, ``device``, ``claim``)."""
    try:
        from _pytest.junitxml import xml_key
    except ImportError:  # pragma: no cover
        return
    xml = config.stash.get(xml_key, None)
    if xml is None:
        return
    reporter = xml.node_reporter(report)
    for name, value in report.user_properties:
        reporter.add_property(name, value)


def _props(case: ET.Element) -> dict[str, str]:
    """The testcase's properties (the last value of a repeated name)."""
    return {p.get("name", ""): p.get("value", "") for p in case.iter("property")}


def amend(path: Path) -> bool:
    """Rewrite the JUnit file at ``path`` as the module docstring says; True when it changed.
    Raises OSError / ET.ParseError when the file cannot be read."""
    tree = ET.parse(path)
    root = tree.getroot()
    cases = list(root.iter("testcase"))
    devices = {_props(c).get("device") for c in cases} - {None, ""}
    changed = False
    for case in cases:
        props = _props(case)
        if props.get("verdict") == "error":
            for node in case.findall("failure"):
                node.tag = "error"
                changed = True
        device = props.get("device")
        if len(devices) > 1 and device and not case.get("name", "").endswith(f" [{device}]"):
            case.set("name", f"{case.get('name', '')} [{device}]")
            changed = True
    if not changed:
        return False
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for suite in suites:
        here = list(suite.iter("testcase"))
        suite.set("failures", str(sum(1 for c in here if c.find("failure") is not None)))
        suite.set("errors", str(sum(len(c.findall("error")) for c in here)))
    mode = path.stat().st_mode & 0o777
    tmp = path.with_name(path.name + ".tmp")
    tree.write(tmp, encoding="utf-8", xml_declaration=True)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    return True
