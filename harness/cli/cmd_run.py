"""``harness run PACK|PATH... [--target virtual|SERIAL[,SERIAL]] [--world W] [--profile P] [--out DIR]
[-k EXPR] [-n N] [--adb HOST:PORT] [--frida T] [--frida-address HOST:PORT] [--hosts FILE]
[--upstream-ca PEM] [--geo-overrides FILE] [--policy FILE] [--mmdb FILE] [--dist MODE] [-- PYTEST_ARGS...]``:
run scenario packs (or scenario files) through pytest with live progress, then print the claim →
verdict table and the run directory, which holds the session's ``findings.json`` and ``junit.xml``
(one test case per claim and device: harness.report.junit). ``--hosts``, ``--upstream-ca`` and
``--geo-overrides`` describe a lab network with its own names and servers (harness.scenario.labnet);
``--policy`` and ``--mmdb`` are the analysis's (the plugin's ``--harness-policy`` and
``--harness-geo-db``); ``--dist`` is pytest-xdist's. Everything after ``--`` goes to pytest as it is
(``-x``, ``--maxfail 2``, ``-k EXPR``): see :func:`check_pytest_args` for the options refused.

Exit 0 every claim holds; 1 a claim violated; 2 an error (unknown pack, a scenario file that does
not compile, a bad marker, an unknown serial, a lab that failed); 3 none violated but one
inconclusive (or nothing observed); 130 stopped by a signal (the child restored the device and the
run is kept, marked incomplete). See docs/scenarios.md, "Running packs".
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli.context import Env
from harness.errors import UsageError
from harness.parsing import one_line, quote
from harness.scenario.target import FRIDA_TRANSPORTS, check_frida_options

if TYPE_CHECKING:
    from harness.scenario.packs import Pack

#: ``--target``: ``virtual`` or adb serials (USB serials, ``HOST:PORT``, ``emulator-5554``)
_SERIAL = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="run scenario packs (claims as tests) on a virtual handset or phones, with live progress",
        description="Run scenario packs or scenario files through pytest (the harness plugin) on a virtual "
                    "handset or on phones, show live progress and end with each claim's verdict and the run "
                    "directory. Exit 0 every claim holds, 1 a claim violated, 2 an error, 3 none violated but "
                    "one inconclusive, 130 stopped by a signal.")
    p.add_argument("packs", nargs="+", metavar="PACK|PATH",
                   help="an installed pack (`harness packs` lists them), a folder of tests or a test file")
    p.add_argument("--target", default="virtual", metavar="virtual|SERIAL[,SERIAL]",
                   help="a virtual handset (default) or the adb serials of phones (one per pytest worker)")
    p.add_argument("--world", default=None, metavar="NAME|FILE",
                   help="virtual vendor world of a virtual handset (compliant, ncsc-2021, list-not-enforced, or a file)")
    p.add_argument("--profile", default=None, metavar="NAME|FILE",
                   help="app profile (default: virtual-vendor on a virtual handset, also one of `harness sim start` "
                        "given by serial; xiaomi-miui12-global on a phone)")
    p.add_argument("--adb", default=None, metavar="HOST:PORT",
                   help="adb server of the phones (default: the local one; a device farm's otherwise)")
    p.add_argument("--frida", default=None, choices=FRIDA_TRANSPORTS,
                   help="how Frida reaches a phone's apps (default: usb; local: apps on this host)")
    p.add_argument("--frida-address", default=None, metavar="HOST:PORT", help="frida-server address for --frida remote")
    p.add_argument("--hosts", type=Path, default=None, metavar="FILE",
                   help="the lab network's host names: a hosts file (ADDRESS NAME...) the proxy connects by")
    p.add_argument("--upstream-ca", type=Path, default=None, metavar="PEM",
                   help="CA certificate of the lab's own servers, trusted for the proxy's upstream TLS")
    p.add_argument("--geo-overrides", type=Path, default=None, metavar="FILE",
                   help="the lab's CIDR -> country table (YAML, JSON or CSV, as for `harness analyze`)")
    p.add_argument("--policy", type=Path, default=None, metavar="FILE",
                   help="jurisdiction policy YAML for the analysis (home region, adequacy list; as `harness analyze "
                        "--policy`; the pytest plugin's --harness-policy)")
    p.add_argument("--mmdb", type=Path, default=None, metavar="FILE",
                   help="MaxMind GeoIP2/GeoLite2 .mmdb database for the server countries (the pytest plugin's "
                        "--harness-geo-db)")
    p.add_argument("--dist", default=None, choices=DIST_MODES,
                   help="pytest-xdist distribution with -n: each runs every claim on every device (a farm), "
                        "load (pytest-xdist's default) shares them out; the same as `-- --dist MODE`")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="where run directories are made (default: HARNESS_HOME/runs)")
    p.add_argument("-k", dest="keyword", default=None, metavar="EXPR", help="only tests matching EXPR (pytest -k)")
    p.add_argument("-n", dest="workers", type=int, default=None, metavar="N",
                   help="pytest-xdist workers (each takes its own virtual handset, or the next serial)")
    p.epilog = ("Arguments after -- go to pytest unchanged, e.g. `harness run PACK -n 2 -- --dist each -x` "
                "(an option pytest refuses is one line, exit 2).")
    p.set_defaults(func=run, passthrough=[])


#: pytest-xdist's ``--dist`` modes (``harness run --dist MODE`` passes ``--dist MODE`` on)
DIST_MODES = ("each", "load", "loadscope", "loadfile", "loadgroup", "worksteal", "no")
#: pytest options ``harness run`` refuses after ``--``: they print instead of running tests (the
#: child's output goes to ``pytest.log``), with what to do instead
_NOT_RUNNING = {"-h": "python -m pytest --help", "--help": "python -m pytest --help",
                "-V": "python -m pytest --version", "--version": "python -m pytest --version",
                "--co": "harness packs", "--collect-only": "harness packs", "--fixtures": "python -m pytest --fixtures",
                "--markers": "python -m pytest --markers", "--setup-plan": "python -m pytest --setup-plan"}


def check_pytest_args(words: list[str]) -> list[str]:
    """The pytest arguments given after ``--``, or UsageError for one ``harness run`` cannot pass:
    the harness plugin's own ``--harness-*`` options (``harness run`` sets them from its options)
    and options that make pytest print instead of running tests (:data:`_NOT_RUNNING`). Other
    options are checked by pytest itself (an unknown one is its one line, exit 2)."""
    for word in words:
        name = word.split("=", 1)[0]
        if name.startswith("--harness-"):
            own = "--" + name[len("--harness-"):]
            raise UsageError(f"{quote(name)} after --: harness run sets the plugin's options itself",
                             fix=f"give harness run's own option ({own} ...) before --")
        if name in _NOT_RUNNING:
            raise UsageError(f"{quote(name)} after --: pytest would print instead of running the tests",
                             fix=f"run `{_NOT_RUNNING[name]}` instead")
    return words


def check_target(target: str) -> str:
    """``virtual`` or a comma-separated list of adb serials; UsageError otherwise."""
    if target == "virtual":
        return target
    serials = target.split(",")
    for serial in serials:
        if not _SERIAL.match(serial):
            raise UsageError(f"--target {quote(target)}: {quote(serial)} is not an adb serial",
                             fix="give `virtual` or serials from `harness devices`, separated by commas")
    if len(set(serials)) != len(serials):
        raise UsageError(f"--target {quote(target)} names a serial twice", fix="name each phone once")
    return target


def check_world_and_profile(target: str, world: str | None, profile: str | None) -> None:
    """The world (of a virtual handset) and the profile named are read before pytest starts: a bad
    one is the loader's one line (WorldFileError, ProfileError naming the file and field)."""
    if world and target == "virtual":
        from harness.sim.world import load_world

        load_world(world)
    if profile:
        from harness.scenario.profile import load_profile

        load_profile(profile)


