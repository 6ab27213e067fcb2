"""The ONE findings builder: a run directory (its store, ``claims.jsonl`` and kept extras) → the
findings contract document (``findings.json``, harness/report/findings.schema.json,
docs/dev/contracts.md section 8).

``harness demo``, ``harness analyze --out``, ``harness report RUN_DIR``, the pytest plugin and
``harness run`` all write ``findings.json`` through these functions.

Files in a run directory (each 0600):

- ``claims.jsonl`` — one claim record per line (:func:`save_claim`), appended as claims are
  decided, so a report can be regenerated from the run alone;
- ``findings-extra.json`` — top-level keys a caller adds that the store cannot give again (the
  demo's ``setup``, ``restore``, ``ground_truth``), kept by :func:`build_findings` /
  :func:`add_extra`;
- ``findings.json`` — the document (:func:`write_findings`).

Determinism: the same run directory gives byte-identical ``findings.json``: ``created_at`` is the
run's ``closed_at`` (not the time of writing), steps, flows and findings keep the store's order,
finding ids are ``F1``, ``F2``, ... in the analysis's order, claims keep the file's order.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness import __version__
from harness.errors import UsageError
from harness.fsutil import private_dir, write_private
from harness.report.contract import SCHEMA_ID
from harness.report.labels import target_label
from harness.report.merge import merge_findings

CLAIMS_FILE = "claims.jsonl"
EXTRA_FILE = "findings-extra.json"
#: the key under which EXTRA_FILE keeps build_findings' explicit scenarios/world/profile
ARGS_KEY = "_build_args"
FINDINGS_FILE = "findings.json"
#: what a claim record may say: a verdict; ``error`` for a claim whose test crashed before recording
#: one; ``not run`` for a selected claim a stopped session never reached
CLAIM_VERDICTS = ("holds", "violated", "inconclusive", "error", "not run")
#: keys :func:`build_findings` computes: an ``extra`` may not replace them
COMPUTED = frozenset({"schema", "run_id", "harness_version", "created_at", "run_dir", "status", "started_at",
                      "ended_at", "world", "target", "profile", "geo", "device", "tool_versions", "scenarios", "claims",
                      "steps", "findings", "summary", "source"})

__all__ = ["CLAIMS_FILE", "EXTRA_FILE", "FINDINGS_FILE", "add_extra", "build_findings", "claim_record",
           "findings_document", "iso", "load_claims", "merge_findings", "save_claim", "write_findings"]


def iso(ts: float | None) -> str | None:
    """Unix seconds → UTC ISO 8601 with ``Z`` (``2026-12-01T10:00:00.123000Z``); None stays None."""
    if ts is None:
        return None
    return datetime.datetime.fromtimestamp(float(ts), datetime.UTC).isoformat().replace("+00:00", "Z")


# -- claims ----------------------------------------------------------------------------------------

def save_claim(run_dir: str | os.PathLike[str], record: dict[str, Any]) -> dict[str, Any]:
    """Append one claim record to ``RUN_DIR/claims.jsonl`` (file 0600, one JSON object per line):
    ``{"id": "<pack>.<test function>", "pack", "nodeid", "text", "verdict": holds|violated|
    inconclusive|error|not run, "details", "rule", "numbers", "evidence": {"flow_ids": [...], "event_ids": [...]},
    "device": "<adb serial>", "steps": ["<step id>", ...]}``. ``text`` and ``verdict`` are required.
    The record as saved is returned.

    A finding is evidence (docs/scenarios.md): a ``holds`` or ``violated`` record that cites no
    flow or agent event id is saved as ``inconclusive`` with the details ``no evidence cited: ...``
    (what the claim said, kept after the colon). Every claim is recorded here (the pytest plugin's
    ``verdict`` fixture, the demo), so no claim test, a lab's own included, records a verdict
    with nothing behind it.

    Raises :class:`~harness.errors.UsageError` for a record without a claim sentence or with an
    unknown verdict (nothing is written then)."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"]:
        raise UsageError(f"claim record without a claim sentence ('text'): {str(record)[:80]}",
                         fix="give the claim's sentence (the test's claim marker) as 'text'")
    if record.get("verdict") not in CLAIM_VERDICTS:
        raise UsageError(f"claim {record['text'][:60]!r}: verdict {str(record.get('verdict'))[:30]!r} is not one of "
                         + ", ".join(CLAIM_VERDICTS), fix="record holds, violated, inconclusive, error or not run")
    evidence = record.get("evidence") or {}
    line = {**record, "evidence": {"flow_ids": list(evidence.get("flow_ids") or []),
                                   "event_ids": list(evidence.get("event_ids") or [])}}
    line.update(unsupported(line))
    data = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode()
    path = Path(run_dir) / CLAIMS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)  # one write of an O_APPEND file: lines of parallel writers do not interleave
    finally:
        os.close(fd)
    return line


