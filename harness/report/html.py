"""``report.html``: a findings document as one self-contained, offline, printable page.

The page has no scripts and loads nothing (a Content-Security-Policy says so): charts are inline
SVG from :mod:`harness.report.charts`, styles are inline, and a print stylesheet makes "print to
PDF" a clean document. Everything from the run is HTML-escaped (Jinja2 autoescaping): captured
traffic is attacker-controlled text.

Input: a findings document (``findings.json``, see docs/dev/contracts.md) and, optionally, where
its evidence is (:mod:`harness.report.evidence`: a run store, a session's lab stores, an analysis
folder's frames), from which each evidence flow's request line is shown.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from pathlib import Path
from typing import Any

from harness.analysis.policy import jurisdiction_label
from harness.analysis.summary import not_connected_text
from harness.errors import UsageError
from harness.report.charts import destinations_chart, timeline_chart
from harness.report.evidence import NOT_FOUND, Evidence, as_evidence
from harness.report.labels import restore_text, target_label
from harness.report.redact import Redactor
from harness.wording import counted, ratio_text, utc_seconds

#: verdicts that mean "the claim does not hold" / "holds"; anything else is shown neutral
BAD_VERDICTS = {"violated", "claim_violated", "filtered", "third_country", "fail", "failed"}
GOOD_VERDICTS = {"holds", "claim_holds", "pass", "passed", "not_filtered", "ok"}


def _epoch(iso: Any) -> float | None:
    if not iso:
        return None
    try:
        return datetime.datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _css(verdict: str) -> str:
    v = verdict.lower()
    return "v-bad" if v in BAD_VERDICTS else "v-ok" if v in GOOD_VERDICTS else "v-neutral"


def _flow_row(flow_id: str, evidence: Evidence | None, redactor: Redactor | None = None,
              run_id: str | None = None) -> dict[str, str]:
    """An evidence flow's row: its request line, status and server from the recording that holds
    it (``run_id``'s first: harness.report.evidence), else :data:`NOT_FOUND`."""
    facts = evidence.flow(flow_id, run_id) if evidence is not None else None
    if facts is None:
        return {"id": flow_id, "request": NOT_FOUND, "status": "", "server": ""}
    request = redactor.text(facts.request) if redactor is not None else facts.request
    return {"id": flow_id, "request": request, "status": facts.status, "server": facts.server}


def _finding_facts(details: dict[str, Any]) -> list[tuple[str, str]]:
    """The parts of a finding's details a reader needs beside its summary."""
    out = []
    for key, label in (("value", "value"), ("chains", "encoding chain"), ("countries", "countries"),
                       ("jurisdictions", "jurisdictions"), ("body_length_ratio", "body length ratio"),
                       ("rendered_ratio", "rendered ratio"), ("term", "term"), ("control_term", "control term")):
        v = details.get(key)
        if v not in (None, [], ""):
            out.append((label, ", ".join(map(str, v)) if isinstance(v, list)
                        else ratio_text(v) if key.endswith("_ratio") else str(v)))
    return out


def _enforcement(findings: list[dict[str, Any]], flow_ids: list[str] | None = None) -> dict[str, str]:
    """Tell a list that is *present* from one that is *enforced*: enforced only with a positive
    filtering verdict (OONI-style experiment vs control) as evidence. With ``flow_ids`` (the
    downloads of one list version), "yes" only when that version was the one in force for a
    ``filtered`` comparison (its ``list_in_force``: the last matching list downloaded before the
    experiment), so two versions of a list are not both called enforced by one observation."""
    comparisons = [f for f in findings if f.get("kind") == "filtered"]
    filtered = [f for f in comparisons if str(f.get("verdict")) == "filtered"]
    if filtered and flow_ids is not None:
        mine = [f for f in filtered if (f.get("details") or {}).get("list_in_force") in set(flow_ids)]
        if not mine:
            where = ", ".join(f"{f.get('step_id') or '?'} ({f.get('id')}, "
                              + (f"list flow {(f.get('details') or {}).get('list_in_force')} in force)"
                                 if (f.get("details") or {}).get("list_in_force") else "no list version known in force)")
                              for f in filtered)
            return {"state": "not_shown",
                    "text": f"not shown for this version — filtering observed with another version in force: {where}"}
        filtered = mine
    if filtered:
        where = ", ".join(f"{f.get('step_id') or '?'} ({f.get('id')})" for f in filtered)
        return {"state": "enforced", "text": f"yes — filtering observed in {where}"
                + (" with this version in force" if flow_ids is not None else "")}
    if comparisons:
        return {"state": "not_enforced",
                "text": f"no — {counted(len(comparisons), 'experiment/control comparison')}, none filtered"}
    return {"state": "not_tested", "text": "not tested in this run (no experiment/control comparison)"}


def cipher_ties(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every ``details.cipher_links`` entry of the findings once (docs/dev/contracts.md): how a
    ``crypto:plaintext`` event is tied to the flow that carried its ciphertext."""
    seen: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
    for f in findings:
        for t in (f.get("details") or {}).get("cipher_links") or []:
            seen.setdefault((t.get("event_id"), t.get("flow_id"), t.get("value")), t)
    return list(seen.values())


def tie_text(t: dict[str, Any]) -> str:
    """One sentence for a reader: ``event E ↔ flow F: ...`` where the ciphertext is in the body and
    which field of the plaintext held the value."""
    where = (f"in the plaintext field “{t['plaintext_field']}”" if t.get("plaintext_field")
             else f"at byte {t['plaintext_offset']} of the plaintext" if t.get("plaintext_offset") is not None
             else "in the plaintext")
    if t.get("plaintext_chain"):
        where += f" (after decoding {t['plaintext_chain']})"
    return (f"event {t.get('event_id')} ↔ flow {t.get('flow_id')}: the ciphertext the app encrypted with "
            f"{t.get('algorithm') or '?'} (this event) is in the flow's request body, {t.get('encoding') or '?'}-encoded "
            f"from byte {t.get('body_offset')}; {t.get('value') or 'the value'} was {where}")


def _anchor(kind: str, ident: str) -> str:
    """The HTML id of an evidence row: ``ev-flow-<id>`` / ``ev-event-<id>`` (unsafe characters as ``-``)."""
    return f"ev-{kind}-" + re.sub(r"[^A-Za-z0-9_.-]", "-", ident)


def _claims(doc: dict[str, Any], evidence: Evidence | None = None,
            redactor: Redactor | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The claims table (text, verdict, the verdict's reasoning, evidence ids labelled ``flow`` or
    ``event`` with the anchor of their row) and the evidence rows it links to: one per cited id, in
    first-cited order, a flow with its request line, status and server, an agent event with its
    type and step (from the recording of the claim's ``run_id``: harness.report.evidence), and for
    either, how a ``crypto:plaintext`` event is tied to the flow that carried it (``ties``)."""
    out = []
    rows: dict[str, dict[str, Any]] = {}
    for c in doc.get("claims") or []:
        ev = c.get("evidence") or {}
        if isinstance(ev, dict):
            cited = [("flow", str(i)) for i in ev.get("flow_ids") or []] + [("event", str(i)) for i in
                                                                           ev.get("event_ids") or []]
        else:  # an old record: ids not split by kind
            cited = [("id", str(i)) for i in ev]
        claim_run = str(c["run_id"]) if c.get("run_id") else None
        shown = []
        for kind, ident in cited:
            anchor = _anchor(kind, ident)
            rows.setdefault(anchor, {"kind": kind, "id": ident, "anchor": anchor, "run_id": claim_run})
            shown.append({"kind": kind, "id": ident, "anchor": anchor})
        verdict = str(c.get("verdict") or "inconclusive")
        details = str(c.get("details") or "")  # the document is already redacted (build_context)
        out.append({"text": c.get("text") or c.get("claim") or c.get("id") or "?", "verdict": verdict,
                    "css": _css(verdict), "details": details,
                    "rule": c.get("rule") or "", "evidence": shown})
    ties = cipher_ties(list(doc.get("findings") or []))
    events: dict[tuple[str | None, str], Any] = {}
    for run_id in dict.fromkeys(r["run_id"] for r in rows.values() if r["kind"] == "event"):
        if evidence is not None:
            wanted = [r["id"] for r in rows.values() if r["kind"] == "event" and r["run_id"] == run_id]
            events.update({(run_id, i): e for i, e in evidence.events(wanted, run_id).items()})
    for r in rows.values():
        if r["kind"] == "flow":
            flow = _flow_row(r["id"], evidence, redactor, r["run_id"])
            r["what"] = " · ".join(x for x in (flow["request"], flow["status"], flow["server"]) if x)
        elif r["kind"] == "event":
            e = events.get((r["run_id"], r["id"]))
            r["what"] = f"{e.type} (source {e.source}, step {e.step_id or '-'})" if e is not None else NOT_FOUND
        else:
            r["what"] = ""
        r["ties"] = [tie_text(t) for t in ties if r["id"] in (t.get("event_id"), t.get("flow_id"))]
    return out, list(rows.values())


#: how the report names the kind of file an analysis read (the document's ``source.kind``)
SOURCE_LABELS = {"har": "HAR file", "mitm": "mitmproxy flow file"}


def _input(source: Any) -> dict[str, Any] | None:
    """The header's "Source" row of a flow or HAR file's analysis (``{"label", "file", "sha256",
    "note"}``); None for a device run (its document has no ``source``). ``note`` says how the ids
    of an older HAR analysis count entries (from 0, without ``source.har_entry_base``)."""
    if not isinstance(source, dict):
        return None
    kind = str(source.get("kind") or "")
    note = None
    if kind == "har" and _entry_base(source) == 0:
        note = ("this analysis numbered the HAR's entries from 0: its har-N is entry N+1 in DevTools "
                "(the entry shown beside each id); analyse the file again for ids counted from 1")
    return {"label": SOURCE_LABELS.get(kind, kind or "file"), "file": str(source.get("file") or "?"),
            "sha256": source.get("sha256"), "note": note}


def _entry_base(source: Any) -> int | None:
    """The number of a HAR's first entry in the document's ``har-N`` ids: its
    ``source.har_entry_base``, 0 for a HAR analysis older than that key, None for other documents."""
    if not isinstance(source, dict) or source.get("kind") != "har":
        return None
    base = source.get("har_entry_base")
    return base if isinstance(base, int) and not isinstance(base, bool) else 0


_HAR_ID = re.compile(r"har-(\d{1,9})")


def har_entry(flow_id: str, source: Any) -> str | None:
    """``"HAR entry N"`` (N counted from 1, as DevTools shows a HAR's requests) of a ``har-N``
    flow id of a HAR file's analysis (``source``: the document's), whatever base the analysis
    numbered from; None for any other id or document."""
    base = _entry_base(source)
    m = _HAR_ID.fullmatch(flow_id)
    if base is None or m is None:
        return None
    return f"HAR entry {int(m.group(1)) - base + 1}"


def _matrix(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The per-device column of a merged document (``claim_matrix``): serials and, per claim, each
    device's verdict (``-`` where that device did not test it); None for a single run."""
    rows = doc.get("claim_matrix") or []
    if not rows:
        return None
    serials = sorted({s for r in rows for s in (r.get("verdicts") or {})})
    out = []
    for r in rows:
        verdicts = r.get("verdicts") or {}
        cells = [(str(verdicts.get(s) or "-"), _css(str(verdicts.get(s) or "-"))) for s in serials]
        verdict = str(r.get("verdict") or "inconclusive")
        out.append({"text": r.get("text") or r.get("id") or "?", "cells": cells, "verdict": verdict, "css": _css(verdict)})
    return {"serials": serials, "rows": out}


def build_context(doc: dict[str, Any], store: Any = None, source: str = "",
                  redactor: Redactor | None = None) -> dict[str, Any]:
    """The template's variables from a findings document (and its evidence: a run store or an
    :class:`~harness.report.evidence.Evidence`, if given); with a
    ``redactor``, every device identifier and canary is masked, also in the evidence flows."""
    if redactor is not None:
        doc = redactor.value(doc)
    summary = doc.get("summary") or {}
    device = doc.get("device") or {}
    findings = list(doc.get("findings") or [])
    steps = list(doc.get("steps") or [])
    evidence = as_evidence(store)
    flow_times = evidence.flow_times() if evidence is not None else {}
    counts = summary.get("counts") or {}
    world = doc.get("world")
    restore = doc.get("restore") or {}
    claims, claim_evidence = _claims(doc, evidence, redactor)
    for row, c in zip(claims, doc.get("claims") or [], strict=False):
        row["code_note"] = str(c.get("code_note") or "")  # decided by code the bundle does not carry
    source_doc = doc.get("source")
    for row in claim_evidence:
        row["entry"] = har_entry(row["id"], source_doc) if row["kind"] == "flow" else None
    return {
        "run": {"id": doc.get("run_id", "?"), "status": doc.get("status", "unknown"),
                "world": world.get("name") if isinstance(world, dict) else world,
                "target": doc.get("target") or target_label(None, world.get("name") if isinstance(world, dict)
                                                            else world),
                "created_at": utc_seconds(doc.get("created_at")), "harness_version": doc.get("harness_version")},
        "counts": [_card(counts.get(key, 0), label) for key, label in (
            ("flows", "flow"), ("agent_events", "agent event"), ("findings", "finding"))]
            + [_card(len(steps), "step"), _card(len(doc.get("claims") or []), "claim")],
        "device": {"model": device.get("model"), "manufacturer": device.get("manufacturer"),
                   "android_version": device.get("android_version"),
                   "region": device.get("miui_region") or device.get("region"),
                   # the adb transport (USB serial or host:port) and the hardware serial (ro.serialno)
                   "adb_serial": device.get("adb_serial"), "hardware_serial": device.get("serial")},
        "input": _input(doc.get("source")),
        "tools": _tools(doc.get("tool_versions") or {}),
        "restore": restore_text(restore) if restore else None,
        "claims": claims,
        "claim_evidence": claim_evidence,
        "matrix": _matrix(doc),
        "destinations": summary.get("destinations") or [],
        "destinations_svg": destinations_chart(summary.get("destinations") or []),
        "not_connected": not_connected_text(summary.get("not_connected") or []),
        "lists": [{**lst, "enforced": _enforcement(findings, [str(i) for i in lst.get("flow_ids") or []
                                                             if i] or [str(lst.get("flow_id"))])["text"]}
                  for lst in summary.get("config_lists") or []],
        "enforcement": _enforcement(findings),
        "steps": steps,
        "timeline_svg": timeline_chart(
            [{"id": s.get("id"), "started_at": _epoch(s.get("started_at")), "ended_at": _epoch(s.get("ended_at"))}
             for s in steps], flow_times),
        "findings": [{
            "id": f.get("id"), "kind": f.get("kind"), "verdict": f.get("verdict"), "severity": f.get("severity", "info"),
            "rule": f.get("rule"), "summary": f.get("summary"), "facts": _finding_facts(f.get("details") or {}),
            "flows": [{**_flow_row(fid, evidence, redactor, f.get("run_id")), "entry": har_entry(str(fid), source_doc)}
                      for fid in (f.get("evidence") or {}).get("flow_ids") or []],
            "event_ids": (f.get("evidence") or {}).get("event_ids") or [],
            "ties": [tie_text(t) for t in cipher_ties([f])],
        } for f in findings],
        "geo_note": geo_note(doc),
        "source": source,
    }


def _card(n: Any, noun: str) -> tuple[str, Any]:
    """A summary card: (label in the number ``n`` takes, ``n``)."""
    return (counted(n, noun).split(" ", 1)[1] if isinstance(n, int) else noun + "s", n)


def _tools(versions: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """``(tool, version, path)`` for the Tools row: a ``NAME_path`` entry (``adb_path``, the adb
    binary the harness ran: harness.report.versions) is the path of tool ``NAME``, not a tool."""
    paths = {k.removesuffix("_path"): str(v) for k, v in versions.items() if k.endswith("_path") and v}
    out = [(k, str(v), paths.pop(k, None)) for k, v in sorted(versions.items()) if v and not k.endswith("_path")]
    return out + [(k, "?", p) for k, p in sorted(paths.items())]


def geo_note(doc: dict[str, Any]) -> str:
    """The footer's "Countries from ...": the override tables that located hosts, each with its file
    and SHA-256 (the document's ``geo.override_tables``: harness.analysis.geo.GeoResolver.describe),
    then the other layers that answered (``dbip``, ``mmdb``, ...) with their database."""
    rows = (doc.get("summary") or {}).get("destinations") or []
    layers = {str(d.get("geo_source")): d.get("geo_database") for d in rows if d.get("geo_source")}
    tables = ((doc.get("geo") or {}) if isinstance(doc.get("geo"), dict) else {}).get("override_tables") or []
    parts = []
    if "override" in layers:
        named = [f"{t.get('file')} (SHA-256 {t.get('sha256')})" for t in tables if isinstance(t, dict)]
        parts.append(("the override table " if len(named) == 1 else "the override tables ") + ", ".join(named)
                     if named else "an override table (its file was not recorded)")
    # "none" is no layer: an address no source could place (its row says "?"), not a geo source
    parts += [f"{layer} ({db})" if db else layer for layer, db in sorted(layers.items())
              if layer not in ("override", "none")]
    return "; ".join(parts) or "no geolocation recorded"


def with_home_words(context: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """``context`` with the destinations' class ``domestic`` shown as the home it means (``EEA``;
    the summary's ``jurisdiction_home``, harness.analysis.policy.jurisdiction_label) in the table
    and the chart; unchanged for a document that does not say its home."""
    home = (doc.get("summary") or {}).get("jurisdiction_home")
    if home:
        rows = context["destinations"]
        context["destinations"] = [{**d, "jurisdiction": jurisdiction_label(d.get("jurisdiction"), home)} for d in rows]
        context["destinations_svg"] = destinations_chart(rows, home)
    return context


def render_report(doc: dict[str, Any], store: Any = None, source: str = "",
                  redactor: Redactor | None = None) -> str:
    """The HTML page (text) for a findings document."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("harness.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(counted=counted, utc_seconds=utc_seconds)
    return env.get_template("report.html.j2").render(**with_home_words(build_context(doc, store, source, redactor), doc))


def load_findings(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """``RUN_DIR/findings.json`` as a dict; :class:`~harness.errors.UsageError` when it is
    missing or not a JSON object."""
    path = Path(run_dir) / "findings.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"{path} does not exist", fix="give a run directory (harness demo, run, capture or the pytest plugin write one) or a folder holding findings.json") from exc
    except (OSError, ValueError, RecursionError) as exc:
        raise UsageError(f"cannot read {path}: {type(exc).__name__}", fix="regenerate the run's findings") from exc
    if not isinstance(doc, dict):
        raise UsageError(f"{path} is not a findings document (a JSON object)", fix="regenerate the run's findings")
    return doc


def write_report(run_dir: str | os.PathLike[str], out: str | os.PathLike[str] | None = None,
                 redactor: Redactor | None = None) -> Path:
    """Render ``RUN_DIR/findings.json`` to ``report.html`` (0600), its evidence rows from the
    folder's recordings (:func:`harness.report.evidence.evidence_of`: the run store, a session's
    lab stores, an analysis folder's flows.parquet).

    Raises :class:`~harness.errors.UsageError` when the run has no readable findings document or
    ``out`` cannot be written (:func:`harness.fsutil.write_output`: no temp file is left).
    """
    from harness.fsutil import write_output
    from harness.report.evidence import evidence_of

    run = Path(run_dir)
    doc = load_findings(run)
    dest = Path(out) if out is not None else run / "report.html"
    write_output(dest, render_report(doc, evidence_of(run), str(run), redactor), "report HTML")
    return dest
