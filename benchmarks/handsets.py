"""How the cost of a claims pack grows with virtual handsets (issue 17, docs/performance.md "With
handsets"): the shipped ``ncsc_2021`` pack on 1 virtual handset, then on 2 at once, through the
harness pytest plugin under pytest-xdist as users run it (each worker takes a virtual handset of
its own: its own world, proxy and apps, docs/scenarios.md "Several devices").

    python benchmarks/handsets.py                    # the four configurations below, 1 round each
    python benchmarks/handsets.py --rounds 3         # medians of 3 rounds (interleaved)
    python benchmarks/handsets.py --quick            # one claim per lab, no split (the smoke test)

Configurations (``python -m pytest --pyargs harness.packs.ncsc_2021 --harness-target virtual ...``,
the command ``harness run`` runs in its child), in this order in each round:

- ``1 handset, empty compile cache``: ``-n 1``, the whole pack, a first run after installing (the
  apps and the ``vapp`` runtime are compiled into ``HARNESS_HOME/cache``);
- ``1 handset``: the same with that cache kept (a user's second run);
- ``2 handsets, whole pack each``: ``-n 2 --dist each``, every claim on both handsets at once (two
  phones of a device farm checked side by side): the per-lab cost;
- ``2 handsets, pack split``: ``-n 2`` (xdist's default ``load``), the claims shared out between
  the two handsets, what ``harness run ncsc_2021 -n 2`` does: the speed-up a user gets.

One handset runs under ``-n 1`` so that both sides have the same processes (an xdist controller
and its workers) and the ratio measures handsets, not xdist. The compile cache is kept in place
between the runs of a round (it is keyed by its absolute path: a copy would be compiled again).

Each run is in a fresh HOME and HARNESS_HOME (its compile cache excepted, above) with its own adb
server port (the server is killed afterwards). Figures per configuration: wall seconds; CPU seconds
of pytest and every process it waited for (xdist workers, the handsets' app JVMs, Frida and
mitmproxy inside the workers, compilers); the adb server's own CPU seconds beside (it detaches from
the run, so the rusage does not count it: read from ``/proc/PID/stat`` before it is killed); CPU
seconds and flows recorded per lab; the peak memory of the run's process tree (sum of PSS,
``/proc/PID/smaps_rollup``, sampled every 0.5 s, adb server included: PSS shares a page among the
processes that map it, so nothing is counted twice; a process shorter than a sample can be
missed), the processes at that peak by name with their PSS, the most processes of each name alive
at once and the largest PSS one process of each name reached; what the labs of a 2-handset run
share that must be their own (the handset's adb serial, the proxy's address, the world's server
addresses, flows that reached the other lab's world: any of them is interference, a bug, and
fails the row); and whether every lab gave the single handset's verdicts (a handset must not
change a claim's verdict: a difference is a bug and fails the row). Beside the ratios: the CPU and
peak PSS the second handset adds (2 handsets minus 1), since the per-lab figure shares the
controller's fixed cost between the labs.

Target: CPU seconds per lab with 2 handsets (whole pack each) <= 1.2 x the 1-handset figure. Two
labs do the same work on separate handsets, so a harness without shared bottlenecks (one proxy,
one adb server, files or locks the labs wait on) costs the same per lab; 1.2 x leaves room for
what two labs legitimately contend for on 2 cores (the shared adb server's multiplexing, CPU
caches, the xdist controller's second channel). Wall time is printed as a ratio without a
target: on 2 cores shared by other engineers it measures the machine, not the harness.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from table import Row, report, row  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PACK = "harness.packs.ncsc_2021"
#: the claim a quick run keeps (pytest -k): one first start of the security app per lab
QUICK_K = "system_apps_do_not_download"
TARGET_CPU_PER_LAB = 1.2
#: (label, pytest-xdist arguments, handsets); COLD runs first with an empty compile cache
COLD = ("1 handset, empty compile cache", ["-n", "1", "--dist", "each"], 1)
CONFIGS = (
    ("1 handset", ["-n", "1", "--dist", "each"], 1),
    ("2 handsets, whole pack each", ["-n", "2", "--dist", "each"], 2),
    ("2 handsets, pack split", ["-n", "2"], 2),
)
SAMPLE_S = 0.5
_CLK = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stat(pid: int) -> tuple[int, str, float] | None:
    """(parent pid, command name, CPU seconds) of ``pid`` from /proc/PID/stat, or None when gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1:raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2:].split()
    return int(fields[1]), name, (int(fields[11]) + int(fields[12])) / _CLK


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def adb_server_pid(port: str) -> int | None:
    """The pid of the adb server listening on ``port`` (its command line names ``tcp:PORT``)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"adb") and f"tcp:{port}".encode() in b" ".join(argv) and b"server" in argv:
            return int(entry.name)
    return None


class TreeSampler(threading.Thread):
    """Every ``SAMPLE_S`` seconds: the processes descending from ``root`` (and the adb server on
    ``port``), their summed PSS; keeps the peak and the process names counted at the peak."""

    def __init__(self, root: int, port: str) -> None:
        super().__init__(daemon=True)
        self.root, self.port = root, port
        self.peak_kb = 0
        #: at the peak: process name -> [count, PSS kB]; over the run: most processes of a name at once
        self.at_peak: dict[str, list[int]] = {}
        self.most: Counter[str] = Counter()
        #: over the run: the largest PSS (kB) of one process of each name
        self.largest: Counter[str] = Counter()
        self.adb_pid: int | None = None
        self.adb_cpu = 0.0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        names: dict[int, str] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                st = _stat(int(entry.name))
                if st is not None:
                    children.setdefault(st[0], []).append(int(entry.name))
                    names[int(entry.name)] = st[1]
        tree, todo = [], [self.root]
        if self.adb_pid is None:
            self.adb_pid = adb_server_pid(self.port)
        if self.adb_pid is not None:
            todo.append(self.adb_pid)
            st = _stat(self.adb_pid)
            self.adb_cpu = st[2] if st else self.adb_cpu
        while todo:
            pid = todo.pop()
            if pid in names and pid not in tree:
                tree.append(pid)
                todo += children.get(pid, [])
        by_name: dict[str, list[int]] = {}
        for pid in tree:
            entry = by_name.setdefault(names[pid], [0, 0])
            pss = _pss_kb(pid)
            entry[0] += 1
            entry[1] += pss
            self.largest[names[pid]] = max(self.largest[names[pid]], pss)
        for name, (n, _) in by_name.items():
            self.most[name] = max(self.most[name], n)
        kb = sum(kb for _, kb in by_name.values())
        if kb > self.peak_kb:
            self.peak_kb, self.at_peak = kb, by_name

    def run(self) -> None:
        while not self._stop_event.wait(SAMPLE_S):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)


def pack_once(work: Path, xdist: list[str], keyword: str | None = None, world: str | None = None,
              warm: bool = False) -> dict[str, Any]:
    """One pack run under pytest in a fresh HOME and HARNESS_HOME with its own adb server. The
    HARNESS_HOME is ``work/harness`` emptied first, its app compile cache kept when ``warm`` (the
    cache is keyed by its absolute path, so it is kept in place, not copied). Returns ``{"wall",
    "cpu", "adb_cpu", "code", "labs": [{"run_dir", "device", "flows", "proxy", "world", "servers",
    "verdicts"}], "peak_mb", "at_peak": {name: [count, PSS kB]}, "most": {name: count}, "largest": {name: PSS kB},
    "tail"}``
    (seconds, CPU seconds, MB; verdicts: claim text -> verdict)."""
    from harness.capture.store import RunStore
    from harness.device.adbbin import use_adb

    home = Path(tempfile.mkdtemp(prefix="hs-", dir=work))
    (home / "home").mkdir(mode=0o700)
    harness_home = work / "harness"
    harness_home.mkdir(mode=0o700, exist_ok=True)
    for entry in harness_home.iterdir():
        if not (warm and entry.name == "cache"):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    out = home / "runs"
    port = str(_free_port())
    env = {**os.environ, "HOME": str(home / "home"), "HARNESS_HOME": str(harness_home),
           "ANDROID_ADB_SERVER_PORT": port, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("HARNESS_CACHE", None)  # the compile cache is this run's HARNESS_HOME/cache (cold or kept, above)
    argv = [sys.executable, "-m", "pytest", "--pyargs", PACK, "-p", "no:cacheprovider", "-q",
            "--harness-target=virtual", f"--harness-out={out}", *xdist]
    argv += [f"--harness-world={world}"] if world else []
    argv += ["-k", keyword] if keyword else []
    t = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(argv, env=env, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = TreeSampler(proc.pid, port)
    sampler.start()
    try:
        log, _ = proc.communicate(timeout=1800)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sampler.stop()
        wall = time.perf_counter() - t
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        st = _stat(sampler.adb_pid) if sampler.adb_pid else None
        adb_cpu = st[2] if st else sampler.adb_cpu
        subprocess.run([use_adb().path, "-P", port, "kill-server"], capture_output=True, timeout=30, check=False)
    labs = []
    for run_dir in sorted(out.glob("*/*/*")):
        if not (run_dir / "store.sqlite").exists():
            continue
        claims = run_dir / "claims.jsonl"
        records = [json.loads(x) for x in claims.read_text().splitlines() if x.strip()] if claims.exists() else []
        store = RunStore.open(run_dir)
        meta = store.meta()
        proxy = meta.get("proxy") or {}
        labs.append({"run_dir": str(run_dir), "device": meta.get("serial"), "flows": store.count_flows(),
                     "proxy": f"{proxy.get('host')}:{proxy.get('port')}",
                     "world": set(meta.get("world_servers") or []),
                     "servers": {f"{f.server_ip}:{f.server_port}" for f in store.iter_flows() if f.server_ip},
                     "verdicts": {r["text"]: r["verdict"] for r in records}})
    return {"wall": wall, "cpu": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
            "adb_cpu": adb_cpu, "code": proc.returncode, "labs": labs, "peak_mb": sampler.peak_kb / 1024,
            "at_peak": sampler.at_peak, "most": dict(sampler.most),
            "largest": dict(sampler.largest), "tail": log[-3000:]}


def same_verdicts(single: dict[str, str], labs: list[dict[str, Any]], split: bool) -> tuple[bool, str]:
    """Every lab's verdicts equal the single handset's (``split``: the labs' union does, each claim
    on one lab). Returns (equal, what differs)."""
    if split:
        merged: dict[str, str] = {}
        for lab in labs:
            merged.update(lab["verdicts"])
        got = [merged]
    else:
        got = [lab["verdicts"] for lab in labs]
    diffs = [f"{claim[:40]}: {v.get(claim)} vs {single.get(claim)}" for v in got
             for claim in sorted(set(v) | set(single)) if v.get(claim) != single.get(claim)]
    return (not diffs and bool(single)), "; ".join(diffs)[:100]


def _procs(at_peak: dict[str, list[int]]) -> str:
    """``python x3 420 MB, java x2 150 MB, ...``: the processes at the peak by name, largest first."""
    top = sorted(at_peak.items(), key=lambda kv: -kv[1][1])
    return ", ".join(f"{name} x{n} {kb / 1024:.0f} MB" for name, (n, kb) in top)[:100]


def _most(most: dict[str, int]) -> str:
    """``java 3, python 3, ...``: the most processes of each name alive at once during the run."""
    return ", ".join(f"{name} {n}" for name, n in sorted(most.items(), key=lambda kv: (-kv[1], kv[0])))[:100]


def _largest(largest: dict[str, int]) -> str:
    """``java 252 MB, python 190 MB, ...``: the largest PSS one process of each name reached."""
    return ", ".join(f"{name} {kb / 1024:.0f} MB" for name, kb in sorted(largest.items(), key=lambda kv: -kv[1]))[:100]


def shared(labs: list[dict[str, Any]]) -> str:
    """What two labs of one run share that must be their own: the handset's adb serial, the
    proxy's address, world server addresses, or flows to the other lab's world. "" = nothing."""
    found = []
    for i, a in enumerate(labs):
        for b in labs[i + 1:]:
            if a["device"] == b["device"]:
                found.append(f"serial {a['device']}")
            if a["proxy"] == b["proxy"]:
                found.append(f"proxy {a['proxy']}")
            if a["world"] & b["world"]:
                found.append(f"world servers {sorted(a['world'] & b['world'])[0]}")
        others = set().union(*(b["world"] for b in labs if b is not a)) - a["world"]
        if a["servers"] & others:
            found.append(f"{Path(a['run_dir']).parent.name}: flows to {sorted(a['servers'] & others)[0]}")
    return "; ".join(found)[:100]


def run(quick: bool = False, rounds: int | None = None, world: str | None = None) -> list[Row]:
    """The configurations as table rows (see the module docstring). Each round starts with the cold
    run (1 handset, empty compile cache), whose cache the round's other configurations keep."""
    rounds = rounds or 1
    keyword = QUICK_K if quick else None
    configs = [c for c in CONFIGS if not (quick and "split" in c[0])]  # a split of one claim is one lab
    plan = [COLD, *configs]
    results: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in plan}
    with tempfile.TemporaryDirectory(prefix="harness-bench-handsets-") as tmp:
        for i in range(rounds):
            for label, xdist, _ in plan:
                r = pack_once(Path(tmp), xdist, keyword, world, warm=label != COLD[0])
                results[label].append(r)
                print(f"handsets round {i + 1}/{rounds}, {label}: {r['wall']:.1f} s, {r['cpu']:.1f} CPU s "
                      f"(+ adb server {r['adb_cpu']:.1f}), exit {r['code']}, {len(r['labs'])} labs, "
                      f"peak {r['peak_mb']:.0f} MB, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
                if r["code"] not in (0, 1):
                    print(r["tail"], file=sys.stderr)
    first = results[COLD[0]][0]["labs"]
    single = first[0]["verdicts"] if first else {}
    rows: list[Row] = []
    med: dict[str, dict[str, float]] = {}
    for label, _, handsets in plan:
        runs = results[label]
        m = {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "adb_cpu", "peak_mb")}
        m["cpu_per_lab"] = statistics.median(r["cpu"] / max(len(r["labs"]), 1) for r in runs)
        med[label] = m
        last = runs[-1]
        rows += [row(f"{label}: wall", m["wall"], unit="s"),
                 row(f"{label}: CPU (pytest + children; adb server excepted)", m["cpu"], unit="CPU s"),
                 row(f"{label}: adb server CPU (shared, detached)", m["adb_cpu"], unit="CPU s"),
                 row(f"{label}: CPU per lab", m["cpu_per_lab"], unit="CPU s"),
                 row(f"{label}: labs / flows per lab",
                     f"{len(last['labs'])} / " + ", ".join(str(lab["flows"]) for lab in last["labs"])),
                 row(f"{label}: peak PSS of the process tree", m["peak_mb"], unit="MB"),
                 row(f"{label}: processes at the peak (PSS)", _procs(last["at_peak"])),
                 row(f"{label}: most processes at once", _most(last["most"])),
                 row(f"{label}: largest process of each name (PSS)", _largest(last["largest"]))]
        labs = min(handsets, len(single)) if "split" in label else handsets  # a split of 1 claim: 1 lab
        ok = all(len(r["labs"]) == labs and r["code"] in (0, 1) for r in runs)
        equal = [same_verdicts(single, r["labs"], split="split" in label) for r in runs]
        rows.append(row(f"{label}: {labs} lab(s), each claim's verdict as on 1 handset",
                        "yes" if all(e for e, _ in equal) and ok else
                        next((d for e, d in equal if not e and d), "labs missing or the run failed"),
                        "same", all(e for e, _ in equal) and ok))
        if handsets > 1:
            found = [shared(r["labs"]) for r in runs]
            rows.append(row(f"{label}: what the labs share (serial, proxy, world, flows)",
                            next((f for f in found if f), "nothing"), "nothing", not any(found)))
    one, each = med[CONFIGS[0][0]], med[CONFIGS[1][0]]
    ratio = each["cpu_per_lab"] / one["cpu_per_lab"]
    rows += [row("CPU per lab, 2 handsets / 1 handset (warm cache)", ratio, f"<= {TARGET_CPU_PER_LAB}",
                 ratio <= TARGET_CPU_PER_LAB, "x"),
             row("CPU of the second handset (2 handsets - 1 handset)", each["cpu"] - one["cpu"], unit="CPU s"),
             row("peak PSS of the second handset (2 handsets - 1 handset)", each["peak_mb"] - one["peak_mb"],
                 unit="MB"),
             row("wall, 2 handsets whole pack each / 1 handset", each["wall"] / one["wall"], unit="x")]
    if CONFIGS[2][0] in med:
        split = med[CONFIGS[2][0]]
        rows += [row("wall, 2 handsets pack split / 1 handset", split["wall"] / one["wall"], unit="x"),
                 row("CPU, 2 handsets pack split / 1 handset", split["cpu"] / one["cpu"], unit="x")]
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, help="rounds of the three configurations; medians (default 1)")
    ap.add_argument("--quick", action="store_true", help=f"only -k {QUICK_K} (the smoke test)")
    ap.add_argument("--world", help="virtual world (default: the plugin's, ncsc-2021)")
    args = ap.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = run(args.quick, args.rounds, args.world)
    print(f"machine: {os.cpu_count()} cores, load average {load} at start, "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at end")
    return report(rows)


if __name__ == "__main__":
    sys.exit(main())