#: the reason a verdict without evidence is recorded ``inconclusive``
NO_EVIDENCE = "no evidence cited"


def unsupported(record: dict[str, Any]) -> dict[str, Any]:
    """The keys that turn a ``holds``/``violated`` claim record citing no evidence id into an
    ``inconclusive`` one (``{"verdict": "inconclusive", "details": "no evidence cited: ..."}``);
    ``{}`` when the record cites evidence or is no such verdict."""
    ev = record.get("evidence") or {}
    cites = bool(ev.get("flow_ids") or ev.get("event_ids")) if isinstance(ev, dict) else bool(ev)
    if record.get("verdict") not in ("holds", "violated") or cites:
        return {}
    said = str(record.get("details") or "").strip()
    return {"verdict": "inconclusive",
            "details": f"{NO_EVIDENCE}: the claim said {record['verdict']}" + (f" ({said})" if said else "")}


def load_claims(run_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The claim records of ``RUN_DIR/claims.jsonl`` in the order they were saved; ``[]`` without
    the file. A torn last line (a writer killed mid-line) is skipped; any other bad line raises
    :class:`~harness.errors.UsageError` naming the file and line."""
    path = Path(run_dir) / CLAIMS_FILE
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {type(exc).__name__}", fix="restore the run's claims.jsonl") from exc
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            if number == len(lines):  # no newline after it: the write was cut short
                continue
            raise UsageError(f"{path} line {number}: not JSON: {line[:80]!r}",
                             fix="remove or repair the line (each line is one claim record)") from None
        if not isinstance(record, dict) or "text" not in record or "verdict" not in record:
            raise UsageError(f"{path} line {number}: not a claim record (needs 'text' and 'verdict')",
                             fix="remove or repair the line (each line is one claim record)")
        out.append(record)
    return out


def claim_record(result: Any, *, claim_id: str, flow_ids: Iterable[str], pack: str | None = None,
                 nodeid: str | None = None, device: str | None = None, steps: Iterable[str] = (),
                 verdict: str | None = None) -> dict[str, Any]:
    """A :class:`~harness.scenario.ClaimResult` as a claim record for :func:`save_claim`: its
    evidence ids split into the run's ``flow_ids`` and the rest (agent event ids); the verdict is
    ``holds``/``violated`` from the result unless ``verdict`` is given (``inconclusive``)."""
    flows = set(flow_ids)
    evidence = list(result.evidence)
    return {"id": claim_id, "pack": pack, "nodeid": nodeid, "text": result.claim,
            "verdict": verdict or ("holds" if result.holds else "violated"),
            "details": result.details, "rule": result.rule, "numbers": dict(result.numbers),
            "evidence": {"flow_ids": [i for i in evidence if i in flows],
                         "event_ids": [i for i in evidence if i not in flows]},
            "device": device, "steps": list(steps)}


# -- building --------------------------------------------------------------------------------------

def build_findings(run_dir: str | os.PathLike[str], *, scenarios: Iterable[str] = (), world: str | None = None,
                   profile: str | None = None, home: str | os.PathLike[str] | None = None,
                   extra: dict[str, Any] | None = None, options: Any = None) -> dict[str, Any]:
    """Analyse the run directory (store, recorded geo tables, device facts) with its claims
    (``claims.jsonl``) into the findings document. ``scenarios``, ``world`` and ``profile``
    default to what the run recorded (the claims' packs, the run's world and profile); ``home``
    gives the keyword-list store (``HOME/lists``, for version diffs across runs); ``options``
    (:class:`harness.analysis.Options`) replaces the default analysis options. ``extra`` adds
    top-level keys and is kept in ``RUN_DIR/findings-extra.json``, so that
    ``harness report RUN_DIR`` rebuilds the same document (explicit ``scenarios``, ``world`` and
    ``profile`` are kept there too).

    Raises :class:`~harness.errors.UsageError` when ``run_dir`` is not a run directory, and any
    :class:`~harness.errors.AnalysisError` of the analysis."""
    from harness.analysis import Options, analyze
    from harness.analysis.geo import GeoResolver, recorded_overrides
    from harness.capture.store import DB_NAME, RunStore

    run = Path(run_dir)
    if not (run / DB_NAME).is_file():
        raise UsageError(f"{run} is not a run directory (no {DB_NAME})",
                         fix="give a directory written by harness capture, demo, run or the pytest plugin")
    if extra:
        _save_extra(run, extra)
    # explicit scenarios/world/profile are kept too: a rebuild without them gives the same document
    kept = _load_extra(run).get(ARGS_KEY) or {}
    args: dict[str, Any] = {"scenarios": list(scenarios) or kept.get("scenarios") or [],
                            "world": world or kept.get("world"),
            "profile": profile or kept.get("profile")}
    if args != {"scenarios": kept.get("scenarios") or [], "world": kept.get("world"), "profile": kept.get("profile")}:
        _save_extra(run, {ARGS_KEY: args})
    geo = None
    if options is None:
        geo = GeoResolver(recorded_overrides(run))
        options = Options(geo=geo, lists_dir=Path(home) / "lists" if home is not None else None)
    try:
        analysis = analyze(run, options)
    finally:
        if geo is not None:
            geo.close()
    store = RunStore.open(run)
    return findings_document(analysis, store=store, run_dir=run, **args)


def add_extra(run_dir: str | os.PathLike[str], doc: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with ``extra``'s keys added (after the computed ones), the extras kept in
    ``RUN_DIR/findings-extra.json`` for regeneration: what :func:`build_findings` with the same
    ``extra`` gives, without analysing again (for extras computed from the document itself)."""
    saved = _save_extra(Path(run_dir), extra)
    return {**{k: v for k, v in doc.items() if k in COMPUTED}, **_public(saved)}


def _public(extras: dict[str, Any]) -> dict[str, Any]:
    """The extras that are document keys (not the kept build arguments)."""
    return {k: v for k, v in extras.items() if k != ARGS_KEY}


def _save_extra(run: Path, extra: dict[str, Any]) -> dict[str, Any]:
    clash = sorted(set(extra) & COMPUTED)
    if clash:
        raise UsageError(f"findings extras may not replace computed keys: {', '.join(clash)}",
                         fix="give the extra under another key")
    saved = {**_load_extra(run), **json.loads(json.dumps(extra, default=str))}
    write_private(run / EXTRA_FILE, json.dumps(saved, indent=2, ensure_ascii=False) + "\n")
    return saved


def _load_extra(run: Path) -> dict[str, Any]:
    path = run / EXTRA_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path}: {type(exc).__name__}",
                         fix="restore the file from the run's evidence bundle, or delete it") from exc
    if not isinstance(doc, dict):
        raise UsageError(f"{path} is not a JSON object", fix="restore the file from the run's evidence bundle")
    return doc


