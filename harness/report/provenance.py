"""Which claim code ran in a session or run: what an evidence bundle hashes and carries
(docs/reports.md, "Evidence bundles"; trial report 5, finding 4).

The code that decided a verdict is found from what the run recorded:

- the test module each lab ran: ``test_module`` in its run store's metadata (``{"path",
  "sha256"}`` as it was when the lab opened; :func:`record_test_module`, called by the pytest
  plugin's ``lab`` fixture);
- the packs and paths ``harness run`` was given (``run.json``: ``paths``);
- for runs recorded before ``test_module`` existed: the ``pack`` of each claim record and a lab
  folder named by its module (``harness.packs.<pack>.test_claims``).

A path inside a shipped pack (``harness.packs.<name>``) counts as that pack: the bundle gives its
SHA-256 (:func:`pack_hash`). Anything else is the lab's own code: each ``.py`` file of it (a test
file given and the ``conftest.py`` beside it, or every ``.py`` file of a folder given, without
``__pycache__`` and hidden folders, at most :data:`MAX_OWN_FILES`) is copied into the bundle
under ``code/`` and hashed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: store metadata key of the test module a lab ran
META_KEY = "test_module"
#: how many files of a lab's own folder a bundle carries at most (the rest are named as skipped)
MAX_OWN_FILES = 500
CHUNK = 1 << 20


@dataclass(frozen=True)
class OwnFile:
    """A file of the lab's own claim code: ``source`` (absolute path), ``name`` (its member under
    ``code/``) and, when the lab recorded it, its SHA-256 when the lab opened (``ran_sha256``)."""

    source: Path
    name: str
    ran_sha256: str | None = None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def record_test_module(store: Any, path: str | os.PathLike[str]) -> None:
    """Keep the test module a lab runs (absolute path and SHA-256 now) in its run store's
    metadata (:data:`META_KEY`), once per lab (a lab runs one module); a file that cannot be read
    is kept with ``sha256`` None. Without a store (None) nothing is recorded."""
    module = Path(path).resolve()
    if store is None or (store.meta().get(META_KEY) or {}).get("path") == str(module):
        return
    try:
        digest: str | None = sha256_file(module)
    except OSError:
        digest = None
    store.set_meta(META_KEY, {"path": str(module), "sha256": digest})


def packs_root() -> Path | None:
    """The folder of the shipped packs (``harness.packs``), or None."""
    try:
        import harness.packs as packs_pkg
    except ImportError:
        return None
    root = Path(next(iter(packs_pkg.__path__))).resolve()
    return root if root.is_dir() else None


def shipped_packs() -> dict[str, Path]:
    """``{name: folder}`` of the shipped packs (folders of ``harness.packs`` with ``__init__.py``)."""
    root = packs_root()
    if root is None:
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if (p / "__init__.py").is_file()}


def pack_hash(pack: Path) -> str:
    """SHA-256 over a pack's files (relative path and content, sorted; ``__pycache__`` left out)."""
    h = hashlib.sha256()
    for f in sorted(pack.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(pack).as_posix().encode() + b"\0" + sha256_file(f).encode())
    return h.hexdigest()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _recorded(folder: Path) -> tuple[list[tuple[Path, str | None]], set[str]]:
    """What the session or run folder recorded: ``([(path, sha256 when it ran)], {pack names})``."""
    from harness.capture.store import DB_NAME, RunStore
    from harness.errors import HarnessError
    from harness.report.document import load_claims
    from harness.report.folders import lab_folders

    paths: list[tuple[Path, str | None]] = []
    packs: set[str] = set()
    run = _read_json(folder / "run.json")  # harness run: the packs and paths it was given
    for p in run.get("paths") or []:
        paths.append((Path(str(p)), None))
    labs = [folder] if (folder / DB_NAME).is_file() else lab_folders(folder)
    for lab in labs:
        try:
            module = RunStore.open(lab).meta().get(META_KEY)
        except HarnessError:
            module = None
        if isinstance(module, dict) and module.get("path"):
            paths.append((Path(str(module["path"])), module.get("sha256")))
        parts = lab.name.split(".")
        if len(parts) > 3 and parts[:2] == ["harness", "packs"]:
            packs.add(parts[2])
        try:
            packs |= {str(c["pack"]) for c in load_claims(lab) if c.get("pack")}
        except HarnessError:
            pass
    return paths, packs


def code_that_ran(folder: Path) -> tuple[dict[str, str], list[OwnFile], list[str]]:
    """``(packs, own files, notes)`` of a session or run folder: ``{shipped pack: SHA-256}`` of the
    packs that ran; the lab's own files (:class:`OwnFile`, member names unique); notes on what
    could not be carried (a path gone since the run, a folder over :data:`MAX_OWN_FILES`)."""
    shipped = shipped_packs()
    root = packs_root()
    paths, packs = _recorded(folder)
    ran: dict[str, str] = {}
    own: dict[Path, OwnFile] = {}
    notes: list[str] = []
    names: set[str] = set()

    def add(source: Path, base: str, ran_sha: str | None = None) -> None:
        if source in own:
            if ran_sha and not own[source].ran_sha256:  # the lab recorded the hash it ran with
                own[source] = OwnFile(source, own[source].name, ran_sha)
            return
        name, n = f"code/{base}", 1
        while name in names:
            n += 1
            name = f"code/{n}-{base}"
        names.add(name)
        own[source] = OwnFile(source, name, ran_sha)

    for name in sorted(packs):
        if name in shipped:
            ran[name] = pack_hash(shipped[name])
    for raw, ran_sha in paths:
        path = raw if raw.is_absolute() else (folder / raw)
        if not path.exists() and raw.parts and raw.parts[0] in shipped:  # `harness run PACK`: a pack name
            ran[raw.parts[0]] = pack_hash(shipped[raw.parts[0]])
            continue
        path = path.resolve()
        if root is not None and path.is_relative_to(root):
            rel = path.relative_to(root).parts
            if rel and rel[0] in shipped:
                ran[rel[0]] = pack_hash(shipped[rel[0]])
            else:  # the packs folder itself: every pack
                ran.update({n: pack_hash(p) for n, p in shipped.items()})
            continue
        if path.is_file():
            add(path, path.name, ran_sha)
            conftest = path.with_name("conftest.py")
            if conftest.is_file() and conftest != path:
                add(conftest, f"{path.parent.name}/conftest.py" if path.parent.name else "conftest.py")
        elif path.is_dir():
            files = [f for f in sorted(path.rglob("*.py")) if f.is_file() and not any(
                part == "__pycache__" or part.startswith(".") for part in f.relative_to(path).parts[:-1])]
            if len(files) > MAX_OWN_FILES:
                notes.append(f"{path}: {len(files)} .py files, only the first {MAX_OWN_FILES} bundled")
            for f in files[:MAX_OWN_FILES]:
                add(f.resolve(), f"{path.name}/{f.relative_to(path).as_posix()}")
        else:
            notes.append(f"{raw}: the claim code the run recorded is gone (not bundled; only its path is in run.json)")
    return dict(sorted(ran.items())), list(own.values()), notes
