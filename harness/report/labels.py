"""How every place names what a run ran on: ``harness runs``, ``harness run``'s progress and
verdict output, the HTML report and ``findings.json`` (``target``) all call :func:`target_label`,
so a run reads the same everywhere (docs/scenarios.md, "Running packs")."""

from __future__ import annotations

from typing import Any

VIRTUAL = "virtual"
PHONE = "phone"


def target_label(target: str | None, world: str | None = None) -> str:
    """``virtual (world W)`` for a virtual handset in world ``W`` (``virtual`` when the world is not
    known), ``phone`` for a phone, ``phone S1,S2`` when ``target`` is the adb serials
    (``harness run --target``); ``target`` None with a world is a virtual handset, with neither
    ``""`` (not known).

    >>> target_label("virtual", "compliant"), target_label("phone"), target_label("R58M1,R58M2")
    ('virtual (world compliant)', 'phone', 'phone R58M1,R58M2')
    """
    if target == VIRTUAL or (not target and world):
        return f"{VIRTUAL} (world {world})" if world else VIRTUAL
    if not target:
        return ""
    return PHONE if target == PHONE else f"{PHONE} {target}"


def restore_text(record: dict[str, Any]) -> str:
    """One line for a findings document's ``restore`` record (:func:`harness.scenario.labdevice.restore_record`,
    or a session's, :func:`harness.report.merge.merge_restore`): ``yes: 4 change(s) undone, verified
    against its snapshot``, ``NOT restored: journal kept (WHY); run `harness restore --device S```
    or ``not verified: WHY``. A record from before ``text`` existed (``{"verified": bool}``) reads the same."""
    if record.get("text"):
        return str(record["text"])
    if record.get("verified"):
        undone = record.get("undone")
        return ("yes: " + (f"{undone} change(s) undone, " if undone is not None else "")
                + "verified against its snapshot")
    lines = [str(line) for line in record.get("report") or [] if not str(line).startswith("undone: ")]
    why = "; ".join(lines)[:200] or "not verified against its snapshot"
    if record.get("journal_kept", True):
        return f"NOT restored: journal kept ({why}); run `harness restore --device {record.get('serial') or 'SERIAL'}`"
    return f"not verified: {why}"
