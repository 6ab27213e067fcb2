"""pytest's own ``--junitxml`` with the harness plugin (trial 5, findings 8 and 9): a claim whose
verdict is ``error`` (its test raised) is an ``<error>``, not a ``<failure>``; every test of a lab
has a ``device`` property; with one device the testcase names stay pytest's. Real parts: an inner
pytest session with a virtual handset; its JUnit file as pytest wrote it and the plugin amended it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from harness.scenario.plugin_junit import amend

from .helpers import MODEL_CLAIM
from .test_farm_worker_crash import run_pytest

pytestmark = pytest.mark.timeout(300)

MODULE = """
import pytest

from harness.scenario import ClaimResult

""" + MODEL_CLAIM + '''

@pytest.mark.claim("The handset answers twice.")
def test_raises(lab):
    with lab.step("before-the-error"):
        lab.launch("security")
    raise RuntimeError("the claim code is wrong")
'''


def test_an_error_verdict_is_an_error_with_its_device(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "__init__.py").write_text("")
    (pack / "test_a.py").write_text(MODULE)
    junit = tmp_path / "junit.xml"
    done = run_pytest(tmp_path, "--harness-out", str(tmp_path / "out"), f"--junitxml={junit}", "pack")
    assert done.returncode == 1, (done.stdout + done.stderr)[-3000:]
    suite = next(ET.parse(junit).getroot().iter("testsuite"))
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"test_model", "test_raises"}, cases  # one device: pytest's names
    raised = cases["test_raises"]
    props = {p.get("name"): p.get("value") for p in raised.iter("property")}
    assert props["verdict"] == "error" and props["device"].startswith("127.0.0.1:"), props
    assert raised.find("error") is not None and raised.find("failure") is None
    assert "the claim code is wrong" in (raised.find("error").get("message") or "")
    assert (suite.get("errors"), suite.get("failures")) == ("1", "0")
    model = {p.get("name"): p.get("value") for p in cases["test_model"].iter("property")}
    assert model["device"] == props["device"] and model["verdict"] == "holds"


def test_two_devices_are_told_apart_by_name(tmp_path):
    """The amended names of a farm's file (two devices), from a file as pytest writes one."""
    path = tmp_path / "j.xml"
    case = ('<testcase classname="p.t" name="test_x"><properties><property name="device" value="{d}"/>'
            '<property name="verdict" value="{v}"/></properties>{body}</testcase>')
    path.write_text('<?xml version="1.0"?><testsuites><testsuite name="pytest" errors="0" failures="2" tests="2">'
                    + case.format(d="127.0.0.1:1", v="violated", body='<failure message="m"/>')
                    + case.format(d="127.0.0.1:2", v="error", body='<failure message="m"/>')
                    + "</testsuite></testsuites>")
    path.chmod(0o600)
    assert amend(path) is True
    suite = next(ET.parse(path).getroot().iter("testsuite"))
    got = [(c.get("name"), [n.tag for n in c if n.tag != "properties"]) for c in suite.iter("testcase")]
    assert got == [("test_x [127.0.0.1:1]", ["failure"]), ("test_x [127.0.0.1:2]", ["error"])]
    assert (suite.get("errors"), suite.get("failures")) == ("1", "1")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert amend(path) is False  # amended once: nothing more to change
