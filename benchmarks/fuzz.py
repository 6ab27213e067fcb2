"""Long fuzzing runs over the harness's input surfaces (issue 12), with hang and memory watch.

    python benchmarks/fuzz.py --surface har --minutes 10
    python benchmarks/fuzz.py --surface all --minutes 2 --out fuzz-findings/

Inputs come from the Hypothesis strategies in ``harness.testing.fuzz`` (the property tests in
``tests/fuzz/`` use the same with a small budget). Each input is read in a worker process the
parent watches: an exception other than ``HarnessError`` (or a worker killed by a signal, such as
a segfault) is a crash, an input taking over ``--hang-seconds`` (20) a hang, a worker whose memory
passes ``--memory-mb`` (1024) a memory failure. Failing inputs are shrunk by Hypothesis and the
minimal ones saved under ``--out``. The table printed at the end has, per surface, inputs tried,
crashes, hangs, memory failures, the peak memory of one input and whether the targets are met.
Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HANG_S = 20.0
MEMORY_MB = 1024
BATCH = 200


def _status_kb(pid: int | str, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _worker(conn: Connection) -> None:
    """Read inputs from ``conn``; answer (outcome, detail, peak KiB of this input)."""
    from harness.testing.fuzz import run_surface

    while True:
        try:
            name, value = conn.recv()
        except EOFError:
            return
        try:  # reset the peak resident size so the answer is this input's own peak
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            pass
        try:
            error = run_surface(name, value)
            answer = ("refused" if error else "read", error or "")
        except BaseException as exc:  # noqa: BLE001 - every escape is a finding
            tb = traceback.extract_tb(exc.__traceback__)
            where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
            answer = ("crash", f"{type(exc).__name__} at {where}: {str(exc)[:200]}")
        conn.send((*answer, _status_kb("self", "VmHWM")))


class Worker:
    """A watched worker process; restarted after a crash, hang or memory failure."""

    def __init__(self, hang_s: float, memory_mb: int) -> None:
        self.hang_s, self.memory_kb = hang_s, memory_mb * 1024
        self.proc: Any = None
        self.conn: Connection | None = None

    def start(self) -> None:
        ctx = mp.get_context("fork")
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent

    def stop(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.proc.kill()
        if self.proc is not None:
            self.proc.join(5)
        self.proc = self.conn = None

    def run(self, name: str, value: Any) -> tuple[str, str, int]:
        if self.proc is None or not self.proc.is_alive():
            self.start()
        assert self.conn is not None and self.proc is not None
        self.conn.send((name, value))
        start = time.monotonic()
        peak = 0
        while not self.conn.poll(0.1):
            rss = _status_kb(self.proc.pid, "VmRSS")
            peak = max(peak, rss)
            if rss > self.memory_kb:
                self.stop()
                return "memory", f"worker grew past {rss // 1024} MB", rss
            if time.monotonic() - start > self.hang_s:
                self.stop()
                return "hang", f"no answer after {self.hang_s:.0f} s", peak
            if not self.proc.is_alive():
                self.proc.join(1)
                code = self.proc.exitcode
                self.stop()
                return "crash", f"worker died (exit {code}, a signal if negative)", peak
        try:
            outcome, detail, hwm = self.conn.recv()
        except EOFError:
            self.proc.join(1)
            code = self.proc.exitcode
            self.stop()
            return "crash", f"worker died (exit {code})", peak
        if hwm > self.memory_kb:
            return "memory", f"peak {hwm // 1024} MB", hwm
        return outcome, detail, max(peak, hwm)


class Failure(Exception):
    """An input that broke the promise (crash, hang or memory)."""


@dataclass
class Tally:
    surface: str
    inputs: int = 0
    crash: int = 0
    hang: int = 0
    memory: int = 0
    peak_kb: int = 0
    saved: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    @property
    def met(self) -> bool:
        return not (self.crash or self.hang or self.memory)


def _save(out: Path, name: str, kind: str, detail: str, value: Any) -> str:
    from harness.testing.fuzz import SURFACES

    out.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()[:12]
    stem = out / f"{name}-{kind}-{digest}"
    if isinstance(value, bytes | tuple) and name != "runstore":
        suffix, data = value if isinstance(value, tuple) else (SURFACES[name].suffix, value)
        path = stem.with_suffix(suffix or ".bin")
        path.write_bytes(data)
    else:
        path = stem.with_suffix(".txt")
        path.write_text(repr(value) + "\n")
    stem.with_suffix(".why").write_text(f"{kind}: {detail}\n")
    return str(path)


def _batch(name: str, deadline: float, worker: Worker, tally: Tally) -> tuple[str, str, Any] | None:
    """One Hypothesis run of up to :data:`BATCH` inputs; the minimal failing input, if any."""
    from hypothesis import HealthCheck, Phase, given, settings

    from harness.testing.fuzz import SURFACES

    last: list[tuple[str, str, Any]] = []

    @settings(max_examples=BATCH, deadline=None, database=None, phases=[Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(SURFACES[name].strategy)
    def one(value: Any) -> None:
        # past the deadline every input passes at once: generation ends; shrinking gets 60 s more
        if time.monotonic() > deadline + (60 if last else 0):
            return
        kind, detail, peak = worker.run(name, value)
        tally.inputs += 1
        tally.peak_kb = max(tally.peak_kb, peak)
        if kind in ("crash", "hang", "memory"):
            last.append((kind, detail, value))
            raise Failure(f"{kind}: {detail}")

    try:
        one()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - Failure, or Hypothesis' own report of it
        if not last:
            raise RuntimeError(f"fuzzing stopped: {type(exc).__name__}: {exc}") from exc
        return last[-1]  # Hypothesis replays the minimal example last
    return None


def fuzz(name: str, seconds: float, worker: Worker, out: Path) -> Tally:
    """Fuzz surface ``name`` for ``seconds``; each distinct failure's minimal input saved in ``out``."""
    tally = Tally(name)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = _batch(name, deadline, worker, tally)
        except RuntimeError as exc:
            print(f"  {name}: {exc}", file=sys.stderr)
            break
        if found is None:
            continue
        kind, detail, value = found
        signature = f"{kind}:{detail.split(':')[0]}"
        if signature not in tally.seen:
            tally.seen.add(signature)
            setattr(tally, kind, getattr(tally, kind) + 1)
            tally.saved.append(_save(out, name, kind, detail, value))
            print(f"  {name}: {kind}: {detail} -> {tally.saved[-1]}", flush=True)
    return tally


