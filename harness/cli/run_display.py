"""What ``harness run`` shows: live progress from the plugin's progress stream (INTERFACES.md
section 4) and the claim → verdict table at the end.

On a terminal the progress is a ``rich`` Live panel (the current scenario and claim, the step,
flows recorded, verdicts so far); otherwise one plain line per event worth a line (lab opened,
claim started, step started/ended, verdict, lab closed, session end), so a CI log or ``| tee``
reads like a transcript. ``flow`` records only update the count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from harness.cli.context import Env
from harness.parsing import one_line
from harness.report.labels import target_label
from harness.scenario.run_results import RunResult

#: colour of each verdict on a terminal
STYLE = {"holds": "green", "passed": "green", "violated": "bold red", "failed": "bold red", "error": "bold magenta",
         "incomplete": "magenta", "not run": "dim", "inconclusive": "yellow", "skipped": "dim"}
#: width of the plain (non-terminal) output, so a table row stays one line in a log
PLAIN_WIDTH = 200
#: characters of a claim's details the table shows (the rest: where_in_full)
DETAILS_WIDTH = 70


def console_for(env: Env) -> Console:
    """A rich console on ``env.stdout``: colours and live updates only on a terminal."""
    tty = bool(getattr(env.stdout, "isatty", lambda: False)())
    return Console(file=env.stdout, force_terminal=tty, width=None if tty else PLAIN_WIDTH,
                   no_color=not tty, highlight=False, soft_wrap=not tty)


@dataclass
class RunState:
    """The run as the progress stream told it so far."""

    target: str | None = None
    world: str | None = None
    module: str | None = None
    device: str | None = None
    claim: str | None = None
    step: str | None = None
    flows: dict[str, int] = field(default_factory=dict)
    verdicts: Counter[str] = field(default_factory=Counter)
    findings: str | None = None

    @property
    def flow_total(self) -> int:
        return sum(self.flows.values())

    def apply(self, record: dict[str, Any]) -> str | None:
        """Take one record; the plain line it is worth (None for none)."""
        event, worker = record.get("event"), record.get("worker") or "main"
        prefix = "" if worker == "main" else f"[{worker}] "
        if event == "session-start":
            if self.target is not None:  # each xdist worker says it again
                return None
            self.target, self.world = record.get("target"), record.get("world")
            return f"session: target {target_label(self.target, self.world)}, output {record.get('out')}"
        if event == "lab-open":
            self.module, self.device = record.get("module"), record.get("device")
            return f"{prefix}lab open: {self.module} on {self.device} ({record.get('run_dir')})"
        if event == "test-start":
            self.claim, self.step = record.get("claim") or record.get("nodeid"), None
            return f"{prefix}claim: {self.claim}"
        if event == "step-start":
            step_id, name = record.get("step_id"), record.get("name")
            self.step = name or step_id
            return f"{prefix}  step {step_id}" + (f": {name}" if name and name != step_id else "")
        if event == "step-end":
            if isinstance(record.get("flows"), int):
                self.flows[worker] = max(self.flows.get(worker, 0), record["flows"])
            return f"{prefix}  step {record.get('step_id')} done: {record.get('flows')} flows ({record.get('settled_by')})"
        if event == "flow":
            if isinstance(record.get("count"), int):
                self.flows[worker] = record["count"]
            return None
        if event == "test-end":
            verdict = str(record.get("verdict") or "?")
            self.verdicts[verdict] += 1
            return f"{prefix}  -> {verdict}: {record.get('claim') or record.get('nodeid')}"
        if event == "lab-close":
            line = f"{prefix}lab closed: {record.get('module')} ({record.get('status')})"
            restore = record.get("restore")  # the lab's restore line (harness.report.labels.restore_text)
            return line + (f"; restore of {record.get('device') or '?'}: {restore}" if restore else "")
        if event == "session-end":
            self.findings = record.get("findings")
            if self.findings:
                return f"session end: findings in {self.findings}"
            return "session end" if self.target is not None else None  # stopped at collection: said nothing yet
        return None

    def render(self) -> Group:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row("target", target_label(self.target, self.world) or "...")
        grid.add_row("scenario", f"{self.module or '...'}" + (f" on {self.device}" if self.device else ""))
        grid.add_row("claim", one_line(self.claim or "...", 160))
        grid.add_row("step", self.step or "...")
        grid.add_row("flows", str(self.flow_total))
        so_far = ", ".join(f"[{STYLE.get(v, '')}]{n} {v}[/]" for v, n in sorted(self.verdicts.items())) or "none yet"
        grid.add_row("verdicts", Text.from_markup(so_far))
        return Group(Spinner("dots", text="harness run"), grid)


class Progress:
    """Feeds records to :class:`RunState` and shows them (Live panel, or plain lines)."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.console = console_for(env)
        self.state = RunState()
        self.live: Live | None = None

    def __call__(self, record: dict[str, Any]) -> None:
        line = self.state.apply(record)
        if self.live is not None:
            self.live.update(self.state.render())
        elif line is not None:
            self.env.out(line)

    @contextmanager
    def shown(self) -> Iterator[Progress]:
        if not self.console.is_terminal:
            yield self
            return
        with Live(self.state.render(), console=self.console, refresh_per_second=4, transient=True) as live:
            self.live = live
            try:
                yield self
            finally:
                self.live = None


