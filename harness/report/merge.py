"""One findings document from several runs (test modules, xdist workers, devices):
:func:`merge_findings` (re-exported by :mod:`harness.report.document`).

The merged document satisfies the same contract (harness/report/findings.schema.json). Every
claim, step and finding carries ``device`` (the adb serial) and ``run_id``; finding ids become
``<run_id>:<id>`` (unique across runs); ``devices`` lists each device's facts once, ``runs`` the run
ids; ``claim_matrix`` is the per-device column: one row per claim sentence with each device's
verdict. Input order does not matter: runs are taken in run-id order.
"""

from __future__ import annotations

import hashlib
from typing import Any

from harness.report.contract import SCHEMA_ID

#: a claim's overall verdict over devices: the first of these any device gave (``not run``: a
#: stopped session never reached the claim, on no device)
VERDICT_ORDER = ("error", "violated", "inconclusive", "not run", "holds")
#: summary counts that add up over runs
_SUMMED = ("flows", "agent_events", "crypto_plaintext_events", "steps", "destinations", "pii_hits", "lists",
           "findings", "skipped_records")


def _serial(doc: dict[str, Any]) -> str:
    device = doc.get("device") or {}
    return str(device.get("adb_serial") or device.get("serial") or "unknown")


def merge_findings(docs: list[dict[str, Any]], run_id: str | None = None) -> dict[str, Any]:
    """The findings document of several runs' documents (see the module docstring). ``run_id`` is
    the merged document's id: the session's (``OUT/<session id>``, what its report and bundle
    name); without one, ``merged-<12 hex of the runs' ids>``. Raises ValueError for an empty list."""
    if not docs:
        raise ValueError("merge_findings needs at least one findings document")
    docs = sorted(docs, key=lambda d: (str(d.get("run_id")), _serial(d)))
    runs = [str(d["run_id"]) for d in docs]
    devices: dict[str, dict[str, Any]] = {}
    for d in docs:
        devices.setdefault(_serial(d), d.get("device") or {})
    claims, steps, findings = [], [], []
    for d in docs:
        tag = {"device": _serial(d), "run_id": str(d["run_id"])}
        claims += [{**c, **tag, "device": c.get("device") or tag["device"]} for c in d.get("claims") or []]
        steps += [{**s, **tag} for s in d.get("steps") or []]
        findings += [{**f, **tag, "id": f"{d['run_id']}:{f['id']}"} for f in d.get("findings") or []]
    worlds = sorted({str((d.get("world") or {}).get("name")) for d in docs if isinstance(d.get("world"), dict)})
    starts = [d["started_at"] for d in docs if d.get("started_at")]
    ends = [d["ended_at"] for d in docs if d.get("ended_at")]
    statuses = {d.get("status") for d in docs}
    restore = merge_restore(docs)
    return {
        "schema": SCHEMA_ID,
        "run_id": run_id or "merged-" + hashlib.sha256("\n".join(runs).encode()).hexdigest()[:12],
        "harness_version": docs[0].get("harness_version", "?"),
        "created_at": max(str(d["created_at"]) for d in docs),
        "status": "complete" if statuses == {"complete"} else "incomplete" if "incomplete" in statuses
        else sorted(str(s) for s in statuses)[0],
        "started_at": min(starts) if starts else None,
        "ended_at": max(ends) if ends else None,
        "world": {"name": ", ".join(worlds)} if worlds else None,
        "target": ", ".join(sorted({str(d["target"]) for d in docs if d.get("target")})) or None,
        "device": next(iter(devices.values())) if len(devices) == 1 else {"serials": sorted(devices)},
        "devices": [{**facts, "adb_serial": serial} for serial, facts in sorted(devices.items())],
        "runs": runs,
        "tool_versions": docs[0].get("tool_versions") or {},
        "scenarios": sorted({s for d in docs for s in d.get("scenarios") or []}),
        "claims": claims,
        "claim_matrix": claim_matrix(claims, sorted(devices)),
        "steps": steps,
        "findings": findings,
        "summary": _summary(docs),
        **({"restore": restore} if restore is not None else {}),
    }


