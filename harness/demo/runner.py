"""``harness demo``: the claim packs (harness.packs: ncsc_2021, vendor_claims) on a virtual handset, end to end.

One lab (:func:`harness.scenario.open_lab` on a :class:`~harness.scenario.virtual.VirtualTarget`):
world + virtual handset → capture → device session (journal, facts, proxy via adb reverse, the
harness CA in the system store) → the packs' claims, each a few steps on the timeline (a step one
claim made is reused by the next that rests on the same observation) → Frida detached, apps stopped, device restored, run closed → analysis, ``findings.json``, the claim →
verdict table and the comparison with the world's ground truth. Every stage prints a progress
line with the elapsed time.

On a harness error or a stop signal the run keeps what was recorded (status ``incomplete``), the
device is restored, and the handset, its apps, Frida, the proxy and the world are stopped; the
run's ``findings.json`` (status ``incomplete``) then has the claims judged so far and the others
``not run``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.demo.progress import Progress
from harness.errors import HarnessError, UsageError
from harness.fsutil import private_dir
from harness.scenario.spec import DEFAULT_WORLD


@dataclass
class DemoOptions:
    world: str = DEFAULT_WORLD
    out: Path | None = None
    #: bound of every single wait (seconds)
    timeout: float = 30.0


@dataclass
class DemoResult:
    run_dir: Path
    world: str
    serial: str | None = None
    status: str = "incomplete"
    error: HarnessError | None = None
    #: the stop signal's name (SIGINT, SIGTERM, SIGHUP) when the demo was interrupted
    interrupted: str | None = None
    restore_ok: bool | None = None
    restore_lines: list[str] = field(default_factory=list)
    findings_path: Path | None = None
    #: report.html (None when the demo stopped before it)
    report_path: Path | None = None
    #: the findings.json document (None when the demo stopped before analysis)
    document: dict[str, Any] | None = None
    elapsed: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The structured outcome (what harness.testing.isolated hands back to a test)."""
        return {"run_dir": str(self.run_dir), "world": self.world, "serial": self.serial, "status": self.status,
                "error": str(self.error) if self.error else None, "interrupted": self.interrupted,
                "restore_ok": self.restore_ok, "elapsed": self.elapsed}


@dataclass
class DeviceRun:
    """What the lab produced, for the findings document."""

    facts: dict[str, Any]
    outcomes: list[Any]
    claims: list[Any]
    proxy: str
    ca_method: str
    restore_ok: bool
    restore_lines: list[str]
    #: the findings document's ``restore`` record (:func:`harness.device.restore.restore_record`)
    restore: dict[str, Any] = field(default_factory=dict)
    #: the addresses the demo listened on (proxy, adb daemon, world servers), for leak checks
    addresses: list[str] = field(default_factory=list)


def run_demo(home: Path, opts: DemoOptions, emit: Callable[[str], None]) -> DemoResult:
    """Run the demo. Bad options raise :class:`UsageError` before anything starts; any later
    :class:`HarnessError` is in ``result.error`` after everything was cleaned up; a stop signal
    (SIGINT, SIGTERM, SIGHUP, whatever the process inherited) stops the demo the same way and
    names itself in ``result.interrupted``."""
    from harness.capture.session import new_run_dir
    from harness.scenario import LabSpec, open_lab
    from harness.scenario.labdevice import restore_record
    from harness.scenario.signals import Interrupted, handled
    from harness.scenario.virtual import VirtualTarget

    progress = Progress(emit)
    home = Path(home)
    target = VirtualTarget(opts.world)  # a bad world name or file is a usage error before anything starts
    run_dir = Path(opts.out) if opts.out else new_run_dir(home / "runs")
    if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())):
        raise UsageError(f"--out {run_dir} already exists and is not an empty folder",
                         fix="give a new run directory (a demo never writes into an earlier run)")
    result = DemoResult(run_dir=run_dir, world=target.world_name)
    work = Path(tempfile.mkdtemp(prefix="demo-", dir=private_dir(home / "demo")))
    spec = LabSpec(target, run_dir=run_dir, home=home, root=work, timeout=opts.timeout, emit=progress,
                   meta={"kind": "demo"})
    lab = None
    guard = handled()
    try:
        guard.__enter__()
        with open_lab(spec) as lab:
            result.serial = lab.serial
            claims, outcomes = _scenario(lab, progress)
        device_run = DeviceRun(facts=lab.facts.to_json(), outcomes=outcomes, claims=claims,
                               proxy=lab.proxy.device_address, ca_method=lab.ca.method if lab.ca else "none",
                               restore_ok=bool(lab.restore and lab.restore.ok),
                               restore_lines=lab.restore.lines() if lab.restore else [],
                               restore=restore_record(lab.restore, lab.serial, lab.restore_problem))
        result.restore_ok, result.restore_lines = device_run.restore_ok, device_run.restore_lines
        from harness.demo.report import build_document
        from harness.report.document import write_findings

        doc = build_document(run_dir, lab.world, device_run, home)
        result.document = doc
        result.findings_path = write_findings(run_dir, doc)
        progress("analysis", f"{len(doc['findings'])} findings written to {result.findings_path}")
        from harness.report.html import write_report
        from harness.report.junit import write_junit

        result.report_path = write_report(run_dir)
        write_junit(doc, run_dir / "junit.xml")
        progress("report", f"{result.report_path} and junit.xml written")
        result.status = "complete"
    except HarnessError as exc:
        result.error = exc
        _after_stop(result, lab, home, progress)
        progress("demo", f"stopped by an error; what was recorded is in {run_dir} (run {run_status(run_dir)})")
    except Interrupted as exc:
        result.interrupted = exc.name
        _after_stop(result, lab, home, progress)
        progress("demo", f"stopped by {exc.name}; what was recorded is in {run_dir} (run {run_status(run_dir)})")
    finally:
        guard.__exit__(None, None, None)
        shutil.rmtree(work, ignore_errors=True)
        result.elapsed = progress.elapsed
    return result


