"""Claims and findings of the pytest plugin, through :mod:`harness.report.document` only.

- :func:`save_claim`: one claim record into ``RUN_DIR/claims.jsonl``;
- :func:`lab_findings`: a closed lab's run dir -> ``RUN_DIR/findings.json`` (``build_findings``);
- :func:`merge_session`: every ``findings.json`` of the labs under ``OUT/<session id>/`` (all
  workers) -> ``OUT/<session id>/findings.json`` (``merge_findings``, a per-device column).

The shapes are those of docs/dev/contracts.md (findings.schema.json).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def save_claim(run_dir: Path, record: dict[str, Any]) -> dict[str, Any]:
    """Append ``record`` to ``RUN_DIR/claims.jsonl`` (0600); the record as saved (a verdict citing
    no evidence is saved ``inconclusive``: :func:`harness.report.document.save_claim`)."""
    from harness.report.document import save_claim as save

    return save(Path(run_dir), record)


def restore_of(lab: Any) -> dict[str, Any] | None:
    """The ``restore`` record of a closed lab (None when no lab was opened): the same record as the
    demo's (:func:`harness.device.restore.restore_record`)."""
    if lab is None:
        return None
    from harness.scenario.labdevice import restore_record

    return restore_record(lab.restore, lab.serial, lab.restore_problem)


def lab_findings(run_dir: Path, *, scenarios: list[str], world: str | None, profile: str | None,
                 home: Path | None, mmdb: Path | None = None, policy: Any = None,
                 extra: dict[str, Any] | None = None) -> Path:
    """Build and write the findings document of one closed lab run; its path. ``mmdb``
    (``--harness-geo-db``) and ``policy`` (``--harness-policy``, a loaded Policy) join the
    analysis; otherwise build_findings's defaults (the run's recorded geo tables). ``extra``: see
    :func:`~harness.report.document.build_findings` (the lab's ``restore`` record)."""
    from harness.report.document import build_findings, write_findings

    if mmdb is None and policy is None:
        doc = build_findings(Path(run_dir), scenarios=scenarios, world=world, profile=profile, home=home,
                             extra=extra)
        return Path(write_findings(Path(run_dir), doc))
    from harness.analysis import Options
    from harness.analysis.geo import GeoResolver, recorded_overrides
    from harness.analysis.policy import Policy

    geo = GeoResolver(recorded_overrides(run_dir), mmdb)
    try:
        options = Options(geo=geo, lists_dir=Path(home) / "lists" if home is not None else None,
                          policy=policy if policy is not None else Policy())
        doc = build_findings(Path(run_dir), scenarios=scenarios, world=world, profile=profile, home=home,
                             options=options, extra=extra)
    finally:
        geo.close()
    return Path(write_findings(Path(run_dir), doc))


def lab_documents(session_dir: Path) -> list[Path]:
    """The labs' ``findings.json`` under ``OUT/<session id>/<worker>/<module>/``, in a stable order."""
    return sorted(p for p in Path(session_dir).glob("*/*/findings.json") if p.is_file())


def merge_session(session_dir: Path) -> Path | None:
    """Merge the labs' documents of a session into ``SESSION_DIR/findings.json`` (its ``run_id``
    the session id, the folder's name); its path, or None when no lab wrote one. The session's own
    ``claims.jsonl`` (the claims a stopped session did not run, :func:`not_run`) joins the claims;
    the document is then ``incomplete``."""
    paths = lab_documents(session_dir)
    if not paths:
        return None
    from harness.report.document import load_claims, merge_findings, write_findings
    from harness.report.merge import claim_matrix

    docs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    merged = merge_findings(docs, run_id=Path(session_dir).name)
    left = load_claims(session_dir)
    if left:
        merged["claims"] = [*merged["claims"], *left]
        serials = sorted({str(v) for row in merged.get("claim_matrix") or [] for v in row.get("verdicts") or {}})
        merged["claim_matrix"] = claim_matrix(merged["claims"], serials)
        merged["status"] = "incomplete"
    return Path(write_findings(Path(session_dir), merged))


def not_run(hs: Any, items: list[Any], claim_text: Callable[[Any], str | None]) -> None:
    """Keep the claims of ``items`` (the selected tests a stopped session never started) in
    ``SESSION_DIR/claims.jsonl`` with the verdict ``not run``; ``claim_text`` gives a test's claim
    sentence (None: no claim marker; such tests are not claims, ``harness run`` lists them from
    pytest's collection)."""
    from harness.scenario.plugin_verdict import pack_of

    records = []
    for item in items:
        text = claim_text(item)
        if text is None:
            continue
        pack = pack_of(item)
        records.append({"id": f"{pack}.{item.name}", "pack": pack, "nodeid": item.nodeid, "text": text,
                        "verdict": "not run", "details": f"not run: the session was interrupted by {hs.interrupted}",
                        "rule": None, "numbers": {}, "evidence": {"flow_ids": [], "event_ids": []},
                        "device": None, "steps": []})
    if not records:
        return
    from harness.fsutil import private_dir

    private_dir(hs.session_dir)
    for record in records:
        save_claim(hs.session_dir, record)