def check_serials(target: str, adb: str | None) -> None:
    """Each serial of ``target`` is listed by the adb server and ready, before pytest or a lab starts
    (raises DeviceNotFound / DeviceError, which name the serial and the fix)."""
    if target == "virtual":
        return
    from harness.device.adb import AdbServer, check_state, ensure_server

    client = ensure_server(AdbServer.parse(adb))
    for serial in target.split(","):
        check_state(client, serial, attempted="harness run")


def find_pack_test(name: str) -> Pack | None:
    """``PACK::TEST`` (an installed pack's name or module, then one of its test ids, as ``harness
    packs`` lists them): that test, as the node id of the file defining it; None when the part
    before ``::`` is no installed pack (a path: harness.scenario.packs.find_pack). Raises
    UsageError naming the test id, the pack, its tests with their claims and the fix."""
    from harness.packs.claim_text import pack_tests
    from harness.scenario.packs import Pack, installed_packs

    pack_name, sep, test = name.partition("::")
    if not sep:
        return None
    packs = installed_packs()
    pack = packs.get(pack_name) or next((p for p in packs.values() if p.module == pack_name), None)
    if pack is None:
        return None
    tests = pack_tests(pack.path)
    found = tests.get(test.split("[", 1)[0].split("::", 1)[0])
    if found is not None:
        return Pack(name=name, path=Path(f"{found[0]}::{test}"), module=pack.module, title=pack.title,
                    source=pack.source, origin=pack.origin)
    listed = "; ".join(f"{t} ({one_line(claim or 'no claim marker', 36)})" for t, (_, claim) in tests.items())
    raise UsageError(f"no test {quote(test)} in pack {pack.name} (its tests: {listed or 'none'})",
                     fix=f"give one of them (harness run {pack.name}::TEST) or the pack alone; `harness packs` "
                         "lists the claims in full")


