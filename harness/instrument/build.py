"""Compile the TypeScript agents under ``agents/`` into ``harness/instrument/bundles``.

``python -m harness.instrument.build`` (or ``make agents``) needs node modules installed
(``cd agents && npm ci``). ``--check`` only verifies that the shipped bundles match the sources.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from harness.errors import InstrumentError
from harness.instrument.bundles import BUNDLE_NAMES, MANIFEST, bundles_dir, repo_agents_dir, sources_digest


def compile_agent(entrypoint: Path, project_root: Path) -> str:
    """One agent (``.ts`` or ``.js``) compiled with frida's compiler into a single script."""
    import frida

    compiler = frida.Compiler()
    problems: list[str] = []
    def on_diagnostics(diags: list[Any]) -> None:
        problems.extend(_describe(d) for d in diags)

    compiler.on("diagnostics", on_diagnostics)
    try:
        source = compiler.build(
            str(entrypoint.relative_to(project_root)) if entrypoint.is_relative_to(project_root) else str(entrypoint),
            project_root=str(project_root),
            source_maps="omitted",
            compression="none",
        )
    except frida.InvalidArgumentError as exc:
        raise InstrumentError(
            f"agent {entrypoint.name} does not compile: {exc}", fix="fix the agent source", attempted="compile agent"
        ) from None
    if problems:
        raise InstrumentError(
            f"agent {entrypoint.name} does not compile: " + "; ".join(problems),
            fix="fix the agent source",
            attempted="compile agent",
        )
    return source


def _describe(diag: dict) -> str:
    where = diag.get("file", {})
    loc = f"{where.get('path', '?')}:{where.get('line', 0) + 1}" if where else "?"
    return f"{loc}: {diag.get('text', diag)}"


def build(agents_dir: Path | None = None, out_dir: Path | None = None) -> dict:
    """Rebuild every bundle and the manifest; returns the manifest."""
    import frida

    agents_dir = agents_dir or repo_agents_dir()
    out_dir = out_dir or bundles_dir()
    if not (agents_dir / "node_modules" / "frida-java-bridge").is_dir():
        raise InstrumentError(
            "agents/node_modules is missing", fix="cd agents && npm ci", attempted="build agents"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = {}
    for name in BUNDLE_NAMES:
        source = compile_agent(agents_dir / "src" / f"{name}.ts", agents_dir)
        data = source.encode()
        (out_dir / f"{name}.js").write_bytes(data)
        entries[name] = {"file": f"{name}.js", "sha256": hashlib.sha256(data).hexdigest()}
    result = {
        "sources_sha256": sources_digest(agents_dir),
        "frida": frida.__version__,
        "agents": entries,
    }
    (out_dir / MANIFEST).write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result


def check(agents_dir: Path | None = None) -> list[str]:
    """Problems that make the shipped bundles stale; empty when they are current."""
    agents_dir = agents_dir or repo_agents_dir()
    manifest = json.loads((bundles_dir() / MANIFEST).read_text())
    problems = []
    digest = sources_digest(agents_dir)
    if manifest.get("sources_sha256") != digest:
        problems.append(f"sources changed since the bundles were built ({digest[:12]} != "
                        f"{str(manifest.get('sources_sha256'))[:12]}): run `make agents`")
    for name in BUNDLE_NAMES:
        entry = manifest["agents"].get(name)
        if entry is None:
            problems.append(f"{name}: missing from the manifest")
            continue
        data = (bundles_dir() / entry["file"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{name}: bundle differs from its manifest entry")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.instrument.build", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only verify that the bundles are current")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check()
            for p in problems:
                print(p, file=sys.stderr)
            return 1 if problems else 0
        result = build()
    except InstrumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, entry in result["agents"].items():
        print(f"{name}: {entry['file']} {entry['sha256'][:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
