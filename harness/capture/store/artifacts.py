"""Artifact files of a run: logcat, screenshots, device facts, agent bundles, notes.

An artifact is a file in ``RUN_DIR/artifacts/`` (0600, created exclusively: an existing file is
never overwritten; a taken name gets a numeric suffix, ``name-1.ext``, ``name-2.ext``, ...) plus a
row in the store's ``artifacts`` table, which the store's writer thread adds. Errors: a file
that cannot be written (or a source that cannot be read) raises :class:`~harness.errors.StoreError`.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from harness.capture.store.schema import ARTIFACTS_DIR
from harness.errors import StoreError
from harness.fsutil import FILE_MODE


def write_artifact(
    run_dir: Path, name: str, data: bytes | str | os.PathLike[str], lock: threading.Lock,
) -> Path:
    """Write ``data`` (bytes, or a copy of the file at a path) as ``run_dir/artifacts/<name>``.

    ``name`` is reduced to its last component with characters outside ``[A-Za-z0-9._-]`` made
    ``_`` and no leading dot (``artifact`` when nothing is left). ``lock`` serialises the choice
    of a free name within the process. Returns the file's path; raises :class:`StoreError` when it
    cannot be written or a source path cannot be read.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).name).lstrip(".") or "artifact"
    folder = run_dir / ARTIFACTS_DIR
    with lock:
        target = folder / safe
        n = 1
        while target.exists():
            stem, dot, suffix = safe.partition(".")
            target = folder / f"{stem}-{n}{dot}{suffix}"
            n += 1
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, bytes):
                    out.write(data)
                else:
                    with open(data, "rb") as src:
                        shutil.copyfileobj(src, out)
        except OSError as exc:
            raise StoreError(f"cannot write artifact {target}: {exc.strerror or exc}",
                             fix="free disk space or fix permissions", attempted="add artifact") from exc
    return target


def artifact_row(target: Path, kind: str, step_id: str | None) -> tuple[Any, ...]:
    """The values of :data:`~harness.capture.store.schema.INSERT_ARTIFACT` for a written file:
    its name, ``kind``, path relative to the run directory, size (bytes), now (UNIX s), step."""
    return (target.name, kind, f"{ARTIFACTS_DIR}/{target.name}", target.stat().st_size, time.time(), step_id)
