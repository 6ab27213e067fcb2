"""Every Python example in docs/ runs (STYLE.md 9: doc examples are tests).

The ```python blocks of one page run in order in one namespace, with ``tmp`` a fresh folder (so
a later block may use what an earlier one made). A block that defines ``test_*`` functions is a
pytest example: it is written to a file and run by pytest in a subprocess. A ```yaml block with a
``name`` (an app profile, a world) is saved first as ``tmp/NAME.yaml``, the current folder, as the
page tells the reader to. Blocks that start with
``# from PATH`` are excerpts of the pack, checked verbatim against PATH by
tests/test_scenario_pack.py (and run there as the pack). Real parts only: the examples open
virtual handsets, worlds, proxies and labs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted(p for p in (ROOT / "docs").rglob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]


def examples(page: Path) -> list[str]:
    return [b for b in BLOCK.findall(page.read_text(encoding="utf-8")) if not b.startswith("# from ")]


PAGES = [p for p in DOCS if examples(p)]


def test_every_page_with_examples_is_collected():
    names = {p.relative_to(ROOT).as_posix() for p in PAGES}
    assert {"docs/scenarios.md", "docs/virtual-handset.md", "docs/agents.md", "docs/capture.md",
            "docs/analysis.md"} <= names, names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    for text in YAML_BLOCK.findall(page.read_text(encoding="utf-8")):
        doc = yaml.safe_load(text)
        if isinstance(doc, dict) and isinstance(doc.get("name"), str):
            (tmp_path / f"{doc['name']}.yaml").write_text(text, encoding="utf-8")
    namespace: dict[str, object] = {"__name__": "__doc_example__", "tmp": tmp_path}
    for n, block in enumerate(examples(page), 1):
        where = f"{page.relative_to(ROOT)} example {n}"
        if re.search(r"^def test_", block, re.M):
            _run_pytest_example(block, tmp_path / f"example{n}", where)
            continue
        code = compile(block, where, "exec")
        exec(code, namespace)  # noqa: S102 - the documentation's own examples


def _run_pytest_example(block: str, folder: Path, where: str) -> None:
    folder.mkdir()
    (folder / "test_example.py").write_text(block, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{where}:\n{done.stdout[-3000:]}{done.stderr[-2000:]}"


def test_lab_guide_sample_lines_are_what_the_harness_prints():
    """docs/lab-guide.md §3's doctor line for the virtual handset's frida-server and §4's sample
    live line are the harness's own text (trial 6, finding 15): the live line is rebuilt from the
    request it shows, through the code intercept prints with."""
    import calendar

    from harness.device import doctor
    from harness.device.intercept_live import FlowLine
    from harness.redact import redact_url

    guide = (ROOT / "docs" / "lab-guide.md").read_text(encoding="utf-8")
    path = redact_url("/api/v1/config?name=MiAdBlacklistConfig&pkg=com.vendor.browser&region=SG&version=2021092301")
    line = FlowLine(calendar.timegm((2026, 12, 1, 12, 15, 49)), None, "http", "GET", "globalapi.ad.vendor.test",
                    path, "127.41.7.2", "SG", "third_country", 200, None, "EEA").text()
    assert f"\n{line}\n" in guide, line
    assert "frida-server: not needed: the virtual handset's apps are host processes" in guide
    assert "\"not needed: the virtual handset's apps are host processes, \"" in Path(doctor.__file__).read_text()
