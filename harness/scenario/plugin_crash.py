"""A farm worker that died mid-session (a pytest-xdist worker killed or crashed): what it recorded is
kept and the session says ``incomplete``.

xdist's controller learns of a dead worker from ``pytest_handlecrashitem`` (the test the worker was
running; xdist then reports that test failed, "worker 'gw1' crashed while running ...") and from
``pytest_testnodedown`` with an error. The worker's lab folders ``OUT/<session>/<worker>/<module>/``
keep what it recorded (the run store, ``claims.jsonl``), but the lab it had open was never closed:
no ``findings.json``, the store's status ``recording`` with a dead ``writer_pid``.

:class:`CrashWatch` (the controller's) remembers each test's setup facts sent by the workers (its
claim id and sentence, device and lab folder: :func:`setup_facts`) and the crashes. At session end
:func:`settle` closes each unclosed lab of a dead worker ``incomplete`` ("worker gw1 crashed"),
appends the claim that was running to its ``claims.jsonl`` with the verdict ``error`` (so
findings.json, ``harness report`` — which rebuilds from claims.jsonl — and JUnit agree) and writes
the lab's ``findings.json``; the session's merged document then lists that device's claims and says
``incomplete``. A crash outside any lab's folder is kept in the session's own ``claims.jsonl``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError

#: the setup report's attribute that carries :func:`setup_facts` to xdist's controller
FACTS_ATTR = "harness_test"


def setup_facts(item: Any, state: Any) -> dict[str, Any]:
    """What the controller needs of a test should its worker die during it: ``{"id", "pack",
    "text", "device", "run_dir"}`` (``state``: the plugin's TestState of a test of a lab)."""
    from harness.scenario.plugin_verdict import pack_of

    pack = pack_of(item)
    return {"id": f"{pack}.{item.name}", "pack": pack, "text": state.claim_text, "device": state.lab.serial,
            "run_dir": str(state.lab.run_dir)}


def worker_id(node: Any) -> str:
    """The xdist worker id (``gw1``) of a WorkerController (``report.node``); ``?`` if unknown."""
    wi = getattr(node, "workerinput", None) or {}
    return str(wi.get("workerid") or getattr(getattr(node, "gateway", None), "id", None) or "?")


@dataclass
class CrashWatch:
    """The controller's record of its workers' tests and deaths (see the module docstring)."""

    #: (worker, nodeid) -> setup_facts of a test that started
    started: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: (worker, nodeid) of each test whose worker died running it
    crashes: list[tuple[str, str]] = field(default_factory=list)
    #: worker -> why it went down (workers that died, with or without a test running)
    dead: dict[str, str] = field(default_factory=dict)

    def seen(self, report: Any) -> None:
        """A worker's report (``pytest_runtest_logreport``): keep the setup facts of its test."""
        facts = getattr(report, FACTS_ATTR, None)
        if report.when == "setup" and isinstance(facts, dict):
            self.started[(worker_id(getattr(report, "node", None)), report.nodeid)] = facts

    def crashed(self, report: Any) -> dict[str, Any]:
        """``pytest_handlecrashitem``: the worker died running ``report.nodeid``; the test's setup
        facts (``{}`` when it died before its setup ended). The report's JUnit properties and text
        name the verdict ``error`` and the device."""
        worker = worker_id(getattr(report, "node", None))
        self.crashes.append((worker, report.nodeid))
        self.dead.setdefault(worker, "crashed")
        facts = self.started.get((worker, report.nodeid), {})
        device = facts.get("device")
        report.user_properties = [*(report.user_properties or []),
                                  *([("claim", facts["text"])] if facts.get("text") else []),
                                  ("verdict", "error"), *([("device", device)] if device else [])]
        report.longrepr = (f"{report.longrepr}{f' on {device}' if device else ''}: the claim is recorded error "
                           "(the worker crashed) and its lab's run incomplete")
        report.when = "call"  # xdist's "???" reads "failed on setup" in JUnit; the verdict makes it <error>
        return facts

    def down(self, node: Any, error: Any) -> None:
        """``pytest_testnodedown``: a worker that went down with an error is dead."""
        if error:
            self.dead.setdefault(worker_id(node), str(error).strip().splitlines()[-1][:200] if str(error).strip()
                                 else "crashed")


def crash_record(worker: str, nodeid: str, facts: dict[str, Any]) -> dict[str, Any]:
    """The claim record (contract shape) of a test whose worker died running it: verdict ``error``."""
    name = nodeid.split("::")[-1]
    pack = str(facts.get("pack") or Path(nodeid.split("::")[0]).parent.name or "tests")
    return {"id": str(facts.get("id") or f"{pack}.{name}"), "pack": pack, "nodeid": nodeid,
            "text": str(facts.get("text") or name), "verdict": "error",
            "details": f"worker crashed: the pytest-xdist worker {worker} died while this claim ran "
                       "(no verdict; what it recorded before is kept in its lab's run)",
            "rule": None, "numbers": {}, "evidence": {"flow_ids": [], "event_ids": []},
            "device": facts.get("device"), "steps": []}


def unclosed_labs(session_dir: Path, worker: str) -> list[Path]:
    """The lab folders of ``worker`` that hold a run store but no findings.json (never closed)."""
    from harness.capture.store import DB_NAME
    from harness.report.document import FINDINGS_FILE

    return sorted(p.parent for p in (session_dir / worker).glob(f"*/{DB_NAME}")
                  if not (p.parent / FINDINGS_FILE).is_file())


def settle(hs: Any, watch: CrashWatch) -> None:
    """At session end (controller): close the dead workers' labs and keep their claims (module
    docstring). Problems are warnings: the session's findings are still merged."""
    from harness.capture.store import RunStore
    from harness.report.document import save_claim

    placed: set[tuple[str, str]] = set()
    for worker, why in sorted(watch.dead.items()):
        labs = unclosed_labs(hs.session_dir, worker)
        for run_dir in labs:
            mine = [(w, n) for w, n in watch.crashes if w == worker
                    and (watch.started.get((w, n), {}).get("run_dir") == str(run_dir) or len(labs) == 1)]
            try:
                for key in mine:
                    save_claim(run_dir, crash_record(*key, watch.started.get(key, {})))
                    placed.add(key)
                RunStore.mark_incomplete(run_dir, f"worker {worker} crashed ({why})")
                write_findings(hs, run_dir, module_scenario(mine, run_dir))
            except (HarnessError, OSError, ValueError) as exc:
                hs.warn(f"the lab {run_dir} of the crashed worker {worker} was not closed: {str(exc)[:200]}")
    left = [key for key in watch.crashes if key not in placed]
    if left:
        from harness.fsutil import private_dir

        private_dir(hs.session_dir)
        for key in left:
            with contextlib.suppress(HarnessError, OSError):
                save_claim(hs.session_dir, crash_record(*key, watch.started.get(key, {})))


def write_findings(hs: Any, run_dir: Path, scenario: str) -> Path:
    """The closed lab's findings.json, as the worker would have written it (its session's options)."""
    from harness.scenario.plugin_findings import lab_findings
    from harness.scenario.spec import home_of

    return lab_findings(run_dir, scenarios=[scenario], world=None if hs.serials else hs.world_name,
                        profile=getattr(hs.loaded_profile, "name", hs.profile), home=home_of(None),
                        policy=hs.policy, mmdb=hs.mmdb)


def module_scenario(crashes: list[tuple[str, str]], run_dir: Path) -> str:
    """The scenario name a lab's findings are written under: its module's node id (as the worker's
    lab fixture names it) when a crash names it, else the lab folder's name."""
    return crashes[0][1].split("::")[0] if crashes else run_dir.name
