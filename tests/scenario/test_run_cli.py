"""``harness run``, ``harness runs`` and ``harness packs`` as a technician calls them.

Bad input ends with one line on stderr naming the problem and its place, exit 2, before any lab
starts. ``harness run`` itself starts no proxy (its pytest child does), so it runs in-process here.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from .helpers import run_cli

pytestmark = pytest.mark.timeout(300)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("harness: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "mypack"
    folder.mkdir()
    (folder / "__init__.py").write_text('"""My pack."""\n')
    (folder / "test_claims.py").write_text(textwrap.dedent('''\
        import pytest


        @pytest.mark.claim("Searches are never restricted.")
        def test_searches(lab, verdict):
            pass
        '''))
    return folder


def test_unknown_pack(tmp_path: Path):
    code, out, err = run_cli(tmp_path, "run", "no_such_pack", "--out", str(tmp_path / "runs"))
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert "unknown pack 'no_such_pack' (installed packs:" in line and "harness packs" in line
    assert not (tmp_path / "runs").exists()


def test_a_scenario_file_with_a_syntax_error(tmp_path: Path, pack: Path):
    (pack / "test_broken.py").write_text("import pytest\n\n\ndef test_x(lab:\n    pass\n")
    code, out, err = run_cli(tmp_path, "run", str(pack), "--out", str(tmp_path / "runs"))
    assert code == 2
    line = one_error_line(err)
    assert f"cannot collect {pack / 'test_broken.py'}:4: SyntaxError" in line
    assert "fix: correct the scenario file" in line


def test_a_target_that_is_not_a_serial_and_an_unknown_serial(tmp_path: Path, pack: Path):
    code, _, err = run_cli(tmp_path, "run", str(pack), "--target", "R58M;rm -rf /", "--out", str(tmp_path / "r"))
    assert code == 2 and "is not an adb serial" in one_error_line(err)
    code, _, err = run_cli(tmp_path, "run", str(pack), "--target", "NOSUCH0123", "--out", str(tmp_path / "r"))
    assert code == 2
    line = one_error_line(err)
    assert "NOSUCH0123" in line and "fix:" in line
    assert not (tmp_path / "r").exists()  # refused before pytest or a lab started


@pytest.mark.parametrize(("option", "content", "said"), [
    ("--hosts", "# lab\n10.0.0.1 api.lab.test\n10.0.0.300 cdn.lab.test\n", "hosts:3: '10.0.0.300' is not an IPv4"),
    ("--hosts", "10.0.0.1\n", "hosts:1: the address '10.0.0.1' names no host"),
    ("--upstream-ca", "not a certificate\n", "holds no readable PEM certificate"),
    ("--geo-overrides", "[1, 2]\n", "geo override file"),
])
def test_a_bad_lab_network_file_is_one_line_before_anything_starts(tmp_path: Path, pack: Path, option: str,
                                                                    content: str, said: str):
    bad = tmp_path / ("hosts" if option == "--hosts" else "file.json")
    bad.write_text(content)
    code, out, err = run_cli(tmp_path, "run", str(pack), option, str(bad), "--out", str(tmp_path / "r"))
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert said in line and str(bad) in line and "fix:" in line
    assert not (tmp_path / "r").exists()


def test_no_workers(tmp_path: Path, pack: Path):
    code, _, err = run_cli(tmp_path, "run", str(pack), "-n", "0")
    assert code == 2 and "-n 0" in one_error_line(err)


def test_runs_on_an_empty_folder_and_a_missing_one(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    code, out, _ = run_cli(tmp_path, "runs", str(tmp_path / "empty"))
    assert code == 0 and "no run directories in" in out
    code, _, err = run_cli(tmp_path, "runs", str(tmp_path / "missing"))
    assert code == 2 and "is not a folder" in one_error_line(err)


# -- with the pytest plugin: a pytest child, then (slow) a lab on the virtual handset ---------------


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_claim_marker_with_a_wrong_argument_stops_at_collection(tmp_path: Path, pack: Path, workers: list[str]):
    """Stopped at collection, before a lab: one line with the place and the fix, and no session
    line naming a folder that is never made (nothing is recorded); under xdist too."""
    (pack / "test_more.py").write_text("import pytest\n\n\n@pytest.mark.claim(42)\ndef test_x(lab, verdict):\n    pass\n")
    code, out, err = run_cli(tmp_path, "run", str(pack), *workers, "--out", str(tmp_path / "runs"))
    assert code == 2, err
    line = one_error_line(err)
    assert line == (f"harness: error: {pack / 'test_more.py'}:4: test_x: @pytest.mark.claim takes one sentence (a "
                    "non-empty str) or nothing, got claim(42) (fix: write @pytest.mark.claim(\"The sentence "
                    "tested.\"), or a bare @pytest.mark.claim to claim the first line of the test's docstring)")
    assert out == ""  # no "session: ... output DIR" line
    assert list((tmp_path / "runs").iterdir()) == []


def test_a_module_that_does_not_import(tmp_path: Path, pack: Path):
    (pack / "test_imports.py").write_text("import pytest\nfrom harness.scenario import NoSuchThing\n")
    code, out, err = run_cli(tmp_path, "run", str(pack), "--out", str(tmp_path / "runs"))
    assert code == 2
    line = one_error_line(err)
    assert f"cannot collect {pack / 'test_imports.py'}:2: ImportError" in line and "NoSuchThing" in line
    assert out == "" and list((tmp_path / "runs").iterdir()) == []


def test_an_empty_world_file_is_one_line_before_pytest_starts(tmp_path: Path, pack: Path):
    (tmp_path / "empty.yaml").write_text("")
    code, out, err = run_cli(tmp_path, "run", str(pack), "--world", str(tmp_path / "empty.yaml"),
                             "--out", str(tmp_path / "runs"))
    assert code == 2 and out == ""
    assert one_error_line(err) == (f"harness: error: loading world file: {tmp_path / 'empty.yaml'}: the world file is "
                                   "empty (fix: write a mapping with at least `name: my-world` "
                                   "(docs/virtual-handset.md, \"World files\"))")
    assert not (tmp_path / "runs").exists()


def test_a_test_id_that_does_not_exist_names_the_id_the_file_and_the_fix(tmp_path: Path, pack: Path):
    file = pack / "test_claims.py"
    code, out, err = run_cli(tmp_path, "run", f"{file}::test_nope", "--out", str(tmp_path / "runs"))
    assert code == 2 and out == ""
    assert one_error_line(err) == (
        f"harness: error: no test 'test_nope' in {file} (it defines test_searches) (fix: give one of its test ids, "
        f"as `pytest --collect-only -q {file}` lists them, or the file alone; `harness packs` lists the installed "
        "packs' claims and tests)")
    assert list((tmp_path / "runs").iterdir()) == []  # nothing was recorded


def test_a_keyword_that_selects_nothing(tmp_path: Path, pack: Path):
    code, _, err = run_cli(tmp_path, "run", str(pack), "-k", "no_such_test", "--out", str(tmp_path / "runs"))
    assert code == 2 and "no test matching -k 'no_such_test'" in one_error_line(err)


def test_an_unknown_world_is_one_line(tmp_path: Path, pack: Path):
    code, _, err = run_cli(tmp_path, "run", str(pack), "--world", "no-such-world", "--out", str(tmp_path / "runs"))
    assert code == 2 and "no-such-world" in one_error_line(err)


def test_a_failed_assertion_without_a_lab_is_exit_1_and_the_run_is_kept(tmp_path: Path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "test_plain.py").write_text("def test_fine():\n    pass\n\n\ndef test_wrong():\n    assert 1 == 2\n")
    out = tmp_path / "runs"
    code, stdout, err = run_cli(tmp_path, "run", str(folder), "--out", str(out))
    assert code == 1, stdout + err
    (row,) = [line for line in stdout.splitlines() if line.startswith("| failed ")]
    assert "test_wrong" in row and "assert 1 == 2" in row
    (kept,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert stdout.splitlines()[-1] == f"run directory: {kept}"
    assert {p.name for p in kept.iterdir()} >= {"run.json", "pytest.log", "progress.jsonl"}


def test_an_inconclusive_claim_without_a_violation_is_exit_3(tmp_path: Path):
    folder = tmp_path / "calls"
    folder.mkdir()
    (folder / "test_calls.py").write_text(textwrap.dedent('''\
        import pytest

        from harness.scenario import Inconclusive


        @pytest.mark.claim("Calls are never restricted.")
        def test_calls():
            raise Inconclusive("no dialer role in the profile", fix="add a dialer role")


        def test_fine():
            pass
        '''))
    code, stdout, err = run_cli(tmp_path, "run", str(folder), "--out", str(tmp_path / "runs"))
    assert code == 3, stdout + err
    (row,) = [line for line in stdout.splitlines() if line.startswith("| inconclusive ")]
    assert "Calls are never restricted." in row and "| inconclusive: no dialer role in the profile" in row


#: the pack the end-to-end runs use, by its installed name (the vendor's statement, six claims)
PACK = "vendor_claims"


@pytest.mark.slow
@pytest.mark.parametrize(("world", "status", "verdict"), [("compliant", 0, "holds"), ("ncsc-2021", 1, "violated")])
def test_a_pack_on_the_virtual_handset(tmp_path: Path, world: str, status: int, verdict: str):
    out = tmp_path / "runs"
    code, stdout, err = run_cli(tmp_path, "run", PACK, "--target", "virtual", "--world", world, "--out", str(out))
    assert code == status, stdout + err
    lines = stdout.splitlines()
    # plain progress lines (stdout is not a terminal), then the table and the run directory
    assert lines[0].startswith(f"session: target virtual (world {world}), output {out}")
    assert any(line.startswith("lab open: ") for line in lines)
    assert any(line.startswith("  step ") and " done: " in line for line in lines)
    ends = [line for line in lines if line.startswith("  -> ")]
    assert len(ends) == 6 and any(line.startswith(f"  -> {verdict}: ") for line in ends)
    assert world != "compliant" or all(line.startswith("  -> holds: ") for line in ends)
    assert "\x1b[" not in stdout
    (session,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert lines[-1] == f"run directory: {session}"
    rows = [line for line in lines if line.startswith(f"| {verdict} ")]
    assert rows and "Xiaomi has never and will never restrict" in " ".join(rows)
    assert world != "compliant" or "verdicts: 6 holds" in lines
    assert {p.name for p in session.iterdir()} >= {"findings.json", "run.json", "progress.jsonl", "pytest.log"}
    assert (session / "run.json").stat().st_mode & 0o777 == 0o600
    code, listing, _ = run_cli(tmp_path, "runs", str(out), "--wide")
    assert code == 0
    (row,) = [line for line in listing.splitlines() if session.name in line]
    assert "complete" in row and f"virtual (world {world})" in row and PACK in row and verdict in row


@pytest.mark.slow
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_stop_signal_restores_and_keeps_an_incomplete_run(tmp_path: Path, signame: str):
    import os
    import signal
    import subprocess
    import sys
    import time

    from harness.scenario.run_list import list_runs
    from harness.testing.isolated import still_open

    out = tmp_path / "runs"
    proc = subprocess.Popen([sys.executable, "-m", "harness", "run", PACK, "--world", "ncsc-2021", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    started = False
    while not started and time.monotonic() < deadline and proc.poll() is None:
        for progress in out.glob(".harness-run-*/progress.jsonl") if out.is_dir() else []:
            started = '"event": "step-start"' in progress.read_text()
        if not started:
            time.sleep(0.1)  # polling the child's progress file, bounded by the deadline
    assert started, "no step started"
    os.kill(proc.pid, getattr(signal, signame))
    stdout, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 130, stdout + stderr
    (session,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert f"harness: interrupted by {signame}; the run is incomplete: what was recorded is in {session}" in stderr
    assert "every lab restored its device and closed its run" in stderr
    assert not [line for line in stdout.splitlines() if line.startswith(("| holds ", "| passed "))]
    assert "Traceback" not in stderr
    (info,) = list_runs(out)
    assert info.status == "incomplete"
    # the labs' own runs say so too (their findings, reports and bundles), and the session's
    # findings.json was still written after the labs closed
    from harness.capture.store import RunStore

    labs = [RunStore.open(d) for d in session.glob("main/*") if d.is_dir()]
    assert labs and all(store.status == "incomplete" for store in labs)
    assert all("interrupted" in str(store.meta().get("status_reason")) for store in labs), [s.meta() for s in labs]
    assert (session / "findings.json").is_file()
    assert "-> passed" not in stdout  # the test that was stopped is not reported passed
    for lab_dir in session.glob("*/*"):
        probed, still = still_open(lab_dir)
        assert probed and still == []  # the proxy, the handset and the world servers are gone


def test_packs_lists_the_shipped_packs_with_their_claims(tmp_path: Path):
    import json

    code, out, err = run_cli(tmp_path, "packs", "--json")
    assert code == 0, err
    packs = {p["name"]: p for p in json.loads(out)}
    assert {"ncsc_2021", "vendor_claims"} <= set(packs)
    vendor = packs["vendor_claims"]
    assert vendor["title"] and vendor["source"] and vendor["module"] == "harness.packs.vendor_claims"
    claims = {c["test"]: c["claim"] for c in vendor["claims"]}
    assert claims["test_searches_not_restricted"].startswith("Xiaomi has never and will never restrict")
    assert all(claims.values())  # every test of a pack carries its claim sentence
    code, text, _ = run_cli(tmp_path, "packs")
    assert code == 0 and "vendor_claims - " in text and "  - Xiaomi has never and will never restrict" in text


@pytest.mark.slow
def test_two_workers_each_with_a_virtual_handset(tmp_path: Path):
    out = tmp_path / "runs"
    code, stdout, err = run_cli(tmp_path, "run", PACK, "-k", "searches or browsing", "-n", "2", "--world", "ncsc-2021",
                                "--out", str(out))
    assert code == 1, stdout + err
    lines = stdout.splitlines()
    assert len([line for line in lines if line.startswith("session: ")]) == 1
    opened = {line.split("]")[0] for line in lines if line.startswith("[gw") and "] lab open: " in line}
    assert opened == {"[gw0", "[gw1"}
    rows = [line for line in lines if line.startswith(("| violated ", "| holds "))]
    devices = {cell.strip() for row in rows for cell in row.split("|")[3:4]}
    assert len(rows) == 2 and len(devices) == 2  # one handset per worker


def test_what_a_stop_says_about_the_devices(tmp_path: Path):
    from harness.capture.store import RunStore
    from harness.cli.cmd_run import restore_state

    opened = [{"event": "lab-open", "worker": "gw0", "module": "m", "device": "R58M1", "run_dir": "/nonexistent/1"},
              {"event": "lab-open", "worker": "gw1", "module": "m", "device": "R58M2", "run_dir": "/nonexistent/2"}]
    assert restore_state([], False) == "no lab had opened"
    closed = [{"event": "lab-close", "worker": "gw0", "module": "m", "status": "incomplete"}]
    assert restore_state(opened + closed, True) == \
        "the child was killed: run `harness restore --device SERIAL` for R58M2"
    closed.append({"event": "lab-close", "worker": "gw1", "module": "m", "status": "incomplete"})
    assert restore_state(opened + closed, False) == "every lab restored its device and closed its run"
    # no lab-close line (the stream was already closed) but the lab's run store was closed
    store = RunStore.create(tmp_path / "lab")
    store.close("incomplete", reason="SIGINT")
    lab = {"event": "lab-open", "worker": "main", "module": "m", "device": "R58M3", "run_dir": str(tmp_path / "lab")}
    assert restore_state([lab], False) == "every lab restored its device and closed its run"


def _plain(tmp_path: Path) -> Path:
    folder = tmp_path / "plain"
    folder.mkdir(exist_ok=True)
    (folder / "test_plain.py").write_text("def test_a_wrong():\n    assert 1 == 2\n\n\ndef test_b_fine():\n    pass\n")
    return folder


def test_pytest_arguments_after_a_double_dash_reach_pytest(tmp_path: Path):
    """``harness run PATH -- -x``: pytest stops at the first failure (the second test never runs);
    the child's command line in run.json ends with the arguments given."""
    out = tmp_path / "runs"
    code, stdout, err = run_cli(tmp_path, "run", str(_plain(tmp_path)), "--out", str(out), "--", "-x")
    assert code == 1, stdout + err
    rows = [line for line in stdout.splitlines() if line.startswith("| ")]
    assert any("test_a_wrong" in r for r in rows) and not any("test_b_fine" in r for r in rows)
    (kept,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    import json

    assert json.loads((kept / "run.json").read_text())["argv"][-1] == "-x"


def test_xdist_options_after_a_double_dash(tmp_path: Path):
    """``-n 2 -- --dist each``: every worker runs every test (pytest-xdist's ``each`` mode)."""
    folder = tmp_path / "each"
    folder.mkdir()
    (folder / "test_each.py").write_text("def test_one():\n    pass\n")
    out = tmp_path / "runs"
    code, stdout, err = run_cli(tmp_path, "run", str(folder), "-n", "2", "--out", str(out), "--", "--dist", "each")
    assert code == 0, stdout + err
    (kept,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert "2 passed" in (kept / "pytest.log").read_text()  # one test, run by each of the two workers


@pytest.mark.parametrize(("words", "expected"), [
    (["--bogus-option"], "pytest: unrecognized arguments: --bogus-option (fix: correct the pytest options given "
                         "after --; `python -m pytest --help` lists them)"),
    (["--harness-world=compliant"], "'--harness-world' after --: harness run sets the plugin's options itself "
                                    "(fix: give harness run's own option (--world ...) before --)"),
    (["--collect-only"], "'--collect-only' after --: pytest would print instead of running the tests "
                         "(fix: run `harness packs` instead)"),
])
def test_a_bad_pytest_argument_is_one_line(tmp_path: Path, words: list[str], expected: str):
    out = tmp_path / "runs"
    code, stdout, err = run_cli(tmp_path, "run", str(_plain(tmp_path)), "--out", str(out), "--", *words)
    assert code == 2 and stdout == ""
    assert one_error_line(err).startswith(f"harness: error: {expected}")


def test_a_double_dash_keeps_its_meaning_for_other_commands(tmp_path: Path):
    """``--`` ends the options of a command without pass-through (argparse's meaning): a file
    named like an option is still a file."""
    code, _, err = run_cli(tmp_path, "analyze", "--", "-no-such.mitm")
    assert code == 2 and "-no-such.mitm does not exist" in err
