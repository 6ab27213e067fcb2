"""How every place names what a run ran on: ``harness runs``, ``harness run``'s progress and
verdict output, the HTML report and ``findings.json`` (``target``) all call :func:`target_label`,
so a run reads the same everywhere (docs/scenarios.md, "Running packs")."""

from __future__ import annotations

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
