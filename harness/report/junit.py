"""``junit.xml``: one test case per claim of a findings document, for CI systems and farms.

A claim that holds passes; one violated is a ``<failure>``; one that could not be observed
(``inconclusive``) is ``<skipped>`` — never a pass; an ``error`` verdict (a claim whose test
crashed, its device or app was lost, its worker died) is an ``<error>``; a claim a stopped run never
reached (``not run``) is ``<skipped>``. Each case carries the claim text, the verdict, the device
serial and the evidence ids as ``<properties>``; when the claims come from more than one device (a
farm session) each case's name ends in `` [SERIAL]``, so CI tools that key cases by classname and
name keep one per device (the pytest plugin's ``--junitxml`` does the same: harness.scenario.plugin_junit). Built with
junitparser (the JUnit XML format as Jenkins, GitLab and pytest's ``--junitxml`` read it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.report.redact import Redactor


def junit_xml(doc: dict[str, Any], redactor: Redactor | None = None) -> bytes:
    """The JUnit XML document (UTF-8 bytes) for the claims of findings document ``doc``; with a
    ``redactor``, device identifiers and canaries are masked."""
    if redactor is not None:
        doc = redactor.value(doc)
    from junitparser import Error, Failure, JUnitXml, Properties, Property, Skipped, TestCase, TestSuite

    suite = TestSuite(f"harness claims ({doc.get('run_id', '?')})")
    devices = {str(c.get("device")) for c in doc.get("claims") or [] if c.get("device")}
    for index, claim in enumerate(doc.get("claims") or [], 1):
        text = str(claim.get("text") or claim.get("id") or f"claim {index}")
        verdict = str(claim.get("verdict") or "inconclusive")
        evidence = claim.get("evidence") or {}
        flow_ids = list(evidence.get("flow_ids") or [])
        event_ids = list(evidence.get("event_ids") or [])
        device = str(claim.get("device") or "")
        name = str(claim.get("id") or f"claim-{index}") + (f" [{device}]" if device and len(devices) > 1 else "")
        case = TestCase(name, classname=str(claim.get("scenario") or "claims"))
        detail = f"{verdict}: {text}; evidence flows {', '.join(flow_ids) or 'none'}"
        if verdict == "violated":
            case.result = [Failure(detail, "claim_violated")]
        elif verdict == "inconclusive":
            case.result = [Skipped(f"inconclusive: {text}: not observable in this run")]
        elif verdict == "error":
            case.result = [Error(detail, "error")]
        elif verdict == "not run":
            case.result = [Skipped(f"not run: {text}: {claim.get('details') or 'the run was stopped before it'}")]
        props = Properties()
        for key, value in (("claim", text), ("verdict", verdict), *([("device", device)] if device else []),
                           ("flow_ids", " ".join(flow_ids)), ("event_ids", " ".join(event_ids)),
                           *([("code_note", str(claim["code_note"]))] if claim.get("code_note") else [])):
            props.add_property(Property(key, value))
        case.append(props)
        suite.add_testcase(case)
    xml = JUnitXml()
    xml.add_testsuite(suite)
    return xml.tostring()


def write_junit(doc: dict[str, Any], path: str | os.PathLike[str], redactor: Redactor | None = None) -> Path:
    """Write :func:`junit_xml` of ``doc`` to ``path`` (0600); UsageError when it cannot be
    written (:func:`harness.fsutil.write_output`)."""
    from harness.fsutil import write_output

    return write_output(path, junit_xml(doc, redactor), "JUnit XML")
