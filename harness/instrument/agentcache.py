"""Your own TypeScript agents, compiled once per content: a cache keyed by what the build reads,
never by where it lies.

``HookSession.load("my-agent.ts")`` compiles the file with frida's compiler (project root: the
file's folder, as :func:`harness.instrument.attach.agent_source` gives it). The result is kept in
``HARNESS_HOME/cache/agents/<key>.js`` (folder 0700, files 0600) under a key that is the SHA-256
of:

* the cache format (:data:`FORMAT`) and the ``frida`` Python package's version (its compiler);
* the entry file's path *relative to the project root*;
* every source under the project root (``.ts``, ``.js``, ``.mjs``, ``.cjs``, ``.json``: the agent's
  modules, ``tsconfig.json``, ``package.json``, ``package-lock.json``), by relative path and bytes;
  ``node_modules`` and hidden folders are not walked;
* the name and version of every package in the root's ``node_modules`` (``frida-java-bridge``,
  ``@types/frida-gum``, ...), from their ``package.json``.

So a checkout moved or copied elsewhere, or two checkouts of the same agent, share one entry; a
changed source, package version or frida misses. A project root too large to hash cheaply (over
:data:`MAX_FILES` files or :data:`MAX_BYTES` bytes: an agent dropped in a home folder) is compiled
every time, uncached.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from harness.fsutil import check_private_file, private_dir, write_private

#: bump when what is cached changes meaning (compiler options, layout)
FORMAT = "1"
#: files the compiler may read from the project root
SOURCE_SUFFIXES = (".ts", ".js", ".mjs", ".cjs", ".json")
#: a root with more source files or bytes than this is not hashed (compiled uncached)
MAX_FILES = 2000
MAX_BYTES = 32 * 1024 * 1024


def cache_dir(home: Path | None = None) -> Path:
    """``HOME/cache/agents`` (``HOME`` default ``HARNESS_HOME``, else ``~/.harness``); not created."""
    base = home or Path(os.environ.get("HARNESS_HOME", Path.home() / ".harness"))
    return base / "cache" / "agents"


def _sources(root: Path) -> list[tuple[str, Path]] | None:
    """(relative POSIX path, file) of the root's sources, sorted; None past the bounds."""
    found: list[tuple[str, Path]] = []
    total = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "node_modules" and not d.startswith("."))
        for name in files:
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            path = Path(folder) / name
            total += path.stat().st_size
            found.append((path.relative_to(root).as_posix(), path))
            if len(found) > MAX_FILES or total > MAX_BYTES:
                return None
    return sorted(found)


def _packages(root: Path) -> list[str]:
    """``name@version`` of each package in ``root/node_modules`` (scoped ones too), sorted."""
    modules = root / "node_modules"
    manifests = [*modules.glob("*/package.json"), *modules.glob("@*/*/package.json")] if modules.is_dir() else []
    out = []
    for manifest in manifests:
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        version = meta.get("version") if isinstance(meta, dict) else None
        out.append(f"{manifest.parent.relative_to(modules).as_posix()}@{version}")
    return sorted(out)


def cache_key(entry: Path, root: Path, frida_version: str) -> str | None:
    """The hex SHA-256 key of compiling ``entry`` in project ``root`` (see the module docstring),
    or None when the root is too large to hash (no caching)."""
    sources = _sources(root)
    if sources is None:
        return None
    h = hashlib.sha256()
    for part in (FORMAT, frida_version, entry.relative_to(root).as_posix(), *_packages(root)):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for rel, path in sources:
        data = path.read_bytes()
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0" + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def compiled(entry: Path, compile_agent: Callable[[Path, Path], str], frida_version: str,
             home: Path | None = None) -> str:
    """The JavaScript of TypeScript agent ``entry`` (project root: its folder): from the cache when
    an entry of the same key exists, else ``compile_agent(entry, root)``, stored. Raises what
    ``compile_agent`` raises (InstrumentError for a source that does not compile: nothing is
    stored), UnsafePathError for a cache folder or file that is not the user's own."""
    entry = entry.resolve()
    root = entry.parent
    key = cache_key(entry, root, frida_version)
    if key is None:
        return compile_agent(entry, root)
    path = cache_dir(home) / f"{key}.js"
    try:
        check_private_file(path)
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):  # not cached yet, or damaged: compiled again
        pass
    source = compile_agent(entry, root)
    private_dir(path.parent)
    write_private(path, source)
    return source