def main(argv: list[str] | None = None) -> int:
    from harness.testing.fuzz import SURFACES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--surface", default="all", choices=["all", *SURFACES], help="input surface to fuzz")
    ap.add_argument("--minutes", type=float, default=10.0, help="minutes per surface (default 10)")
    ap.add_argument("--out", type=Path, default=Path("fuzz-findings"), help="where minimal failing inputs go")
    ap.add_argument("--hang-seconds", type=float, default=HANG_S, help="an input slower than this is a hang")
    ap.add_argument("--memory-mb", type=int, default=MEMORY_MB, help="a worker larger than this is a failure")
    args = ap.parse_args(argv)
    names = list(SURFACES) if args.surface == "all" else [args.surface]
    worker = Worker(args.hang_seconds, args.memory_mb)
    tallies = []
    try:
        for name in names:
            print(f"fuzzing {name} for {args.minutes:g} min ...", flush=True)
            tallies.append(fuzz(name, args.minutes * 60, worker, args.out))
    finally:
        worker.stop()
    head = (f"{'surface':<10} {'inputs':>8} {'crashes':>8} {'hangs>' + str(int(args.hang_seconds)) + 's':>9} "
            f"{'>' + str(args.memory_mb) + 'MB':>8} {'peak MB':>8}  targets")
    print(head)
    for t in tallies:
        print(f"{t.surface:<10} {t.inputs:>8} {t.crash:>8} {t.hang:>9} {t.memory:>8} {t.peak_kb / 1024:>8.0f}  "
              f"{'met' if t.met else 'NOT MET'}")
    saved = [p for t in tallies for p in t.saved]
    if saved:
        print(f"minimal failing inputs: {os.path.relpath(args.out)}/ ({len(saved)})")
    return 0 if all(t.met for t in tallies) else 1


if __name__ == "__main__":
    sys.exit(main())