def findings_document(analysis: Any, *, store: Any = None, run_dir: Path | None = None,
                      scenarios: Iterable[str] = (), world: str | None = None, profile: str | None = None,
                      facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """The findings document of an :class:`~harness.analysis.pipeline.Analysis`: of a run (``store``
    and ``run_dir`` given: identity, status, times, world, device facts, claims and extras come
    from the run) or of a flow/HAR file (identity from the file; ``facts`` as analysed)."""
    from harness.analysis.summary import summary_dict
    from harness.report.bundle_code import claim_code_note
    from harness.report.versions import analysis_versions, tool_versions

    path = Path(analysis.path)
    meta: dict[str, Any] = store.meta() if store is not None else {}
    claims = load_claims(run_dir) if run_dir is not None else []
    kept = _load_extra(run_dir) if run_dir is not None else {}
    extras = _public(kept)
    args = kept.get(ARGS_KEY) or {}  # what an earlier build was given explicitly
    scenarios = list(scenarios) or args.get("scenarios") or []
    world = world or args.get("world")
    profile = profile or args.get("profile")
    device = _facts(run_dir) if run_dir is not None else dict(facts or {})
    if device.get("collected_at") is not None and not isinstance(device["collected_at"], str):
        device["collected_at"] = iso(device["collected_at"])
    code_note = claim_code_note(run_dir, meta.get("test_module")) if run_dir is not None else None
    for c in claims:
        c["device"] = c.get("device") or device.get("adb_serial")
        c.update(unsupported(c))  # a record written elsewhere that cites nothing decides nothing
        if code_note:  # read from a bundle whose code/ file of this lab is not the code that ran
            c["code_note"] = code_note
    if store is not None:
        created = meta.get("closed_at") or meta.get("created_at")
        status = store.status
    else:
        created = path.stat().st_mtime if path.exists() else None  # the recording's time, not now
        status = "incomplete" if analysis.incomplete else "complete"
    summary = summary_dict(analysis)
    summary.pop("findings")  # the document's own ``findings``
    doc: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "run_id": str(meta.get("run_id") or (run_dir.name if run_dir is not None else path.stem) or "run"),
        "harness_version": __version__,
        "created_at": iso(created if created is not None else datetime.datetime.now(datetime.UTC).timestamp()),
        "run_dir": str(run_dir) if run_dir is not None else None,
        "status": status,
        "started_at": iso(meta.get("created_at")),
        "ended_at": iso(meta.get("closed_at")),
        "world": _world(meta, world, run_dir),
        "target": None,
        "profile": profile or meta.get("profile"),
        "geo": analysis.meta.get("geo"),
        "device": device,
        "tool_versions": meta.get("tool_versions") or (tool_versions() if store is not None else analysis_versions()),
        "scenarios": list(scenarios) or sorted({str(c["pack"]) for c in claims if c.get("pack")}),
        "claims": claims,
        "steps": _steps(analysis),
        "findings": [{"id": f"F{i}", **f.to_dict()} for i, f in enumerate(analysis.finding_list, 1)],
        "summary": summary,
    }
    recorded = meta.get("target")
    doc["target"] = target_label(str(recorded) if recorded else None, (doc["world"] or {}).get("name")) or None
    if run_dir is None:
        doc.pop("run_dir")
    if store is None:
        doc["source"] = _source(analysis.source, path)
    return {**doc, **extras}


