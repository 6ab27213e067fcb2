"""The compiled agent bundles shipped as package data, and the digest that ties them to their sources.

``bundles/manifest.json`` records, per agent, the bundle file and its SHA-256, plus
``sources_sha256``: a digest over the TypeScript sources, ``tsconfig.json``, ``package.json`` and
``package-lock.json`` under ``agents/`` at the repository root. :func:`sources_digest` recomputes it
without node, so a test can tell when a bundle is stale (run ``make agents`` to rebuild).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from harness.errors import InstrumentError

#: the agents shipped with the harness, by name
AGENT_NAMES = ("unpin", "crypto", "trigger", "tls-native", "tls-keylog", "redirect", "netwatch")
#: agents that live together in the one Java bundle (one frida-java-bridge per process)
JAVA_AGENTS = ("unpin", "crypto", "trigger")
JAVA_BUNDLE = "java"
#: the compiled bundles: ``agents/src/<name>.ts`` -> ``bundles/<name>.js``
BUNDLE_NAMES = (JAVA_BUNDLE, "tls-native", "tls-keylog", "redirect", "netwatch")

#: which files under ``agents/`` feed the bundles (the digest covers exactly these)
SOURCE_GLOBS = ("src/**/*.ts", "lib/**/*.ts", "tsconfig.json", "package.json", "package-lock.json")

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Bundle:
    name: str
    source: str  # compiled JavaScript, ready for ``session.create_script``
    sha256: str


def repo_agents_dir() -> Path:
    """``agents/`` of a source checkout (bundles are built from there)."""
    return Path(__file__).resolve().parents[2] / "agents"


def source_files(agents_dir: Path) -> list[Path]:
    files: set[Path] = set()
    for pattern in SOURCE_GLOBS:
        files.update(p for p in agents_dir.glob(pattern) if p.is_file() and "node_modules" not in p.parts)
    return sorted(files, key=lambda p: p.relative_to(agents_dir).as_posix())


def sources_digest(agents_dir: Path) -> str:
    """SHA-256 over the relative path and bytes of every source file, in a stable order."""
    h = hashlib.sha256()
    files = source_files(agents_dir)
    if not files:
        raise InstrumentError(f"no agent sources under {agents_dir}", fix="run from a source checkout")
    for path in files:
        rel = path.relative_to(agents_dir).as_posix().encode()
        data = path.read_bytes()
        h.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def bundles_dir() -> Path:
    return Path(str(resources.files("harness.instrument") / "bundles"))


@cache
def manifest() -> dict:
    path = bundles_dir() / MANIFEST
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise InstrumentError(
            "the compiled agent bundles are missing", fix="run `make agents` (needs node: cd agents && npm ci)"
        ) from None


def bundle_for(agent: str) -> str:
    """Name of the bundle that holds ``agent``."""
    return JAVA_BUNDLE if agent in JAVA_AGENTS else agent


def load_bundle(name: str) -> Bundle:
    """A compiled bundle (``java``, ``tls-native``, ``redirect``); raises InstrumentError for unknown names."""
    if name not in BUNDLE_NAMES:
        raise InstrumentError(
            f"unknown agent {name!r}",
            fix=f"use one of {', '.join(AGENT_NAMES)}, or a path to your own .js/.ts agent",
        )
    entry = manifest()["agents"].get(name)
    if entry is None:
        raise InstrumentError(f"agent {name!r} is not in the bundle manifest", fix="run `make agents`")
    data = (bundles_dir() / entry["file"]).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        raise InstrumentError(
            f"bundle {entry['file']} does not match its manifest (edited by hand?)", fix="run `make agents`"
        )
    return Bundle(name=name, source=data.decode(), sha256=digest)
