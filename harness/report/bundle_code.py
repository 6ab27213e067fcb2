"""What an evidence bundle says about its claim code, in one wording for ``harness bundle``,
``harness verify`` and the report (docs/reports.md, "Evidence bundles"; trial report 6, finding 1).

A bundle carries the lab's own claim code under ``code/`` as it is when the bundle is made; the
manifest's ``code`` entries keep, beside each file's bundled SHA-256, the SHA-256 the lab recorded
when it ran the file (``ran_sha256``, harness.report.provenance). When the two differ the bundled
file is *not* the code that decided the verdicts: :func:`mismatch_note` says so, ``verify`` prints
it, and a report regenerated from the bundle's ``run/`` folder marks the claims that file decided
(:func:`claim_code_note`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: how many hex digits of a SHA-256 the claims table shows (verify and the manifest give all 64)
SHORT = 12


def mismatch_note(member: str, ran_sha256: str, bundled_sha256: str) -> str:
    """``code/x.py is not the code that ran (SHA-256 A when it ran, B bundled)``: ``member`` is the
    file's name in the zip, the hashes are 64 hex digits."""
    return f"{member} is not the code that ran (SHA-256 {ran_sha256} when it ran, {bundled_sha256} bundled)"


def count_text(run_files: int, code_files: int) -> str:
    """``15 run files and 1 code file`` (``7 run files`` without code): how ``harness bundle`` and
    ``harness verify`` both count a bundle's members (``run/...`` and ``code/...``)."""
    def n(count: int, what: str) -> str:
        return f"{count} {what} file{'' if count == 1 else 's'}"

    return n(run_files, "run") + (f" and {n(code_files, 'code')}" if code_files else "")


def _entries(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in manifest.get("code") or [] if isinstance(e, dict)]


def code_notes(manifest: dict[str, Any]) -> list[str]:
    """What a manifest says about its claim code, one line each: every ``code`` entry whose
    ``ran_sha256`` (recorded) differs from its ``sha256`` (bundled), in :func:`mismatch_note`'s
    words, then the other ``code_notes`` (claim code gone since the run, a folder cut at its file
    limit). A bundle made before this wording kept its mismatch as ``code/x.py changed since the
    run: ...`` in ``code_notes``: that line is not repeated."""
    notes, members = [], []
    for e in _entries(manifest):
        ran, bundled = e.get("ran_sha256"), e.get("sha256")
        if ran and bundled and ran != bundled:
            member = f"code/{e.get('path')}"
            members.append(member)
            notes.append(mismatch_note(member, str(ran), str(bundled)))
    for note in manifest.get("code_notes") or []:
        text = str(note)
        if text not in notes and not any(text.startswith(m + " ") for m in members):
            notes.append(text)
    return notes


def _bundle_manifest(run_dir: Path) -> dict[str, Any] | None:
    """The manifest of the unzipped bundle whose ``run/`` folder holds ``run_dir`` (the run folder
    itself, or a session's lab folder ``run/<worker>/<module>``), or None outside a bundle."""
    from harness.report.bundle import FORMAT, MANIFEST

    here = run_dir.resolve()
    for folder in [here, *list(here.parents)[:2]]:
        if folder.name == "run" and (folder.parent / MANIFEST).is_file():
            try:
                manifest = json.loads((folder.parent / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):
                return None
            return manifest if isinstance(manifest, dict) and manifest.get("format") == FORMAT else None
    return None


def claim_code_note(run_dir: Path, test_module: Any) -> str | None:
    """For the claims of a lab (``run_dir``) read from an unzipped bundle's ``run/`` folder: a
    sentence when the bundled file of the lab's test module (``test_module``: its store's
    ``{"path", "sha256"}``, harness.report.provenance.META_KEY) is not the code that ran, else
    None (outside a bundle, a module the bundle does not carry, a hash not recorded)."""
    if not isinstance(test_module, dict) or not test_module.get("path") or not test_module.get("sha256"):
        return None
    manifest = _bundle_manifest(run_dir)
    if manifest is None:
        return None
    ran = str(test_module["sha256"])
    for e in _entries(manifest):
        if e.get("source") == test_module["path"] and e.get("sha256") and e["sha256"] != ran:
            return (f"decided by code that is not in this bundle: code/{e.get('path')} is not the code that ran "
                    f"(SHA-256 {ran[:SHORT]}… when it ran, {str(e['sha256'])[:SHORT]}… bundled)")
    return None
