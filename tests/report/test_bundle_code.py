"""An evidence bundle records the claim code that ran (trial report 5, finding 4): the shipped
packs only when they ran, a lab's own claim files copied under ``code/`` and hashed; ``harness
verify`` (and plain ``sha256sum -c``) checks them like the run's files. SQLite's scratch files of
a closed store and the store's lock are left out without a warning. Real run stores."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from harness.capture.store import RunStore
from harness.cli.context import Env
from harness.cli.main import main
from harness.report.bundle import CHECKSUMS, MANIFEST, verify_bundle
from harness.report.provenance import pack_hash, record_test_module, shipped_packs

CLAIMS = '''import pytest


@pytest.mark.claim("The browser does not send the search term outside the EEA.")
def test_term(lab, verdict):
    pass
'''


def cli(*argv: str, home: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def _session(root: Path, module: Path | None, *, run_paths: list[str] | None = None, lab: str = "test_lab_claims",
             pack: str | None = None) -> Path:
    """A closed session as `harness run` (``run_paths``: its run.json) or plain pytest leaves it:
    one lab whose store recorded ``module`` as the test module it ran (the plugin's lab fixture)."""
    session = root / "20261201T094314Z-c799aa"
    store = RunStore.create(session / "main" / lab, meta={"run_id": f"{session.name}.main.{lab}",
                                                          "pytest": {"session": session.name, "worker": "main"}})
    if module is not None:
        record_test_module(store, module)  # what the plugin does for each test of a lab
    store.close("complete")
    claim = {"id": f"{pack or 'mypack'}.test_term", "pack": pack or "mypack", "text": "t", "verdict": "inconclusive",
             "evidence": {"flow_ids": [], "event_ids": []}}
    (session / "main" / lab / "claims.jsonl").write_text(json.dumps(claim) + "\n")
    (session / "findings.json").write_text(json.dumps({"run_id": session.name, "status": "complete"}))
    if run_paths is not None:
        (session / "run.json").write_text(json.dumps({"packs": run_paths, "paths": run_paths}))
    return session


@pytest.mark.parametrize("how", ["harness run", "pytest"])
def test_a_labs_own_claim_file_is_bundled_and_hashed_and_no_unused_pack(tmp_path, how):
    mine = tmp_path / "mypack" / "test_lab_claims.py"
    mine.parent.mkdir()
    mine.write_text(CLAIMS)
    (mine.parent / "conftest.py").write_text("# the lab's fixtures\n")
    session = _session(tmp_path / "runs", mine if how == "pytest" else None,
                       run_paths=[str(mine)] if how == "harness run" else None)
    code, out, err = cli("bundle", str(session), "-o", str(tmp_path / "s.zip"), home=tmp_path / "home")
    assert code == 0, err
    assert err == ""  # no "not bundled" line for the lock or SQLite's scratch files
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read(MANIFEST))
        assert zf.read("code/test_lab_claims.py") == mine.read_bytes()
        assert zf.read("code/mypack/conftest.py") == b"# the lab's fixtures\n"
    assert manifest["packs"] == {}  # the shipped packs did not run
    import hashlib

    (entry,) = [c for c in manifest["code"] if c["path"] == "test_lab_claims.py"]
    assert entry["sha256"] == hashlib.sha256(mine.read_bytes()).hexdigest() and entry["source"] == str(mine)
    assert entry["ran_sha256"] == (entry["sha256"] if how == "pytest" else None)
    assert not [n for n in names if n.endswith(("-shm", "-wal", ".store.lock"))]
    assert verify_bundle(tmp_path / "s.zip").ok
    # plain sha256sum checks the code too
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        zf.extractall(unpacked)
    if shutil.which("sha256sum"):
        done = subprocess.run(["sha256sum", "-c", CHECKSUMS], cwd=unpacked, capture_output=True, text=True)
        assert done.returncode == 0 and "code/test_lab_claims.py: OK" in done.stdout, done.stdout + done.stderr
    # a tampered claim file is named
    from tests.report.test_bundle import rewrite

    bad = rewrite(tmp_path / "s.zip", tmp_path / "bad.zip",
                  replace={"code/test_lab_claims.py": CLAIMS.replace("pass", "assert True").encode()})
    result = verify_bundle(bad)
    assert not result.ok and result.changed == ("code/test_lab_claims.py",)
    code, out, _ = cli("verify", str(bad), home=tmp_path / "home")
    assert code == 1 and "changed: code/test_lab_claims.py" in out


