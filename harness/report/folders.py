"""Which folder ``harness report`` and ``harness bundle`` were given, and one line when it is none
they take.

They take two kinds of folder (docs/scenarios.md, "Running packs"):

- a **session folder** ``OUT/<session id>/`` of ``harness run`` or the pytest plugin: the merged
  ``findings.json``, ``run.json`` (``harness run`` only) and one lab folder per test module under
  ``<worker>/<module>/`` (worker ``main``, or ``gw0``, ``gw1``... under ``pytest -n``);
- a **run folder**: one run store (``store.sqlite``): a lab folder ``<worker>/<module>/`` of a
  session, or a run of ``harness demo`` / ``harness record``;

and, for ``harness report`` only, any folder holding a ``findings.json`` (rendered as it is: a
flow or HAR file's analysis, ``harness analyze FILE --out DIR``, is such a folder; a file itself is
refused with that command as the fix).
A worker folder (``<session>/gw0``) or any other folder is refused with
:class:`~harness.errors.UsageError` naming what was expected.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from harness.capture.store import DB_NAME
from harness.errors import UsageError
from harness.parsing import quote

Kind = Literal["session", "run", "findings"]
FINDINGS_FILE = "findings.json"
#: ``harness run``'s record of a session (harness.scenario.runner.RUN_NAME)
RUN_FILE = "run.json"
EXPECTED = ("a session folder (OUT/<session id>: findings.json and <worker>/<module>/ lab folders) or a lab "
            "or run folder (holding store.sqlite)")
FIX = "give the session folder `harness run` printed (`harness runs` lists them) or one of its <worker>/<module>/ folders"


def lab_folders(session: Path) -> list[Path]:
    """The lab folders of a session (``<worker>/<module>/`` holding a run store), sorted."""
    return sorted(p.parent for p in session.glob(f"*/*/{DB_NAME}"))


def folder_kind(folder: Path, *, findings_only: bool = False, command: str = "report") -> Kind:
    """What ``folder`` is: ``run`` (a run store), ``session`` (lab folders under
    ``<worker>/<module>/``, or a ``run.json`` of ``harness run``), or — when ``findings_only`` is
    allowed — ``findings`` (only a findings.json). Raises UsageError (one line: what was expected
    and the fix) for anything else; an evidence bundle is named as one, with the way to its run
    for ``harness COMMAND``."""
    if folder.is_file():
        from harness.report.bundle import bundle_given_error

        if bundle := bundle_given_error(folder, command):
            raise bundle
        raise UsageError(f"{quote(str(folder))} is a file, not a folder: expected {EXPECTED}",
                         fix="a capture file (.har, .mitm) is analysed into a folder first: "
                             f"`harness analyze {quote(str(folder))} --out DIR`, then give DIR")
    if not folder.is_dir():
        raise UsageError(f"{quote(str(folder))} is not a folder: expected {EXPECTED}", fix=FIX)
    if (folder / DB_NAME).is_file():
        return "run"
    if _is_session(folder):
        return "session"
    if findings_only and (folder / FINDINGS_FILE).is_file():
        return "findings"
    if any(folder.glob(f"*/{DB_NAME}")) and _is_session(folder.parent):  # <session>/<worker>: one level too deep
        raise UsageError(f"{quote(str(folder))} is a worker folder of a session: expected the session folder "
                         f"{folder.parent} or a lab folder {folder / '<module>'}",
                         fix="give one of them (`harness runs` lists the sessions)")
    try:
        holds_runs = any(folder.glob(f"*/{DB_NAME}")) or any(_is_session(c) for c in folder.iterdir() if c.is_dir())
    except OSError:
        holds_runs = False
    if holds_runs:
        raise UsageError(f"{quote(str(folder))} holds run folders but is not one: expected {EXPECTED}",
                         fix=f"give one of them (`harness runs {quote(str(folder))}` lists them)")
    raise UsageError(f"{quote(str(folder))} is neither a session folder nor a run folder: expected {EXPECTED}",
                     fix=FIX)


def _is_session(folder: Path) -> bool:
    """``harness run``'s ``run.json``, or lab folders with the session's findings.json or whose
    run store names this session (``pytest.session`` in its metadata: a session stopped before
    its findings.json)."""
    from harness.capture.store import RunStore
    from harness.errors import HarnessError

    if (folder / RUN_FILE).is_file():
        return True
    labs = lab_folders(folder)
    if labs and (folder / FINDINGS_FILE).is_file():
        return True
    for lab in labs:
        try:
            pytest_meta = RunStore.open(lab).meta().get("pytest")
        except HarnessError:
            continue
        if isinstance(pytest_meta, dict) and pytest_meta.get("session") == folder.name:
            return True
    return False


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def session_record(session: Path) -> tuple[str, dict[str, Any], Any]:
    """``(status, metadata, device facts)`` of a session folder for its bundle:

    - status ``recording`` while a lab's store is still written; ``interrupted`` when ``run.json``
      says a signal stopped it; ``incomplete`` when a lab's store says so or the session has no
      findings.json; else the findings document's ``status`` (``complete``);
    - metadata: ``run_id`` (the session id, the folder's name), ``session`` (``run.json``, or None
      under plain pytest) and ``labs`` (each lab folder's status);
    - device facts: the findings document's ``devices`` (one per device), else None.
    """
    from harness.capture.store import RunStore
    from harness.errors import HarnessError

    labs: dict[str, str] = {}
    for lab in lab_folders(session):
        try:
            labs[lab.relative_to(session).as_posix()] = RunStore.open(lab).status
        except HarnessError:
            labs[lab.relative_to(session).as_posix()] = "unreadable"
    findings = _read_json(session / FINDINGS_FILE)
    run = _read_json(session / RUN_FILE)
    statuses = set(labs.values())
    if "recording" in statuses:
        status = "recording"
    elif run is not None and run.get("interrupted"):
        status = "interrupted"
    elif statuses - {"complete"} or findings is None:
        status = "incomplete"
    else:
        status = str(findings.get("status") or "incomplete")
    devices = (findings or {}).get("devices") or None
    return status, {"run_id": session.name, "session": run, "labs": labs}, devices