def restore_state(progress: list[dict[str, object]], killed: bool) -> str:
    """What the run shows of the labs' teardown after a stop: a lab restores its device, then closes
    its run store (``closed_at`` in the store's meta) and says ``lab-close``; a device whose lab
    shows neither is named with the fix."""
    from harness.capture.store import RunStore
    from harness.errors import HarnessError

    def closed(record: dict[str, object]) -> bool:
        key = (record.get("worker"), record.get("module"))
        if any(r.get("event") == "lab-close" and (r.get("worker"), r.get("module")) == key for r in progress):
            return True
        try:
            return "closed_at" in RunStore.open(str(record.get("run_dir"))).meta()
        except HarnessError:
            return False

    opened = [r for r in progress if r.get("event") == "lab-open"]
    if not opened:
        return "no lab had opened"
    left = sorted({str(r.get("device")) for r in opened if not closed(r)})
    if not left:
        return "every lab restored its device and closed its run"
    why = "the child was killed" if killed else "a lab did not close"
    return f"{why}: run `harness restore --device SERIAL` for {', '.join(left)}"


def not_restored(env: Env, since: float) -> None:
    """A line per device this run left changed: a restore journal begun during the run with
    changes not undone and no live session holding it (the pytest child was killed before its
    labs restored; trial 6 finding D), naming ``harness restore --device S``."""
    from harness.device.journal import journal_path, left_changed

    for serial, count in left_changed(env.home, since=since):
        changes = f"{count} change(s) pending" if count >= 0 else "its journal is unreadable"
        env.err(f"harness: error: [{serial}] was not restored ({changes} in {journal_path(env.home, serial)}): "
                f"run `harness restore --device {serial}` (apps' data a pack cleared is not brought back)")


def plugin_args(args: argparse.Namespace) -> list[str]:
    """The plugin options ``harness run`` passes on (``--harness-adb=...``, ...); the lab-network
    files are read first (HostsFileError, UsageError or AnalysisError naming the file: exit 2)."""
    from harness.scenario.labnet import check_file

    out = []
    for name, value in (("adb", args.adb), ("frida", args.frida), ("frida-address", args.frida_address),
                        ("hosts", args.hosts), ("upstream-ca", args.upstream_ca),
                        ("geo-overrides", args.geo_overrides), ("policy", args.policy), ("geo-db", args.mmdb)):
        if value is None:
            continue
        if isinstance(value, Path):
            if name in ("policy", "geo-db"):
                check_analysis_file(name, value)
            else:
                check_file(name.replace("-", "_"), value)
            value = value.absolute()  # the child runs in the same folder; an absolute path reads clearer
        out.append(f"--harness-{name}={value}")
    if args.dist is not None:
        out += ["--dist", args.dist]
    return out