def test_a_shipped_pack_is_hashed_only_when_it_ran(tmp_path):
    packs = shipped_packs()
    assert {"ncsc_2021", "vendor_claims"} <= set(packs)
    module = packs["vendor_claims"] / "test_claims.py"
    session = _session(tmp_path / "runs", module, lab="harness.packs.vendor_claims.test_claims", pack="vendor_claims")
    assert cli("bundle", str(session), "-o", str(tmp_path / "s.zip"), home=tmp_path / "home")[0] == 0
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        manifest = json.loads(zf.read(MANIFEST))
        assert not [n for n in zf.namelist() if n.startswith("code/")]
    assert manifest["packs"] == {"vendor_claims": pack_hash(packs["vendor_claims"])} and manifest["code"] == []
    # `harness run ncsc_2021` (a pack name in run.json), recorded before labs kept their module
    other = _session(tmp_path / "runs2", None, run_paths=["ncsc_2021"], lab="harness.packs.ncsc_2021.test_claims",
                     pack="ncsc_2021")
    assert cli("bundle", str(other), "-o", str(tmp_path / "o.zip"), home=tmp_path / "home")[0] == 0
    with zipfile.ZipFile(tmp_path / "o.zip") as zf:
        assert json.loads(zf.read(MANIFEST))["packs"] == {"ncsc_2021": pack_hash(packs["ncsc_2021"])}


def test_claim_code_changed_or_gone_since_the_run_is_said(tmp_path):
    mine = tmp_path / "test_lab_claims.py"
    mine.write_text(CLAIMS)
    session = _session(tmp_path / "runs", mine)
    mine.write_text(CLAIMS + "# edited after the run\n")
    code, _, err = cli("bundle", str(session), "-o", str(tmp_path / "s.zip"), home=tmp_path / "home")
    assert code == 0 and err.count("\n") == 1
    assert "harness: warning: code/test_lab_claims.py is not the code that ran (SHA-256 " in err
    mine.unlink()
    code, _, err = cli("bundle", str(session), "-o", str(tmp_path / "g.zip"), home=tmp_path / "home")
    assert code == 0 and "the claim code the run recorded is gone" in err
    assert verify_bundle(tmp_path / "g.zip").ok


def test_a_non_empty_wal_is_evidence_and_bundled(tmp_path):
    session = _session(tmp_path / "runs", None)
    wal = session / "main" / "test_lab_claims" / "store.sqlite-wal"
    wal.write_bytes(b"\x37\x7f\x06\x82" + bytes(28))  # a WAL header: frames not checkpointed yet
    assert cli("bundle", str(session), "-o", str(tmp_path / "s.zip"), home=tmp_path / "home")[0] == 0
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        assert "run/main/test_lab_claims/store.sqlite-wal" in zf.namelist()