def _after_stop(result: DemoResult, lab: Any, home: Path, progress: Progress) -> None:
    """After an error or a stop signal: the restore's outcome, and the partial run's
    ``findings.json`` (:func:`partial_findings`) when the run store was made."""
    if lab is not None and lab.restore is not None:
        result.restore_ok, result.restore_lines = lab.restore.ok, lab.restore.lines()
    from harness.capture.store import DB_NAME

    if not (result.run_dir / DB_NAME).is_file():
        return
    try:
        result.findings_path = partial_findings(result.run_dir, result.world, home,
                                                f"interrupted by {result.interrupted}" if result.interrupted
                                                else "the demo stopped on an error")
    except (HarnessError, OSError, ValueError) as exc:  # what was recorded stays; the findings say why not
        progress("analysis", f"findings of the partial run not written: {str(exc)[:200]}")
        return
    progress("analysis", f"findings of the partial run (incomplete) written to {result.findings_path}")


def claim_sentence(check: Callable[..., Any]) -> str:
    """The claim a pack's check tests, from its docstring's first line (the quoted sentence when it
    starts with one), else its name: for a claim the demo did not reach."""
    first = ((check.__doc__ or "").strip().splitlines() or [""])[0].strip()
    if first.startswith('"') and '"' in first[1:]:
        return first[1:first.index('"', 1)].strip()
    return first.split(" (")[0].rstrip(".:") or check.__name__


def partial_findings(run_dir: Path, world: str, home: Path, why: str) -> Path:
    """``findings.json`` of a demo that stopped half-way (status ``incomplete``, from the run
    store): the claims judged so far (``claims.jsonl``) and the others ``not run``, as ``harness
    run`` lists them. Raises HarnessError / ValueError from the analysis."""
    from harness.packs.ground_truth import ALL_CLAIMS
    from harness.report.document import build_findings, load_claims, save_claim, write_findings

    judged = {str(c.get("id")) for c in load_claims(run_dir)}
    packs = []
    for check in ALL_CLAIMS:
        pack = check.__module__.split(".")[-2]  # harness.packs.<pack>.<module>
        packs.append(pack)
        claim_id = f"{pack}.{check.__name__}"
        if claim_id not in judged:
            save_claim(run_dir, {"id": claim_id, "pack": pack, "nodeid": None, "text": claim_sentence(check),
                                 "verdict": "not run", "details": f"not run: {why}", "rule": None, "numbers": {},
                                 "evidence": {"flow_ids": [], "event_ids": []}, "device": None, "steps": []})
    doc = build_findings(run_dir, scenarios=sorted(set(packs)), world=world, home=home)
    return write_findings(run_dir, doc)


def _scenario(lab: Any, progress: Progress) -> tuple[list[Any], list[Any]]:
    """The packs' claims, each saved to the run's ``claims.jsonl`` as it is decided; (claim
    results, step results). The steps they take are what the ground-truth comparison needs: the
    search pair's rendered ads, the browser's first-start telemetry (decrypted by the crypto agent)."""
    from harness.packs.claim_text import claim_texts
    from harness.packs.ground_truth import ALL_CLAIMS
    from harness.report.document import claim_record, save_claim
    from harness.scenario.claims import evidence_steps

    claims = []
    texts: dict[str, dict[str, str]] = {}
    for check in ALL_CLAIMS:
        before = len(lab.steps)
        pack = check.__module__.split(".")[-2]  # harness.packs.<pack>.claims
        if pack not in texts:  # the sentence the pack's test states (as `harness packs` and `harness run` say it)
            texts[pack] = claim_texts(Path(sys.modules[check.__module__].__file__ or ".").parent)
        outcome = check(lab)
        outcome.claim = texts[pack].get(check.__name__, outcome.claim)
        claims.append(outcome)
        flow_ids = [f.id for f in lab.flows()]
        saved = save_claim(lab.run_dir, claim_record(outcome, claim_id=f"{pack}.{check.__name__}",
                                                     flow_ids=flow_ids, pack=pack, device=lab.serial,
                                                     steps=evidence_steps(lab, outcome.evidence,
                                                                          [s.id for s in lab.steps[before:]])))
        shown = {"holds": "holds", "violated": "VIOLATED"}.get(saved["verdict"], saved["verdict"])
        progress("claim", f"{outcome.claim}: {shown}")
    return claims, list(lab.steps)


def run_status(run_dir: Path) -> str:
    """The run store's status (``complete``, ``incomplete``), or ``not created``."""
    from harness.capture.store import RunStore

    try:
        return RunStore.open(run_dir).status
    except HarnessError:
        return "not created"
