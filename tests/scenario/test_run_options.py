"""``harness run``'s analysis and xdist options (trial 5, findings 14 and 17): ``--policy`` and
``--mmdb`` reach the plugin as ``--harness-policy`` / ``--harness-geo-db``, ``--dist MODE`` as
pytest-xdist's ``--dist``; bad files are one line before pytest starts; the session folder holds a
``junit.xml`` beside findings.json. Real parts: the pytest child, its virtual handset."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .helpers import MODEL_CLAIM, run_cli

pytestmark = pytest.mark.timeout(300)

MODULE = """
import pytest

from harness.scenario import ClaimResult

""" + MODEL_CLAIM


def test_policy_and_dist_reach_pytest_and_junit_is_written(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "__init__.py").write_text("")
    (pack / "test_a.py").write_text(MODULE)
    policy = tmp_path / "policy.yaml"
    policy.write_text("adequate: [CH, JP]\n")
    code, out, err = run_cli(tmp_path / "home", "run", str(pack), "--policy", str(policy), "-n", "1",
                             "--dist", "each", "--out", str(tmp_path / "runs"))
    assert code == 0, (out, err)
    (session,) = [p for p in (tmp_path / "runs").iterdir() if p.is_dir()]
    argv = json.loads((session / "run.json").read_text())["argv"]
    assert f"--harness-policy={policy}" in argv and argv[argv.index("--dist") + 1] == "each", argv
    doc = json.loads((session / "findings.json").read_text())
    (case,) = ET.parse(session / "junit.xml").getroot().iter("testcase")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert case.get("name") == "pack.test_model" and case.find("failure") is None and case.find("error") is None
    assert props["verdict"] == "holds" and props["device"] == doc["claims"][0]["device"]
    assert oct((session / "junit.xml").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(("args", "says"), [
    (["--policy", "{tmp}/nope.yaml"], "nope.yaml"),
    (["--mmdb", "{tmp}/nope.mmdb"], "--mmdb"),
    (["--dist", "every"], "--dist"),
])
def test_bad_analysis_options_are_one_line_before_pytest(tmp_path, args, says):
    args = [a.format(tmp=tmp_path) for a in args]
    code, out, err = run_cli(tmp_path / "home", "run", "ncsc_2021", *args, "--out", str(tmp_path / "runs"))
    assert code == 2 and says in err and "Traceback" not in err, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_help_names_the_defaults_and_the_plugin_options(capsys):
    code, out, _ = run_cli(Path("."), "run", "--help")
    text = " ".join((out + capsys.readouterr().out).split())  # argparse prints help to sys.stdout
    assert code == 0
    assert "default: virtual-vendor on a virtual handset" in text and "xiaomi-miui12-global on a phone" in text
    assert "--harness-policy" in text and "--harness-geo-db" in text and "each runs every claim" in text


def test_the_child_uses_the_home_the_cli_was_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``harness run``'s pytest child gets the CLI's harness home, not the environment's."""
    from harness.scenario.runner import RunOptions, child_env

    monkeypatch.setenv("HARNESS_HOME", str(tmp_path / "elsewhere"))
    given = RunOptions(paths=[], out=tmp_path / "runs", home=tmp_path / "home")
    assert child_env(given)["HARNESS_HOME"] == str(tmp_path / "home")
    assert child_env(RunOptions(paths=[], out=tmp_path / "runs"))["HARNESS_HOME"] == str(tmp_path / "elsewhere")
