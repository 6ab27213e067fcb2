"""The run directories under a folder, for ``harness runs``: what each is and how it ended.

A run directory is either a session of ``harness run`` / the pytest plugin (``findings.json``,
``run.json``, and one run store per lab under ``<worker>/<module>/``) or a single run
(``harness demo``, ``harness record``: the run store in the folder itself). What is shown comes
from those files only (:class:`harness.capture.store.RunStore` read-only, never repaired):

- ``status``: ``recording`` while a writer is alive, ``incomplete`` when a store or the session
  says so (a stopped or crashed run, or a session without findings.json), else the findings
  document's status, else ``complete``;
- ``device``: the adb serials of the stores; ``target``: ``virtual (world W)`` or ``phone``
  (:func:`harness.report.labels.target_label`);
  ``packs``: what ``harness run`` was asked, else the document's ``scenarios``;
- ``kinds``: findings counted by kind; ``when``: when the run started (UNIX seconds: run.json, the
  stores' creation, the run id in the folder's name (:mod:`harness.runid`), else its mtime).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.capture.store import DB_NAME, RunStore
from harness.errors import HarnessError
from harness.report.labels import target_label
from harness.runid import run_id_time
from harness.scenario.run_results import finding_label, load_findings
from harness.scenario.runner import RUN_NAME


@dataclass
class RunInfo:
    path: Path
    status: str
    when: float | None
    device: list[str] = field(default_factory=list)
    target: str = ""
    packs: list[str] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    #: claims counted by verdict
    verdicts: dict[str, int] = field(default_factory=dict)


def _stores(path: Path) -> list[Path]:
    if (path / DB_NAME).is_file():
        return [path]
    return sorted(p.parent for p in path.glob(f"*/*/{DB_NAME}"))  # a session: <worker>/<module>/


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def describe(path: Path) -> RunInfo | None:
    """What the run directory ``path`` holds, or None when it is not one."""
    findings = load_findings(path)
    run = _read_json(path / RUN_NAME)
    metas: list[tuple[str, dict[str, Any]]] = []
    for store_dir in _stores(path):
        try:
            store = RunStore.open(store_dir)
            metas.append((store.status, store.meta()))
        except HarnessError:
            metas.append(("unknown", {}))
    if findings is None and run is None and not metas:
        return None
    statuses = [status for status, _ in metas]
    if "recording" in statuses:
        status = "recording"
    elif (run or {}).get("interrupted") or "incomplete" in statuses or (run is not None and findings is None):
        status = "incomplete"
    elif findings is not None and findings.get("status"):
        status = str(findings["status"])
    else:
        status = "complete" if metas and set(statuses) == {"complete"} else "unknown"
    serials = sorted({str(meta["serial"]) for _, meta in metas if meta.get("serial")})
    if not serials and isinstance((findings or {}).get("device"), dict):
        serial = findings["device"].get("adb_serial") or findings["device"].get("serial")  # type: ignore[index]
        serials = [str(serial)] if serial else []
    targets = []
    for _, meta in metas:
        world = meta.get("world")
        name = world.get("name") if isinstance(world, dict) else world
        text = target_label(str(meta.get("target") or "") or None, str(name) if name else None)
        if text and text not in targets:
            targets.append(text)
    if not targets and run is not None:
        targets = [target_label(str(run.get("target") or "") or None, run.get("world"))]
    packs = list(run.get("packs") or []) if run is not None else []
    if not packs and findings is not None:
        packs = [str(s) for s in findings.get("scenarios") or []]
    kinds = Counter(finding_label(f) for f in (findings or {}).get("findings") or [] if isinstance(f, dict))
    verdicts = Counter(str(c.get("verdict", "?")) for c in (findings or {}).get("claims") or [] if isinstance(c, dict))
    starts = [float(meta["created_at"]) for _, meta in metas if isinstance(meta.get("created_at"), int | float)]
    when = (run or {}).get("started_at") or (min(starts) if starts else None)
    if when is None:  # the time its name says (harness.runid, either format), else the folder's
        when = run_id_time(path.name)
    if when is None:
        try:
            when = path.stat().st_mtime
        except OSError:
            when = None
    return RunInfo(path=path, status=status, when=when, device=serials, target=", ".join(targets), packs=packs,
                   kinds=dict(kinds), verdicts=dict(verdicts))


def list_runs(root: Path) -> list[RunInfo]:
    """The run directories directly under ``root`` (hidden folders skipped), newest first; ``root``
    itself when it is one."""
    own = describe(root)
    if own is not None:
        return [own]
    found = []
    for child in root.iterdir() if root.is_dir() else []:
        if child.is_dir() and not child.name.startswith("."):
            info = describe(child)
            if info is not None:
                found.append(info)
    return sorted(found, key=lambda info: (info.when or 0.0, info.path.name), reverse=True)