def show_result(env: Env, result: RunResult, run_dir: str | None) -> None:
    """The claim → verdict table, the findings by kind and where the run directory is."""
    console = console_for(env)
    table = Table(title="claims", box=box.ROUNDED if console.is_terminal else box.ASCII, show_lines=False)
    table.add_column("verdict", no_wrap=True)
    table.add_column("claim")
    table.add_column("device", no_wrap=True)
    table.add_column("evidence", justify="right", no_wrap=True)
    table.add_column("details", max_width=DETAILS_WIDTH, no_wrap=not console.is_terminal, overflow="ellipsis")
    for row in result.rows:
        table.add_row(Text(row.verdict, style=STYLE.get(row.verdict, "")), row.claim, row.device or "",
                      str(row.evidence) if row.evidence else "", one_line(row.details, 120))
    if result.rows:
        console.print(table)
    counts = Counter(row.verdict for row in result.rows)
    console.print("verdicts: " + (", ".join(f"{n} {v}" for v, n in counts.most_common()) or "none"))
    if any(len(row.details) > DETAILS_WIDTH for row in result.rows) and (where := where_in_full(result, run_dir)):
        console.print(f"details cut to fit: {where}")
    if result.kinds:
        from harness.scenario.run_results import findings_text

        console.print("findings: " + findings_text(result.kinds))
    elif result.findings is not None:
        console.print("findings: none")
    if result.findings is not None:
        console.print(f"findings.json: {result.findings}")
    if run_dir is not None:
        console.print(f"run directory: {run_dir}")


def where_in_full(result: RunResult, run_dir: str | None) -> str:
    """Where each claim's reasons are in full: ``each claim's reasons in full in F (claims), pytest's
    output in D/pytest.log``; ``""`` when the run kept neither."""
    from harness.scenario.runner import LOG_NAME

    parts = []
    if result.findings is not None:
        parts.append(f"each claim's reasons in full in {result.findings} (claims)")
    if run_dir is not None:
        parts.append(f"pytest's output in {run_dir}/{LOG_NAME}")
    return ", ".join(parts)


def error_line(result: RunResult, run_dir: str | None) -> str | None:
    """The last line of a run whose claims ended in ``error`` (or that stopped on bad input): how
    many, the first one's reason, and where all of them are in full; None when there is none."""
    if result.error is not None:
        return f"harness: error: {result.error}"
    errors = [row for row in result.rows if row.verdict == "error"]
    if not errors:
        return None
    head = f"{len(errors)} claims ended in error; the first, " if len(errors) > 1 else ""
    where = where_in_full(result, run_dir)
    return (f"harness: error: {head}{errors[0].claim}: {one_line(errors[0].details, 160)}"
            + (f" ({where})" if where else ""))