def check_analysis_file(name: str, path: Path) -> None:
    """``--policy`` / ``--mmdb`` read before pytest starts (the loader's one line naming the file)."""
    if name == "policy":
        from harness.analysis.policy import load_policy

        load_policy(path)
    elif not path.is_file():
        raise UsageError(f"--mmdb {quote(str(path))}: no such file", fix="give a MaxMind GeoIP2/GeoLite2 .mmdb file")


def write_session_junit(session: Path | None) -> Path | None:
    """``SESSION/junit.xml`` from the session's ``findings.json`` (one case per claim and device,
    as ``harness report --junit`` writes it); None when the session has no findings.json."""
    from harness.report.document import FINDINGS_FILE
    from harness.report.junit import write_junit

    if session is None or not (session / FINDINGS_FILE).is_file():
        return None
    import json

    try:
        return write_junit(json.loads((session / FINDINGS_FILE).read_text(encoding="utf-8")), session / "junit.xml")
    except (OSError, ValueError):
        return None


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.cli.run_display import Progress, error_line, show_result
    from harness.scenario.packs import find_pack, syntax_errors
    from harness.scenario.run_results import EXIT_ERROR, result_of
    from harness.scenario.runner import RunOptions, record_exit, run_packs
    from harness.scenario.signals import EXIT_INTERRUPTED

    target = check_target(args.target)
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"-n {args.workers}: needs at least one worker", fix="e.g. -n 2")
    check_frida_options(args.frida, args.frida_address)
    packs = [find_pack_test(name) or find_pack(name) for name in args.packs]
    passed = plugin_args(args) + check_pytest_args(list(args.passthrough))
    check_world_and_profile(target, args.world, args.profile)
    check_serials(target, args.adb)
    for problem in syntax_errors([pack.path for pack in packs]):
        raise UsageError(f"cannot collect {problem['file']}:{problem['line']}: {problem['message']}",
                         fix="correct the scenario file and run again")
    options = RunOptions(paths=[pack.path for pack in packs], packs=[pack.name for pack in packs],
                         out=Path(args.out) if args.out else env.home / "runs", target=target, world=args.world,
                         profile=args.profile, keyword=args.keyword, workers=args.workers,
                         extra_args=passed, home=env.home)
    progress = Progress(env)
    try:
        with progress.shown():
            outcome = run_packs(options, on_event=progress)
    except OSError as exc:
        raise UsageError(f"cannot write run directories in {options.out}: {exc.strerror or exc}",
                         fix="give --out a folder you can write") from None
    result = result_of(outcome.events, outcome.progress, outcome.session_dir, outcome.exit_code, outcome.log,
                       args.keyword)
    run_dir = str(outcome.session_dir) if outcome.session_dir is not None else None
    write_session_junit(outcome.session_dir)  # beside findings.json, for CI (as `harness demo`)
    if outcome.interrupted is not None:
        show_result(env, result, run_dir)
        state = restore_state(outcome.progress, outcome.killed)
        env.err(f"harness: interrupted by {outcome.interrupted}; the run is incomplete"
                + (f": what was recorded is in {run_dir}" if run_dir else " (nothing was recorded)") + f"; {state}")
        not_restored(env, outcome.started_at)
        record_exit(outcome.session_dir, EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED
    if result.error is not None and not result.rows:
        kept = f" (recorded so far: {run_dir})" if run_dir else ""
        env.err(f"harness: error: {result.error}{kept}")
        not_restored(env, outcome.started_at)
        record_exit(outcome.session_dir, EXIT_ERROR)
        return EXIT_ERROR
    show_result(env, result, run_dir)
    if (line := error_line(result, run_dir)) is not None:
        env.err(line)
    not_restored(env, outcome.started_at)
    record_exit(outcome.session_dir, result.status)
    return result.status
