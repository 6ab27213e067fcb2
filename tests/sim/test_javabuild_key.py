"""The virtual apps' javac cache key (harness.sim.android.javabuild._hash): sources by their path
inside their folder and bytes, classpath jars by their bytes; and where the cache is
(default_cache_dir: HARNESS_CACHE, else HARNESS_HOME/cache, else XDG_CACHE_HOME/harness)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.sim.android.javabuild import _hash, default_cache_dir


def _tree(root: Path, files: dict[str, str]) -> list[Path]:
    out = []
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        out.append(p)
    return sorted(out)


def test_same_sources_in_another_folder_share_the_key(tmp_path: Path) -> None:
    files = {"a/Foo.java": "class Foo {}", "b/Bar.java": "class Bar {}"}
    assert _hash(_tree(tmp_path / "one", files), []) == _hash(_tree(tmp_path / "two", files), [])


def test_same_file_name_in_different_folders_differs(tmp_path: Path) -> None:
    # same names and bytes in the same order, in different folders: keyed by name alone, these collided
    left = _tree(tmp_path / "l", {"x/Foo.java": "class Foo {}", "z/Bar.java": "class Bar {}"})
    right = _tree(tmp_path / "r", {"y/Foo.java": "class Foo {}", "z/Bar.java": "class Bar {}"})
    assert _hash(left, []) != _hash(right, [])


def test_a_jar_changed_in_place_changes_the_key(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", {"Foo.java": "class Foo {}"})
    jar = tmp_path / "okhttp.jar"
    jar.write_bytes(b"PK version 1")
    before = _hash(src, [str(jar)])
    jar.write_bytes(b"PK version 2")
    assert _hash(src, [str(jar)]) != before
    assert _hash(src, [str(tmp_path)]) == _hash(src, [str(tmp_path)])  # a folder: its path


def test_the_cache_is_harness_cache_else_under_harness_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "shared"))
    assert default_cache_dir() == tmp_path / "shared"
    monkeypatch.delenv("HARNESS_CACHE")
    assert default_cache_dir() == tmp_path / "home" / "cache"
    monkeypatch.delenv("HARNESS_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "harness"
