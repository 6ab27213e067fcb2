"""Compile the tnetstring parser (harness/analysis/tnet.py, tnetflow.py) with mypyc, in place.

Optional (docs/analysis.md, "The compiled parser"): mypyc compiles the same annotated Python source
into C extension modules, written next to the ``.py`` files (Python's import prefers the
extension); parsing a ``.mitm`` file then takes about half the CPU time (docs/performance.md,
seventh pass). Without gcc or mypyc, or when compiling fails, it prints one line and exits 0:
the pure-Python modules stay in use and behave the same.

Run by scripts/setup.sh (``make setup``/``make test``/``make demo``, CI). ``--clean`` removes the
built files (the pure modules are then used); a build is skipped while the extensions are newer
than both sources. Each module is compiled as its own group (mypyc's ``separate``), so every
built file stays inside ``harness/analysis/`` (an editable install finds only that package).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "harness", "analysis")
MODULES = ("tnet", "tnetflow")
SETUP = """
from setuptools import setup
from mypyc.build import mypycify
setup(name="harness-parser", ext_modules=mypycify({paths!r}, separate=True, opt_level="3"))
"""


def built() -> list[str]:
    """The extension files a build writes into harness/analysis/ (both modules and their groups' libraries)."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    return sorted(p for m in MODULES for p in glob.glob(os.path.join(PACKAGE, f"{m}*{suffix}")))


def clean() -> None:
    for path in built():
        os.remove(path)


def up_to_date() -> bool:
    files = built()
    if len(files) < 2 * len(MODULES):
        return False
    newest_source = max(os.path.getmtime(os.path.join(PACKAGE, f"{m}.py")) for m in MODULES)
    return min(os.path.getmtime(p) for p in files) > newest_source


def compile_parser() -> str:
    """Build; the one line to print."""
    if not (shutil.which(os.environ.get("CC", "gcc")) or shutil.which("cc")):
        return "no C compiler (gcc): the pure-Python parser is used"
    try:
        import mypyc  # noqa: F401
    except ImportError:
        return "mypyc not installed (pip install mypy): the pure-Python parser is used"
    try:
        import setuptools  # noqa: F401  (mypyc builds through it)
    except ImportError:
        return "setuptools not installed: the pure-Python parser is used"
    if up_to_date():
        return "compiled parser up to date"
    with tempfile.TemporaryDirectory(prefix="harness-mypyc-") as tmp:
        # the two modules in an empty package skeleton: mypyc names modules by their path
        # (harness.analysis.tnet) and type-checks what they import (mitmproxy from the environment)
        dest = os.path.join(tmp, "harness", "analysis")
        os.makedirs(dest)
        for package in (os.path.join(tmp, "harness"), dest):
            open(os.path.join(package, "__init__.py"), "w", encoding="utf-8").close()
        for m in MODULES:
            shutil.copy(os.path.join(PACKAGE, f"{m}.py"), dest)
        paths = [f"harness/analysis/{m}.py" for m in MODULES]
        with open(os.path.join(tmp, "setup.py"), "w", encoding="utf-8") as fh:
            fh.write(SETUP.format(paths=paths))
        proc = subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=tmp,
                              capture_output=True, text=True, check=False)
        made = glob.glob(os.path.join(dest, "*" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so")))
        if proc.returncode or len(made) < 2 * len(MODULES):
            lines = (proc.stdout + "\n" + proc.stderr).strip().splitlines() or ["no output"]
            last = ([line for line in lines if "error:" in line.lower()] or lines[-1:])[0].strip()[:80]
            clean()  # stale extensions would shadow the changed source
            return f"mypyc failed ({last}): the pure-Python parser is used"
        for path in made:  # a new file renamed over the old: a running process keeps the one it loaded
            target = os.path.join(PACKAGE, os.path.basename(path))
            shutil.copy(path, target + ".tmp")
            os.replace(target + ".tmp", target)
    return "compiled the tnetstring parser with mypyc (harness/analysis/tnet, tnetflow)"


def main(argv: list[str]) -> int:
    if argv[1:] == ["--clean"]:
        clean()
        print("parser: removed the compiled modules; the pure-Python parser is used")
        return 0
    try:
        line = compile_parser()
    except Exception as e:  # never fail set-up for an optional speed-up
        line = f"mypyc build failed ({type(e).__name__}: {str(e)[:80]}): the pure-Python parser is used"
    print(f"parser: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
