"""Scenario packs: find them by name or path, and list the claims they test.

A pack is an importable package whose folder holds pytest tests marked with ``claim`` (see
docs/scenarios.md, "Running packs"). Installed packs come from two places:

- entry points of group ``harness.packs`` (``ncsc_2021 = "harness.packs.ncsc_2021"`` in a
  distribution's metadata), so a lab can ship its own packs as a package;
- the subpackages of ``harness.packs`` (the packs shipped with the harness), so they are found even
  when the installed metadata predates them (an editable install).

A pack's title is ``TITLE`` in its ``__init__.py`` (else the first line of the module docstring)
and its public source ``SOURCE``; both are read from the source text with :mod:`ast`, so listing
packs imports none of them. Claims are read by collecting the tests (``pytest --collect-only`` in a
child process, with the :mod:`harness.scenario.run_events` plugin) — collecting imports the test
modules, and a broken one must not take the caller down.

Errors: :class:`~harness.errors.UsageError` for an unknown pack or a path that is not a folder or a
``.py`` file.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import pkgutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.parsing import quote

#: entry point group of installed packs (INTERFACES.md section 3)
ENTRY_POINT_GROUP = "harness.packs"
#: package whose subpackages are the packs shipped with the harness
BUILTIN_PACKAGE = "harness.packs"
#: bound of one collection child (it imports the pack's modules, not the lab)
COLLECT_TIMEOUT = 120.0


@dataclass(frozen=True)
class Pack:
    """One pack: ``name`` (entry point name, or the path given), ``path`` the folder (or test file)
    pytest runs, ``module`` its importable name (None for a plain path), ``title``/``source`` from
    its ``__init__.py``, ``origin`` where it was found (``entry point <dist>``, ``built in``, ``path``)."""

    name: str
    path: Path
    module: str | None = None
    title: str = ""
    source: str | None = None
    origin: str = "path"


@dataclass
class Collected:
    """What collecting some paths found: ``items`` (``{nodeid, file, line, claim, pack}``, claim
    None for a test without a ``claim`` marker) and ``errors`` (``{kind, nodeid, file, line,
    message}``; kind ``collect-error`` or ``marker-error``), ``exit_code`` of the pytest child and
    the tail of its output (``log``) when it failed otherwise."""

    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    exit_code: int = 0
    log: str = ""


def _module_path(module: str) -> Path | None:
    """The folder of package ``module`` (or its file), without importing the module itself."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin) if spec.origin else None


def _described(name: str, path: Path, module: str | None, origin: str) -> Pack:
    """A :class:`Pack` with TITLE/SOURCE (or the docstring's first line) read from its source."""
    init = path / "__init__.py" if path.is_dir() else path
    title, source = "", None
    try:
        tree = ast.parse(init.read_text(encoding="utf-8"), str(init))
    except (OSError, SyntaxError, ValueError):
        tree = None
    if tree is not None:
        doc = ast.get_docstring(tree) or ""
        title = doc.strip().splitlines()[0] if doc.strip() else ""
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(getattr(node, "value", None), ast.Constant):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    value = node.value.value  # type: ignore[union-attr]
                    if isinstance(target, ast.Name) and isinstance(value, str):
                        if target.id == "TITLE":
                            title = value
                        elif target.id == "SOURCE":
                            source = value
    return Pack(name=name, path=path, module=module, title=title, source=source, origin=origin)


def installed_packs() -> dict[str, Pack]:
    """Installed packs by name, sorted: entry points of group ``harness.packs`` first (a lab's own
    pack of the same name wins), then the subpackages of ``harness.packs``. An entry point whose
    module cannot be found is left out (``harness packs`` still lists the others)."""
    found: dict[str, Pack] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        module = ep.value.split(":")[0].strip()
        path = _module_path(module)
        if path is None or ep.name in found:
            continue
        dist = getattr(ep, "dist", None)
        origin = f"entry point of {dist.name}" if dist is not None else "entry point"
        found[ep.name] = _described(ep.name, path, module, origin)
    builtin = _module_path(BUILTIN_PACKAGE)
    if builtin is not None and builtin.is_dir():
        for info in pkgutil.iter_modules([str(builtin)]):
            if info.ispkg and not info.name.startswith("_") and info.name not in found:
                module = f"{BUILTIN_PACKAGE}.{info.name}"
                found[info.name] = _described(info.name, builtin / info.name, module, "built in")
    return dict(sorted(found.items()))


