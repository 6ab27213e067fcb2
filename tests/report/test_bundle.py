"""Evidence bundles: `harness bundle` seals a run, `harness verify` names whatever changed."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from harness.capture.store import RunStore
from harness.cli.context import Env
from harness.cli.main import main
from harness.report.bundle import CHECKSUMS, MANIFEST, verify_bundle, write_bundle
from harness.testing.flows import http_flow, make_run

FACTS = {"serial": "virt-1", "android_id": "9774d56d682e549c", "model": "M2007J3SY"}


def cli(*argv: str, home: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    run = make_run(
        tmp_path / "run-1",
        [http_flow("https://globalapi.ad.vendor.test/config", response_body=b'{"terms": ["Free Tibet"]}',
                   step_id="s1")],
        steps=[("s1", "first-start")],
        meta={"world": "ncsc-2021"},
    )
    # an artifact as the device layer writes it
    (run / "artifacts" / "facts.json").write_text(json.dumps(FACTS))
    (run / "artifacts" / "logcat.txt").write_bytes(os.urandom(300_000))  # incompressible: bytes land raw
    return run


def rewrite(bundle: Path, out: Path, *, drop: str | None = None, replace: dict[str, bytes] | None = None,
            add: dict[str, bytes] | None = None) -> Path:
    """A copy of ``bundle`` with members dropped, replaced or added (what a tamperer would do)."""
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == drop:
                continue
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out


def test_bundle_holds_every_file_with_hashes_versions_and_facts(run_dir, tmp_path):
    code, out, err = cli("bundle", str(run_dir), home=tmp_path)
    assert code == 0, err
    bundle = run_dir.with_name("run-1.evidence.zip")
    assert f"wrote {bundle}" in out and "manifest SHA-256" in out
    assert bundle.stat().st_mode & 0o777 == 0o600
    # the store's empty lock file and SQLite's scratch files of the closed store are not evidence
    scratch = {".store.lock", "store.sqlite-shm"} | ({"store.sqlite-wal"} if not (run_dir / "store.sqlite-wal").exists()
                                                      or not (run_dir / "store.sqlite-wal").stat().st_size else set())
    on_disk = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*")
                     if p.is_file() and p.name not in scratch)
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        assert sorted(f["path"] for f in manifest["files"]) == on_disk
        for entry in manifest["files"]:
            assert zf.read("run/" + entry["path"]) == (run_dir / entry["path"]).read_bytes()
    assert manifest["run_status"] == "complete" and manifest["run_meta"]["world"] == "ncsc-2021"
    assert manifest["device"] == FACTS
    assert manifest["tool_versions"]["mitmproxy"] and manifest["tool_versions"]["harness"]
    assert set(manifest["agents"]["agents"]) >= {"java", "redirect", "tls-native"}
    assert manifest["packs"] == {} and manifest["code"] == []  # this run recorded no claim code
    assert "not bundled" not in err


def test_an_intact_bundle_verifies_also_with_plain_sha256sum(run_dir, tmp_path):
    bundle = write_bundle(run_dir, tmp_path / "b.zip")
    code, out, _ = cli("verify", str(bundle.path), "--manifest-sha256", bundle.manifest_sha256, home=tmp_path)
    assert code == 0 and f"intact, {len(bundle.files)} run files of run run-1" in out
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle.path) as zf:
        zf.extractall(unpacked)
    if shutil.which("sha256sum"):  # coreutils: the receiver needs no harness to check the files
        proc = subprocess.run(["sha256sum", "--quiet", "-c", CHECKSUMS], cwd=unpacked, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_flipped_byte_is_named(run_dir, tmp_path):
    bundle = write_bundle(run_dir, tmp_path / "b.zip").path
    raw = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as zf:
        info = zf.getinfo("run/artifacts/logcat.txt")
    # the member's data starts after its local header (30 bytes + name + extra)
    name_len = int.from_bytes(raw[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
    raw[info.header_offset + 30 + name_len + extra_len + 1000] ^= 0x01
    bundle.write_bytes(bytes(raw))
    code, out, _ = cli("verify", str(bundle), home=tmp_path)
    assert code == 1
    assert "changed: run/artifacts/logcat.txt" in out.splitlines() and "NOT intact (1 problem(s))" in out


def test_a_missing_file_an_added_file_and_a_replaced_content_are_named(run_dir, tmp_path):
    bundle = write_bundle(run_dir, tmp_path / "b.zip").path
    result = verify_bundle(rewrite(bundle, tmp_path / "missing.zip", drop="run/artifacts/facts.json"))
    assert result.missing == ("run/artifacts/facts.json",) and not result.ok
    result = verify_bundle(rewrite(bundle, tmp_path / "added.zip", add={"run/artifacts/extra.txt": b"x"}))
    assert result.unexpected == ("run/artifacts/extra.txt",) and not result.changed
    forged = json.dumps({**FACTS, "android_id": "0000000000000000"}).encode()
    result = verify_bundle(rewrite(bundle, tmp_path / "forged.zip", replace={"run/artifacts/facts.json": forged}))
    assert result.changed == ("run/artifacts/facts.json",)


def test_a_removed_sha256sums_is_named_missing_not_a_crash(run_dir, tmp_path):
    """Trial 6 finding A: `zip -d bundle SHA256SUMS` gave a KeyError traceback."""
    bundle = write_bundle(run_dir, tmp_path / "b.zip").path
    code, out, err = cli("verify", str(rewrite(bundle, tmp_path / "sums.zip", drop=CHECKSUMS)), home=tmp_path)
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == "missing: SHA256SUMS" and out.splitlines()[-1].endswith("NOT intact (1 problem(s))")


def test_members_are_named_as_the_zip_and_sha256sums_name_them(run_dir, tmp_path):
    """Trial 6 finding I: `changed: findings.json` while the zip and SHA256SUMS say run/findings.json."""
    bundle = write_bundle(run_dir, tmp_path / "b.zip").path
    with zipfile.ZipFile(bundle) as zf:
        sums = zf.read(CHECKSUMS).decode()
    assert "  run/artifacts/facts.json\n" in sums
    copy = rewrite(bundle, tmp_path / "x.zip", drop="run/artifacts/logcat.txt", replace={"run/artifacts/facts.json": b"{}"})
    code, out, _ = cli("verify", str(copy), home=tmp_path)
    assert code == 1
    assert out.splitlines()[:2] == ["changed: run/artifacts/facts.json", "missing: run/artifacts/logcat.txt"]


def test_folder_entries_of_an_unzip_and_zip_round_trip_are_not_unexpected(run_dir, tmp_path):
    """Trial 6 finding I: unzip + `zip -r` adds folder entries (run/, run/artifacts/); they are no files."""
    bundle = write_bundle(run_dir, tmp_path / "b.zip").path
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(unpacked)
    again = Path(shutil.make_archive(str(tmp_path / "again"), "zip", unpacked))  # as `zip -r`: folder entries too
    with zipfile.ZipFile(again) as zf:
        assert {"run/", "run/artifacts/"} <= set(zf.namelist())
    code, out, _ = cli("verify", str(again), home=tmp_path)
    assert code == 0 and "intact" in out and "unexpected" not in out
    # a file added beside them still is
    with zipfile.ZipFile(again, "a") as zf:
        zf.writestr("run/artifacts/extra.txt", b"x")
    code, out, _ = cli("verify", str(again), home=tmp_path)
    assert code == 1 and out.splitlines()[0] == "unexpected: run/artifacts/extra.txt"


@pytest.mark.parametrize("given", ["zz", "sha256:{hex}", "{hex}0", "{short}"])
def test_a_mistyped_manifest_hash_is_a_usage_error_not_a_tampered_bundle(run_dir, tmp_path, given):
    """Trial 6 finding H: `--manifest-sha256 zz` was reported as `NOT intact`, exit 1."""
    made = write_bundle(run_dir, tmp_path / "b.zip")
    value = given.format(hex=made.manifest_sha256, short=made.manifest_sha256[:63])
    code, out, err = cli("verify", str(made.path), "--manifest-sha256", value, home=tmp_path)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert err.startswith("harness verify: --manifest-sha256 '") and "expected 64 hexadecimal digits" in err
    # upper case and surrounding blanks are the same hash
    code, out, _ = cli("verify", str(made.path), "--manifest-sha256", f" {made.manifest_sha256.upper()} ", home=tmp_path)
    assert code == 0 and "intact" in out


def test_a_replaced_manifest_is_caught_by_the_hash_given_separately(run_dir, tmp_path):
    made = write_bundle(run_dir, tmp_path / "b.zip")
    with zipfile.ZipFile(made.path) as zf:
        manifest = json.loads(zf.read(MANIFEST))
    manifest["device"]["android_id"] = "forged"
    forged = json.dumps(manifest).encode()
    import hashlib

    sums = "".join(f"{f['sha256']}  run/{f['path']}\n" for f in manifest["files"])
    sums += f"{hashlib.sha256(forged).hexdigest()}  {MANIFEST}\n"
    copy = rewrite(made.path, tmp_path / "forged.zip", replace={MANIFEST: forged, CHECKSUMS: sums.encode()})
    assert verify_bundle(copy).ok  # self-consistent: only the detached hash can tell
    code, out, _ = cli("verify", str(copy), "--manifest-sha256", made.manifest_sha256, home=tmp_path)
    assert code == 1 and "manifest: SHA-256" in out


def test_damaged_and_foreign_inputs(run_dir, tmp_path):
    bundle = write_bundle(run_dir, tmp_path / "b.zip").path
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(bundle.read_bytes()[:-200])  # the central directory is gone
    code, out, _ = cli("verify", str(truncated), home=tmp_path)
    assert code == 1 and "damaged: the archive structure is damaged" in out
    text = tmp_path / "notes.txt"
    text.write_text("not a bundle\n")
    code, _, err = cli("verify", str(text), home=tmp_path)
    assert code == 2 and err.count("\n") == 1 and "is not a zip archive" in err
    code, _, err = cli("verify", str(tmp_path / "absent.zip"), home=tmp_path)
    assert code == 2 and "cannot read" in err


def test_a_run_still_recording_and_an_existing_output_are_refused(tmp_path):
    store = RunStore.create(tmp_path / "live")
    try:
        code, _, err = cli("bundle", str(tmp_path / "live"), home=tmp_path)
        assert code == 2 and "still being recorded" in err
    finally:
        store.close("complete")
    (tmp_path / "taken.zip").write_bytes(b"keep me")
    code, _, err = cli("bundle", str(tmp_path / "live"), "-o", str(tmp_path / "taken.zip"), home=tmp_path)
    assert code == 2 and "already exists" in err and (tmp_path / "taken.zip").read_bytes() == b"keep me"
    code, _, err = cli("bundle", str(tmp_path / "live"), "-o", str(tmp_path / "live" / "in.zip"), home=tmp_path)
    assert code == 2 and "inside the run" in err


def test_symbolic_links_in_a_run_are_not_followed(run_dir, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("another user's file")
    (run_dir / "artifacts" / "link.txt").symlink_to(secret)
    code, _, err = cli("bundle", str(run_dir), "-o", str(tmp_path / "b.zip"), home=tmp_path)
    assert code == 0 and "not bundled: artifacts/link.txt: symbolic link" in err
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        assert "run/artifacts/link.txt" not in zf.namelist()
        assert all(b"another user's file" not in zf.read(n) for n in zf.namelist())


def test_the_store_lock_and_a_bundle_inside_the_run_are_not_bundled(run_dir, tmp_path):
    (run_dir / ".store.lock").write_bytes(b"")
    inner = write_bundle(run_dir, tmp_path / "inner.evidence.zip")  # a bundle made earlier ...
    shutil.copy(inner.path, run_dir / "artifacts" / "old.evidence.zip")  # ... and kept inside the run
    outer = write_bundle(run_dir, tmp_path / "outer.zip")
    with zipfile.ZipFile(outer.path) as zf:
        names = zf.namelist()
    assert "run/.store.lock" not in names and "run/artifacts/old.evidence.zip" not in names
    assert not any(".store.lock" in s for s in outer.skipped)  # left out without a warning: no evidence
    assert any(s.startswith("artifacts/old.evidence.zip: an evidence bundle") for s in outer.skipped)
    assert verify_bundle(outer.path).ok


def session_folder(root: Path, *, lab_status: str = "complete", findings: str | None = "complete",
                   interrupted: str | None = None) -> Path:
    """A session folder as `harness run -n 2` leaves it: a lab per worker under <worker>/<module>/
    (real run stores, closed with ``lab_status`` on gw1), the merged findings.json (status
    ``findings``; None: none written) and run.json (``interrupted``: the signal that stopped it)."""
    session = root / "20261201-064214-f6c0"
    for worker in ("gw0", "gw1"):
        store = RunStore.create(session / worker / "mod", meta={"run_id": f"{session.name}.{worker}.mod",
                                                                "pytest": {"session": session.name, "worker": worker}})
        store.close(lab_status if worker == "gw1" else "complete", reason=interrupted)
    if findings is not None:
        (session / "findings.json").write_text(json.dumps({"run_id": session.name, "status": findings,
                                                           "devices": [{"adb_serial": "127.0.0.1:5555"}]}))
    if interrupted is not None:
        (session / "run.json").write_text(json.dumps({"packs": ["ncsc_2021"], "interrupted": interrupted}))
    return session


@pytest.mark.parametrize(("lab_status", "findings", "interrupted", "status"), [
    ("complete", "complete", None, "complete"),
    ("incomplete", "incomplete", None, "incomplete"),
    ("complete", None, None, "incomplete"),  # stopped before the findings were merged
    ("incomplete", "incomplete", "SIGINT", "interrupted"),
])
def test_a_session_folder_is_bundled_with_the_sessions_status(tmp_path, lab_status, findings, interrupted, status):
    session = session_folder(tmp_path, lab_status=lab_status, findings=findings, interrupted=interrupted)
    code, out, err = cli("bundle", str(session), "-o", str(tmp_path / "s.zip"), home=tmp_path)
    assert code == 0, err
    assert f"run {session.name} {status})" in out.splitlines()[0]
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        manifest = json.loads(zf.read(MANIFEST))
        assert {"run/gw0/mod/store.sqlite", "run/gw1/mod/store.sqlite"} <= set(zf.namelist())
    assert manifest["run_id"] == session.name and manifest["run_status"] == status
    assert manifest["run_meta"]["labs"] == {"gw0/mod": "complete", "gw1/mod": lab_status}
    assert verify_bundle(tmp_path / "s.zip").ok


def test_a_lab_folder_is_bundled_and_a_wrong_folder_is_one_line(tmp_path):
    session = session_folder(tmp_path)
    code, out, err = cli("bundle", str(session / "gw0" / "mod"), "-o", str(tmp_path / "lab.zip"), home=tmp_path)
    assert code == 0 and f"run {session.name}.gw0.mod complete)" in out, err
    (tmp_path / "empty").mkdir()
    for folder, said in ((session / "gw0", f"is a worker folder of a session: expected the session folder "
                                           f"{session} or a lab folder {session / 'gw0' / '<module>'}"),
                         (tmp_path, "holds run folders but is not one: expected a session folder"),
                         (tmp_path / "empty", "is neither a session folder nor a run folder: expected a session"),
                         (tmp_path / "missing", "is not a folder: expected a session folder")):
        code, out, err = cli("bundle", str(folder), "-o", str(tmp_path / "no.zip"), home=tmp_path)
        assert code == 2 and out == "" and err.count("\n") == 1 and said in err and "(fix: " in err, err
        assert not (tmp_path / "no.zip").exists()


def test_a_bundle_given_to_report_or_analyze_is_named_with_the_way_to_its_run(run_dir, tmp_path):
    """Trial 6 finding I: `harness report X.evidence.zip` was told to analyse it as a capture file,
    `harness analyze X.evidence.zip` to unzip it and pass the .har inside."""
    bundle = write_bundle(run_dir, tmp_path / "x.evidence.zip").path
    for command in ("report", "analyze"):
        code, out, err = cli(command, str(bundle), home=tmp_path / "home")
        assert (code, out) == (2, "") and err.count("\n") == 1, err
        assert "x.evidence.zip is an evidence bundle (harness.bundle/1)" in err
        assert "check it with `harness verify " in err and f"harness {command} DIR/run`" in err
    code, _, err = cli("bundle", str(bundle), home=tmp_path / "home")
    assert code == 2 and "x.evidence.zip is already an evidence bundle" in err and "harness verify" in err
    # another zip is still what it was (a Playwright HAR zip, say)
    other = tmp_path / "playwright.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("trace.har", "{}")
    code, _, err = cli("analyze", str(other), home=tmp_path / "home")
    assert code == 2 and "is a zip archive, not a flow or HAR file" in err and "evidence bundle" not in err
    # the way the message gives works: the unzipped run/ folder is a run
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path / "DIR")
    code, out, err = cli("report", str(tmp_path / "DIR" / "run"), home=tmp_path / "home")
    assert code == 0, err


def test_a_receiver_regenerates_the_same_findings_except_the_folder_path(tmp_path):
    """docs/reports.md, "For the receiver of a bundle": the regenerated findings.json equals the
    bundled one except ``run_dir`` and ``summary.path``."""
    run = make_run(tmp_path / "run-1", [
        http_flow("https://tracking.intl.vendor.test/sa", method="POST", request_body=b"imei=868034051234567",
                  step_id="s1"),
        http_flow("https://globalapi.ad.vendor.test/config", response_body=b'{"terms": ["Free Tibet"]}', step_id="s1"),
    ], steps=[("s1", "first-start")])
    (run / "artifacts" / "facts.json").write_text(json.dumps({**FACTS, "imei": "868034051234567"}))
    assert cli("report", str(run), home=tmp_path / "home")[0] == 0
    bundle = write_bundle(run, tmp_path / "r.zip").path
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path / "recv")
    sent = json.loads((tmp_path / "recv" / "run" / "findings.json").read_text())
    code, _, err = cli("report", str(tmp_path / "recv" / "run"), home=tmp_path / "other-home")
    assert code == 0, err
    again = json.loads((tmp_path / "recv" / "run" / "findings.json").read_text())
    assert sent["findings"] and again["run_dir"] != sent["run_dir"]
    for doc in (sent, again):
        doc.pop("run_dir")
        doc["summary"].pop("path")
    assert again == sent