def test_verify_prints_each_claim_file_that_is_not_the_code_that_ran_and_does_not_exit_0(tmp_path):
    """Trial 6 finding 1: `harness verify` said only `intact, 16 files ...` (exit 0) for a bundle whose
    code/ file had been edited after the run; `bundle` warned on stderr only. Now verify prints a
    `note:` per such file and a distinct verdict with exit 1 (the files match the manifest: not
    `NOT intact`; but the bundle does not hold the code that decided the verdicts)."""
    import hashlib

    folder = tmp_path / "my pack"  # a path with a blank, as in the trial
    folder.mkdir()
    mine = folder / "test_cfg.py"
    mine.write_text(CLAIMS)
    ran = hashlib.sha256(mine.read_bytes()).hexdigest()
    session = _session(tmp_path / "runs", mine)
    mine.write_text(CLAIMS + "# one comment line appended after the run\n")
    now = hashlib.sha256(mine.read_bytes()).hexdigest()
    code, out, err = cli("bundle", str(session), "-o", str(tmp_path / "my.zip"), home=tmp_path / "home")
    assert code == 0
    said = f"code/test_cfg.py is not the code that ran (SHA-256 {ran} when it ran, {now} bundled)"
    assert err == f"harness: warning: {said}\n"
    with zipfile.ZipFile(tmp_path / "my.zip") as zf:
        manifest_sha = hashlib.sha256(zf.read(MANIFEST)).hexdigest()
        runs = sum(n.startswith("run/") for n in zf.namelist())
        codes = [n for n in zf.namelist() if n.startswith("code/")]
    assert runs > 1 and codes == ["code/test_cfg.py"]
    code, out, _ = cli("verify", str(tmp_path / "my.zip"), home=tmp_path / "home")
    lines = out.splitlines()
    assert code == 1 and lines[0] == f"note: {said}" and len(lines) == 2, out
    assert lines[1] == (f"{tmp_path / 'my.zip'}: intact, but the claim code is NOT the code that ran (1 note(s) above): "
                        f"{runs} run files and 1 code file of run {session.name} match the manifest "
                        f"(SHA-256 {manifest_sha})")
    result = verify_bundle(tmp_path / "my.zip")
    assert result.ok and result.notes == (said,)  # every file matches: the notes are not a tampering
    # a problem and a note together: NOT intact, the note still printed
    from tests.report.test_bundle import rewrite

    bad = rewrite(tmp_path / "my.zip", tmp_path / "bad.zip", drop="code/test_cfg.py")
    code, out, _ = cli("verify", str(bad), home=tmp_path / "home")
    assert code == 1 and out.splitlines() == ["missing: code/test_cfg.py", f"note: {said}",
                                              f"{bad}: NOT intact (1 problem(s))"]


def test_verify_repeats_the_other_claim_code_notes_and_reads_a_bundle_of_the_older_wording(tmp_path):
    mine = tmp_path / "test_lab_claims.py"
    mine.write_text(CLAIMS)
    session = _session(tmp_path / "runs", mine)
    mine.unlink()
    assert cli("bundle", str(session), "-o", str(tmp_path / "g.zip"), home=tmp_path / "home")[0] == 0
    code, out, _ = cli("verify", str(tmp_path / "g.zip"), home=tmp_path / "home")
    assert code == 1 and out.splitlines()[0].startswith(f"note: {mine}: the claim code the run recorded is gone")
    assert "intact, but the claim code is NOT the code that ran (1 note(s) above)" in out
    # a manifest written before the shared wording kept "changed since the run" in code_notes: said once
    from harness.report.bundle_code import code_notes

    entry = {"path": "test_x.py", "sha256": "b" * 64, "ran_sha256": "a" * 64}
    old = {"code": [entry], "code_notes": [f"code/test_x.py changed since the run: SHA-256 {'a' * 64} when it ran, "
                                           f"{'b' * 64} bundled", "elsewhere: gone"]}
    assert code_notes(old) == [f"code/test_x.py is not the code that ran (SHA-256 {'a' * 64} when it ran, "
                               f"{'b' * 64} bundled)", "elsewhere: gone"]


def test_bundle_and_verify_count_the_same_members_in_the_same_words(tmp_path):
    """Trial 6 finding 1: `bundle` said `15 files` (run files), `verify` of the same zip `16 files`
    (run and code files)."""
    mine = tmp_path / "test_lab_claims.py"
    mine.write_text(CLAIMS)
    session = _session(tmp_path / "runs", mine)
    code, out, _ = cli("bundle", str(session), "-o", str(tmp_path / "s.zip"), home=tmp_path / "home")
    assert code == 0
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        runs = sum(n.startswith("run/") for n in zf.namelist())
    assert runs > 1
    counted = f"{runs} run files and 1 code file"
    assert f"({counted}, run {session.name} complete)" in out.splitlines()[0]
    code, out, _ = cli("verify", str(tmp_path / "s.zip"), home=tmp_path / "home")
    assert code == 0 and f": intact, {counted} of run {session.name} match the manifest" in out


