"""Your own TypeScript agents compile once per content (harness.instrument.agentcache): the cache
key is the sources' bytes, the entry's relative path, the node packages' versions and frida's
version, never a folder's absolute path. Compiled with frida's real compiler; ``compile_agent`` is
wrapped only to count the compiles."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import frida
import pytest

from harness.errors import InstrumentError
from harness.instrument import agentcache
from harness.instrument.agentcache import cache_dir, compiled
from harness.instrument.attach import agent_source
from harness.instrument.build import compile_agent


class Counting:
    """The real compiler, counting its calls."""

    def __init__(self) -> None:
        self.calls: list[Path] = []

    def __call__(self, entry: Path, root: Path) -> str:
        self.calls.append(entry)
        return compile_agent(entry, root)


def _agent(folder: Path, greeting: str = "hello") -> Path:
    (folder / "lib").mkdir(parents=True)
    (folder / "lib" / "words.ts").write_text(f'export const greeting: string = "{greeting}";\n')
    (folder / "agent.ts").write_text('import { greeting } from "./lib/words.js";\nsend({type: "agent:log", greeting});\n')
    (folder / "node_modules" / "frida-java-bridge").mkdir(parents=True)
    (folder / "node_modules" / "frida-java-bridge" / "package.json").write_text(json.dumps({"version": "7.0.13"}))
    return folder / "agent.ts"


def test_two_copies_share_one_entry_and_a_change_misses(tmp_path: Path) -> None:
    home = tmp_path / "home"
    compiler = Counting()
    first = _agent(tmp_path / "checkout-a" / "agents")
    js = compiled(first, compiler, frida.__version__, home)
    assert "hello" in js and len(compiler.calls) == 1
    # the same agent in another checkout (a copy, or the checkout moved): the same entry
    second = tmp_path / "elsewhere" / "b"
    shutil.copytree(first.parent, second)
    assert compiled(second / "agent.ts", compiler, frida.__version__, home) == js and len(compiler.calls) == 1
    (entry,) = cache_dir(home).iterdir()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600 and stat.S_IMODE(cache_dir(home).stat().st_mode) == 0o700
    # a changed imported module, a package version or frida's version each miss
    (second / "lib" / "words.ts").write_text('export const greeting: string = "changed";\n')
    assert "changed" in compiled(second / "agent.ts", compiler, frida.__version__, home)
    assert len(compiler.calls) == 2
    (first.parent / "node_modules" / "frida-java-bridge" / "package.json").write_text(json.dumps({"version": "7.0.14"}))
    compiled(first, compiler, frida.__version__, home)
    compiled(first, compiler, frida.__version__ + "-other", home)
    assert len(compiler.calls) == 4 and len(list(cache_dir(home).iterdir())) == 4


def test_agent_source_uses_the_cache_of_harness_home(tmp_path: Path) -> None:
    """The entry point HookSession.load goes through: HARNESS_HOME (the test session's) holds it."""
    a = _agent(tmp_path / "one")
    b = tmp_path / "two"
    shutil.copytree(a.parent, b)
    name, js = agent_source(a)
    assert (name, agent_source(b / "agent.ts")) == ("agent", ("agent", js))
    key = agentcache.cache_key(a.resolve(), a.resolve().parent, frida.__version__)
    assert (cache_dir() / f"{key}.js").read_text() == js
    assert cache_dir() == Path(os.environ["HARNESS_HOME"]) / "cache" / "agents"


def test_a_source_that_does_not_compile_stores_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bad = tmp_path / "bad" / "agent.ts"
    bad.parent.mkdir()
    bad.write_text("const x: number = ;\n")
    with pytest.raises(InstrumentError, match="does not compile"):
        compiled(bad, compile_agent, frida.__version__, home)
    assert not cache_dir(home).exists() or not list(cache_dir(home).iterdir())


def test_a_root_too_large_to_hash_is_compiled_uncached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agentcache, "MAX_FILES", 1)  # the agent and its module are two files
    home = tmp_path / "home"
    compiler = Counting()
    agent = _agent(tmp_path / "big")
    compiled(agent, compiler, frida.__version__, home)
    compiled(agent, compiler, frida.__version__, home)
    assert len(compiler.calls) == 2 and not cache_dir(home).exists()


def test_a_damaged_entry_is_compiled_again(tmp_path: Path) -> None:
    home = tmp_path / "home"
    agent = _agent(tmp_path / "d")
    js = compiled(agent, compile_agent, frida.__version__, home)
    (entry,) = cache_dir(home).iterdir()
    entry.write_bytes(b"\xff\xfe not text")
    assert compiled(agent, compile_agent, frida.__version__, home) == js and entry.read_text() == js
