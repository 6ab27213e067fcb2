"""Host-folder operations behind the device's files, without recursion.

``pathlib.Path.mkdir(parents=True)``, ``os.makedirs``, ``shutil.rmtree``/``copytree`` and
``Path.rglob`` recurse once per path component in Python 3.11, so ``mkdir -p`` with 2 000
components hit the interpreter's recursion limit (issue 12, item 7). These walk with explicit
stacks; depth is bounded only by the host's PATH_MAX (4096 bytes), which raises
``OSError(ENAMETOOLONG)`` as toybox would see it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def make_dirs(path: Path, mode: int) -> None:
    """Create ``path`` and its missing parents (``mkdir -p``); raises ``OSError`` (``EEXIST``
    if a component is a file, ``ENAMETOOLONG``...)."""
    missing: list[Path] = []
    current = path
    while not current.is_dir():
        if current.exists() or current.is_symlink():
            raise FileExistsError(17, os.strerror(17), str(current))
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=mode)
        except FileExistsError:
            if not folder.is_dir():
                raise


def walk(top: Path) -> list[Path]:
    """``top``'s descendants, parents before children, sorted per folder; symlinks not followed."""
    out: list[Path] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except (NotADirectoryError, FileNotFoundError):
            continue
        for entry in entries:
            child = Path(entry.path)
            out.append(child)
            if entry.is_dir(follow_symlinks=False):
                stack.append(child)
    # depth-first pre-order with stack order: re-sort to parents-before-children, names ascending
    return sorted(out, key=lambda p: p.relative_to(top).parts)


def remove_tree(top: Path) -> None:
    """``rm -rf top`` with one open folder at a time, relative to it (``dir_fd``), so any depth
    works, even past PATH_MAX; symlinks are removed, never followed."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(top, flags)
    names: list[str] = []
    try:
        while True:
            subdir = None
            with os.scandir(fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        subdir = entry.name
                        break
                    os.unlink(entry.name, dir_fd=fd)
            if subdir is not None:
                child = os.open(subdir, flags, dir_fd=fd)
                os.close(fd)
                fd = child
                names.append(subdir)
                continue
            if not names:
                break
            parent = os.open("..", flags, dir_fd=fd)
            os.close(fd)
            fd = parent
            os.rmdir(names.pop(), dir_fd=fd)
    finally:
        os.close(fd)
    top.rmdir()


def copy_tree(src: Path, dst: Path, dir_mode: int, file_mode: int) -> None:
    """Copy the folder ``src`` into ``dst`` (merged if it exists), files' contents only."""
    make_dirs(dst, dir_mode)
    for path in walk(src):
        target = dst / path.relative_to(src)
        if path.is_dir() and not path.is_symlink():
            make_dirs(target, dir_mode)
            os.chmod(target, dir_mode)
        else:
            shutil.copyfile(path, target, follow_symlinks=False)
            os.chmod(target, file_mode)
    os.chmod(dst, dir_mode)