def merge_restore(docs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The session's ``restore`` record from its runs' (None when no run has one): ``verified`` when
    every run's device was restored and verified, ``runs`` each run's record with its ``run_id``,
    ``text`` one line: the count of changes undone, or the runs whose device was NOT restored."""
    from harness.report.labels import restore_text

    runs = [{**d["restore"], "run_id": str(d["run_id"])} for d in docs if isinstance(d.get("restore"), dict)]
    if not runs:
        return None
    runs += [{"run_id": str(d["run_id"]), "serial": _serial(d), "verified": False, "journal_kept": True,
              "report": [], "text": "no restore record: the lab did not close (check `harness restore --device "
                                   f"{_serial(d)}`)"} for d in docs if not isinstance(d.get("restore"), dict)]
    bad = [r for r in runs if not r.get("verified")]
    if bad:
        text = "; ".join(f"{r['run_id']}: {restore_text(r)}" for r in bad)
    else:
        undone = sum(int(r.get("undone") or 0) for r in runs)
        text = f"yes: {undone} change(s) undone over {len(runs)} lab(s), each verified against its snapshot"
    return {"verified": not bad, "runs": runs, "text": text}


def claim_matrix(claims: list[dict[str, Any]], serials: list[str]) -> list[dict[str, Any]]:
    """One row per claim (by id, else sentence) in first-seen order: ``{"id", "text", "verdicts":
    {serial: verdict or None when that device did not test it}, "verdict"}``; the overall verdict is
    the worst a device gave (:data:`VERDICT_ORDER`)."""
    rows: dict[str, dict[str, Any]] = {}
    deviceless: dict[str, list[str]] = {}  # claims of no device (``not run``)
    for c in claims:
        key = str(c.get("id") or c["text"])
        row = rows.setdefault(key, {"id": c.get("id"), "text": c["text"], "verdicts": dict.fromkeys(serials)})
        if c.get("device") is None and c.get("verdict") == "not run":
            deviceless.setdefault(key, []).append("not run")
            continue
        serial = str(c.get("device"))
        previous = row["verdicts"].get(serial)
        row["verdicts"][serial] = _worst([v for v in (previous, c["verdict"]) if v])
    for key, row in rows.items():
        row["verdict"] = _worst([v for v in row["verdicts"].values() if v] + deviceless.get(key, []))
    return list(rows.values())


def _worst(verdicts: list[str]) -> str | None:
    for v in VERDICT_ORDER:
        if v in verdicts:
            return v
    return verdicts[0] if verdicts else None


def _summary(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts added up; destinations, lists, personal data and filtering listed per device and run;
    ``jurisdiction_home`` when every run has the same (harness.analysis.policy.jurisdiction_label)."""
    counts = {k: sum(int(((d.get("summary") or {}).get("counts") or {}).get(k) or 0) for d in docs) for k in _SUMMED}
    out: dict[str, Any] = {"counts": counts}
    homes = {(d.get("summary") or {}).get("jurisdiction_home") for d in docs}
    if len(homes) == 1:  # one policy: class "domestic" reads as the home it means, as in each run's report
        out["jurisdiction_home"] = homes.pop()
    for key in ("destinations", "not_connected", "config_lists", "personal_data", "filtering"):
        out[key] = [{**row, "device": _serial(d), "run_id": str(d["run_id"])}
                    for d in docs for row in (d.get("summary") or {}).get(key) or []]
    by_country: dict[tuple[str, str], dict[str, Any]] = {}
    for row in out["destinations"]:
        place = (str(row.get("country") or "??"), str(row.get("jurisdiction") or "unknown"))
        entry = by_country.setdefault(place, {"hosts": set(), "devices": set(), "flows": 0})
        entry["hosts"].add(row.get("host") or row.get("server_ip") or "?")
        entry["devices"].add(row["device"])
        entry["flows"] += int(row.get("flows") or 0)
    out["destinations_by_country"] = [
        {"country": c, "jurisdiction": j, "hosts": sorted(e["hosts"]), "devices": sorted(e["devices"]), "flows": e["flows"]}
        for (c, j), e in sorted(by_country.items())]
    pinning = [(d.get("summary") or {}).get("pinning") or {} for d in docs]
    out["pinning"] = {"unpin_bypassed": sum(int(p.get("unpin_bypassed") or 0) for p in pinning),
                      "bypassed": sorted({b for p in pinning for b in p.get("bypassed") or []}),
                      "tls_failures": sum(int(p.get("tls_failures") or 0) for p in pinning),
                      "tls_failure_hosts": sorted({h for p in pinning for h in p.get("tls_failure_hosts") or []})}
    return out
