"""Folders and files the harness keeps (issue 11 item 3): 0700/0600 even under umask 000, owner
checked on use, no writing through a symlink. The attacks are made by a real second, unprivileged
local user (``setpriv`` to ``nobody``) in a folder left open the way an older harness or a umask
000 left HARNESS_HOME."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from harness.capture.proxy import ensure_ca
from harness.capture.session import new_run_dir
from harness.capture.store import RunStore
from harness.cli.context import Env
from harness.cli.main import main
from harness.device.journal import Journal
from harness.errors import UnsafePathError
from harness.fsutil import private_dir, write_private

NOBODY = 65534
needs_second_user = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="acting as a second user needs root and setpriv (util-linux)")


def as_nobody(script: str) -> None:
    """Run ``sh -c script`` as the unprivileged user nobody; it must succeed."""
    proc = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                           "sh", "-c", script], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture
def open_home():
    """A HARNESS_HOME that another user can write to (0777), outside pytest's private tmp."""
    base = Path(tempfile.mkdtemp(prefix="harness-open-home-"))
    os.chmod(base, 0o755)
    home = base / "home"
    home.mkdir()
    os.chmod(home, 0o777)
    yield home
    shutil.rmtree(base, ignore_errors=True)


def _modes(root: Path) -> dict[str, int]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            out[str(p.relative_to(root))] = stat.S_IMODE(os.lstat(p).st_mode)
    return out


UMASK_000 = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    os.umask(0)
    home = Path(sys.argv[1]) / "a" / "b" / "home"
    os.environ["HARNESS_HOME"] = str(home)
    from harness.capture.export import export
    from harness.capture.proxy import ensure_ca
    from harness.capture.session import new_run_dir
    from harness.capture.store import RunStore
    from harness.device.journal import Journal
    from harness.fsutil import private_dir, write_private
    ensure_ca()
    with Journal(home, "127.0.0.1:5037") as j:
        j.begin({}); j.record("reverse", "r", {"device_port": 8080})
    run = new_run_dir()
    RunStore.create(run, meta={}).close()
    export(run, "har", home / "exports" / "deep" / "flows.har")
    write_private(private_dir(home / "frida-server" / "17.0" / "x86_64") / "frida-server", b"x")
""")


def test_everything_created_under_umask_000_is_private(tmp_path):
    proc = subprocess.run([sys.executable, "-c", UMASK_000, str(tmp_path)], capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert proc.returncode == 0, proc.stderr
    modes = _modes(tmp_path)
    assert {"a", "a/b", "a/b/home", "a/b/home/ca", "a/b/home/journals", "a/b/home/runs",
            "a/b/home/exports/deep", "a/b/home/frida-server/17.0/x86_64"} <= set(modes)
    for path, mode in modes.items():
        is_dir = (tmp_path / path).is_dir()
        assert mode == (0o700 if is_dir else 0o600), f"{path}: {mode:04o}"


def test_an_open_folder_of_ours_is_closed(tmp_path):
    folder = tmp_path / "journals"
    folder.mkdir()
    os.chmod(folder, 0o777)
    private_dir(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@needs_second_user
def test_ca_folder_planted_by_another_user_is_refused(open_home):
    as_nobody(f"mkdir {open_home}/ca && echo planted > {open_home}/ca/mitmproxy-ca.pem")
    with pytest.raises(UnsafePathError, match=f"belongs to uid {NOBODY}"):
        ensure_ca(open_home / "ca")
    assert (open_home / "ca" / "mitmproxy-ca.pem").read_text() == "planted\n"  # not used, not touched


@needs_second_user
def test_ca_key_swapped_by_another_user_is_refused(open_home):
    ca = ensure_ca(open_home / "ca")
    os.chmod(ca.confdir, 0o777)  # an older harness left it open
    as_nobody(f"rm -f {ca.key} && echo planted > {ca.key}")
    with pytest.raises(UnsafePathError, match=f"belongs to uid {NOBODY}"):
        ensure_ca(ca.confdir)


@needs_second_user
def test_journal_folder_planted_by_another_user_is_refused(open_home):
    as_nobody(f"mkdir -m 700 {open_home}/journals && touch {open_home}/journals/emu.jsonl")
    with pytest.raises(UnsafePathError, match=f"belongs to uid {NOBODY}"):
        Journal(open_home, "emu")
    out, err = io.StringIO(), io.StringIO()
    code = main(["restore", "--device", "emu"], Env(stdout=out, stderr=err, home=open_home))
    assert code == 2 and err.getvalue().count("\n") == 1, err.getvalue()


@needs_second_user
def test_runs_symlink_planted_by_another_user_is_refused(open_home):
    as_nobody(f"mkdir -m 777 {open_home}/theirs && ln -s {open_home}/theirs {open_home}/runs")
    with pytest.raises(UnsafePathError, match="symlink"):
        new_run_dir(open_home / "runs")


@needs_second_user
def test_export_to_a_planted_symlink_does_not_overwrite_its_target(open_home, tmp_path):
    run = tmp_path / "run"
    RunStore.create(run, meta={}).close()
    victim = open_home / "victim.txt"
    write_private(victim, "precious\n")
    as_nobody(f"ln -s {victim} {open_home}/flows.har")
    out, err = io.StringIO(), io.StringIO()
    code = main(["export", str(run), "--format", "har", "-o", str(open_home / "flows.har")],
                Env(stdout=out, stderr=err, home=tmp_path / "home"))
    assert code == 2 and "is a symlink" in err.getvalue() and err.getvalue().count("\n") == 1
    assert victim.read_text() == "precious\n"


def test_write_private_replaces_a_symlink_not_its_target(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    write_private(link, "{}")
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "{}"


def test_write_private_leaves_no_temp_file_when_it_fails(tmp_path):
    """Trial 6 finding G: `harness report -o DIR` left a hidden `.DIR.tmpNNN` copy of the report."""
    (tmp_path / "dir").mkdir()
    with pytest.raises(IsADirectoryError):
        write_private(tmp_path / "dir", "secret report")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir"]
    assert not list((tmp_path / "dir").iterdir())