def test_a_report_regenerated_from_a_bundle_marks_the_claims_decided_by_changed_code(tmp_path):
    """Trial 6 finding 1: the reviewer's report (unzip, `harness report DIR/run`) marks, in the
    claims table and findings.json, each claim whose lab's test module is not the bundled code/ file;
    the same report from an unchanged bundle marks none."""
    import hashlib

    mine = tmp_path / "test_lab_claims.py"
    mine.write_text(CLAIMS)
    ran = hashlib.sha256(mine.read_bytes()).hexdigest()
    session = _session(tmp_path / "runs", mine)
    assert cli("bundle", str(session), "-o", str(tmp_path / "same.zip"), home=tmp_path / "home")[0] == 0
    mine.write_text(CLAIMS + "# edited after the run\n")
    assert cli("bundle", str(session), "-o", str(tmp_path / "edited.zip"), home=tmp_path / "home")[0] == 0
    marked = {}
    for name in ("same", "edited"):
        with zipfile.ZipFile(tmp_path / f"{name}.zip") as zf:
            zf.extractall(tmp_path / name)
        code, _, err = cli("report", str(tmp_path / name / "run"), "--junit", home=tmp_path / "other-home")
        assert code == 0, err
        doc = json.loads((tmp_path / name / "run" / "findings.json").read_text())
        (claim,) = doc["claims"]
        marked[name] = (claim.get("code_note"), (tmp_path / name / "run" / "report.html").read_text(),
                        (tmp_path / name / "run" / "junit.xml").read_text())
    note, html, junit = marked["edited"]
    assert 'name="code_note"' in junit and 'name="code_note"' not in marked["same"][2]
    assert note == ("decided by code that is not in this bundle: code/test_lab_claims.py is not the code that ran "
                    f"(SHA-256 {ran[:12]}… when it ran, {hashlib.sha256(mine.read_bytes()).hexdigest()[:12]}… bundled)")
    table = html[html.index('id="claim-table"'):html.index("</table>", html.index('id="claim-table"'))]
    assert 'class="code-note"' in table and "is not the code that ran" in table
    assert marked["same"][0] is None and 'class="code-note"' not in marked["same"][1]
    # the lab folder alone (a bundle of one lab: run/ is the lab) is marked too
    lab = session / "main" / "test_lab_claims"
    assert cli("bundle", str(lab), "-o", str(tmp_path / "lab.zip"), home=tmp_path / "home")[0] == 0
    with zipfile.ZipFile(tmp_path / "lab.zip") as zf:
        zf.extractall(tmp_path / "labx")
    assert cli("report", str(tmp_path / "labx" / "run"), home=tmp_path / "other-home")[0] == 0
    (claim,) = json.loads((tmp_path / "labx" / "run" / "findings.json").read_text())["claims"]
    assert "is not the code that ran" in claim["code_note"]


def test_a_folder_given_to_harness_run_names_its_file_in_the_note_and_the_claims_are_marked(tmp_path):
    """The trial's path: `harness run "my pack"` (a folder with a blank; run.json keeps the folder,
    the lab's store the module and its hash): the note names `code/my pack/test_cfg.py`."""
    folder = tmp_path / "my pack"
    folder.mkdir()
    mine = folder / "test_cfg.py"
    mine.write_text(CLAIMS)
    session = _session(tmp_path / "runs", mine, run_paths=[str(folder)])
    mine.write_text(CLAIMS + "# edited\n")
    assert cli("bundle", str(session), "-o", str(tmp_path / "s.zip"), home=tmp_path / "home")[0] == 0
    code, out, _ = cli("verify", str(tmp_path / "s.zip"), home=tmp_path / "home")
    assert code == 1 and out.startswith("note: code/my pack/test_cfg.py is not the code that ran (SHA-256 ")
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        zf.extractall(tmp_path / "x")
    assert cli("report", str(tmp_path / "x" / "run"), home=tmp_path / "other-home")[0] == 0
    (claim,) = json.loads((tmp_path / "x" / "run" / "findings.json").read_text())["claims"]
    assert claim["code_note"].startswith("decided by code that is not in this bundle: code/my pack/test_cfg.py is not")