def find_pack(name_or_path: str) -> Pack:
    """The pack named ``name_or_path`` (its name, or its module: ``harness.packs.ncsc_2021``), else
    the folder or ``.py`` test file at that path (a pytest node id ``FILE::test_name`` is kept whole).

    Raises UsageError naming the unknown pack and the installed ones."""
    packs = installed_packs()
    if name_or_path in packs:
        return packs[name_or_path]
    by_module = [pack for pack in packs.values() if pack.module == name_or_path]  # harness.packs.ncsc_2021
    if by_module:
        return by_module[0]
    file_part = name_or_path.split("::", 1)[0]
    path = Path(file_part)
    if path.is_dir() or (path.is_file() and path.suffix == ".py"):
        node = str(path.resolve()) + name_or_path[len(file_part):]
        described = _described(name_or_path, path.resolve(), None, "path")
        return Pack(name=name_or_path, path=Path(node), title=described.title, source=described.source)
    if path.exists():
        raise UsageError(f"{quote(name_or_path)} is neither a pack folder nor a .py test file",
                         fix="give an installed pack's name, a folder of tests or a test_*.py file")
    if "/" in file_part or file_part.endswith(".py"):  # meant as a path, not a pack's name
        raise UsageError(f"no such file or folder: {quote(file_part)}",
                         fix="check the path (relative to this folder), or give an installed pack's name "
                             "(`harness packs`)")
    installed = ", ".join(packs) or "none"
    raise UsageError(f"unknown pack {quote(name_or_path)} (installed packs: {installed})",
                     fix="run `harness packs` to list them, or give the path of a folder or test file")


def _python_files(root: Path) -> list[Path]:
    """The files pytest would import under ``root``: test modules (``test_*.py``, ``*_test.py``),
    ``conftest.py`` and the modules at a pack's top level (``claims.py``); hidden folders,
    ``__pycache__`` and installed environments are skipped."""
    if not root.is_dir():
        return [root]
    skip = {"__pycache__", "node_modules", "site-packages", "venv"}
    found = list(root.glob("*.py"))
    for file in root.rglob("*.py"):
        parts = file.relative_to(root).parts[:-1]
        if any(p.startswith(".") or p in skip for p in parts):
            continue
        if file.name.startswith("test_") or file.name.endswith("_test.py") or file.name == "conftest.py":
            found.append(file)
    return sorted(set(found))


def syntax_errors(paths: list[Path]) -> list[dict[str, Any]]:
    """Python files under ``paths`` (folders, files; see :func:`_python_files`) that do not
    compile: ``{kind: "collect-error", file, line, message}``, found before pytest or a lab starts
    (a syntax error names its place)."""
    errors = []
    for root in paths:
        root = Path(str(root).split("::", 1)[0])
        for file in _python_files(root):
            try:
                compile(file.read_bytes(), str(file), "exec", dont_inherit=True)
            except SyntaxError as exc:
                errors.append({"kind": "collect-error", "nodeid": str(file), "file": str(file),
                               "line": exc.lineno, "message": f"{type(exc).__name__}: {exc.msg}"})
            except (OSError, ValueError) as exc:
                errors.append({"kind": "collect-error", "nodeid": str(file), "file": str(file), "line": None,
                               "message": f"cannot read: {exc}"})
    return errors


def collect(paths: list[Path], extra_args: list[str] | tuple[str, ...] = (), *,
            timeout: float = COLLECT_TIMEOUT) -> Collected:
    """Collect the tests under ``paths`` in a ``python -m pytest --collect-only`` child: their
    node ids, places and claim sentences, and every collection or marker error."""
    from harness.scenario.run_events import read_events

    with tempfile.TemporaryDirectory(prefix="harness-collect-") as tmp:
        events = Path(tmp) / "events.jsonl"
        argv = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                "-p", "harness.scenario.run_events", f"--harness-run-events={events}",
                *extra_args, *[str(p) for p in paths]]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=tmp,
                                  env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        except subprocess.TimeoutExpired:
            raise UsageError(f"collecting the tests of {', '.join(map(str, paths))} took over {timeout:g}s",
                             fix="check the pack's modules do no work at import time") from None
        result = Collected(exit_code=proc.returncode, log=(proc.stdout + proc.stderr)[-4000:])
        seen: set[str] = set()
        for record in read_events(events):
            if record["event"] == "collected" and record["nodeid"] not in seen:
                seen.add(record["nodeid"])
                result.items.append(record)
            elif record["event"] in ("collect-error", "marker-error"):
                result.errors.append({"kind": record["event"], **record})
    return result


def pack_of(file: str, packs: list[Pack]) -> Pack | None:
    """The pack (of ``packs``) whose folder holds ``file``."""
    for pack in packs:
        root = Path(str(pack.path).split("::", 1)[0])
        if Path(file) == root or root in Path(file).parents:
            return pack
    return None