def _source(kind: str, path: Path) -> dict[str, Any]:
    """``{"kind": "har"|"mitm", "file": NAME, "sha256": HEX or None}`` of the analysed flow or HAR
    file (None when it cannot be read again): what a report names instead of a device. A HAR's
    also says ``har_entry_base``: the number of its first entry in ``har-N`` flow ids (1,
    :data:`harness.analysis.har.FIRST_ENTRY`; a document without it numbered from 0)."""
    import hashlib

    from harness.analysis.har import FIRST_ENTRY

    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        digest: str | None = h.hexdigest()
    except OSError:
        digest = None
    out: dict[str, Any] = {"kind": kind, "file": path.name, "sha256": digest}
    if kind == "har":
        out["har_entry_base"] = FIRST_ENTRY
    return out


def _facts(run_dir: Path) -> dict[str, Any]:
    """The device facts the run kept (``artifacts/facts.json``), or ``{}``."""
    try:
        facts = json.loads((run_dir / "artifacts" / "facts.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return facts if isinstance(facts, dict) else {}


def _world(meta: dict[str, Any], name: str | None, run_dir: Path | None) -> dict[str, Any] | None:
    """``{"name", "geo_overrides": {cidr: country}}`` of a virtual world's run (the geo tables the
    run recorded), else None."""
    from harness.analysis.geo import recorded_overrides

    recorded = meta.get("world")
    name = name or (recorded.get("name") if isinstance(recorded, dict) else recorded)
    if not name:
        return None
    tables = recorded_overrides(run_dir) if run_dir is not None else []
    return {"name": str(name), "geo_overrides": {str(o.network): o.country for o in tables}}


def _steps(analysis: Any) -> list[dict[str, Any]]:
    """The steps in the store's order, each with its flow and agent event ids (in recording order)."""
    flow_ids: dict[str, list[str]] = {}
    event_ids: dict[str, list[str]] = {}
    for ids, frame in ((flow_ids, analysis.flows), (event_ids, analysis.agent_events)):
        if not frame.empty:
            for fid, sid in zip(frame["id"], frame["step_id"], strict=True):
                if isinstance(sid, str):
                    ids.setdefault(sid, []).append(str(fid))
    out = []
    for s in analysis.steps.to_dict("records"):
        try:
            info = json.loads(s["info"]) if isinstance(s.get("info"), str) else {}
        except ValueError:
            info = {}
        out.append({"id": s["id"], "name": _str(s.get("name")), "action": _str(s.get("action")), "info": info,
                    "started_at": iso(_num(s.get("started_at"))), "ended_at": iso(_num(s.get("ended_at"))),
                    "flow_ids": flow_ids.get(s["id"], []), "event_ids": event_ids.get(s["id"], [])})
    return out


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if f != f else f  # NaN: not recorded


# -- writing ---------------------------------------------------------------------------------------

def dumps(doc: dict[str, Any]) -> str:
    """The document as stable JSON text (2-space indent, UTF-8 kept, a final newline)."""
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"


def write_findings(out: str | os.PathLike[str], doc: dict[str, Any]) -> Path:
    """Write ``doc`` to ``OUT/findings.json`` (folder made 0700, file 0600); the path."""
    return write_private(private_dir(out) / FINDINGS_FILE, dumps(doc))
