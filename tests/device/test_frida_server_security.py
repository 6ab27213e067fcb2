"""frida-server (issue 11 item 6): only a pinned binary is pushed and run as root; it listens on a
random port with a token; ``hook --frida forward`` leaves no adb forward; ``--frida local`` with a
device attaches only to that device's virtual app; the doctor recommends no option that does not
exist. The virtual handset runs pushed shell scripts, so a wrong "frida-server" that prints the
right version (what the old ``--version`` check accepted) really would run as root there."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys

import pytest
from devicehelp import open_device, sim_file

from harness.cli.context import Env
from harness.cli.main import main
from harness.device.frida_pins import check_binary, pins_file, sha256
from harness.device.frida_server import client_version, deploy, running_file, server_pids
from harness.device.journal import journal_path
from harness.device.paths import FRIDA_PORT, FRIDA_SERVER
from harness.device.session import DeviceSession
from harness.errors import FridaServerError, UnsafePathError


def _impostor(tmp_path):
    """A shell script that passes a `--version` check and, run as root, leaves a marker."""
    path = tmp_path / "frida-server"
    path.write_text("#!/system/bin/sh\n"
                    f'if [ "$1" = "--version" ]; then echo {client_version()}; exit 0; fi\n'
                    "touch /data/local/tmp/owned-by-impostor\n")
    return path


def test_wrong_binary_is_refused_before_it_is_pushed(a10, home, tmp_path):
    device = open_device(a10)
    with DeviceSession(device, home) as s:
        with pytest.raises(FridaServerError, match="is not a pinned frida-server") as info:
            deploy(s, _impostor(tmp_path), check_answers=False)
        assert sha256(_impostor(tmp_path).read_bytes()) in info.value.fix
        assert s.journal.read().pending == []
    assert not sim_file(a10, FRIDA_SERVER).exists()
    assert not sim_file(a10, "/data/local/tmp/owned-by-impostor").exists()
    assert server_pids(device) == []


def test_elf_of_unknown_hash_is_refused(tmp_path, home):
    with pytest.raises(FridaServerError, match="arm64-v8a"):
        check_binary(b"\x7fELF\x02\x01\x01" + os.urandom(64), client_version(), "arm64-v8a", home)


def test_lab_pin_accepts_exactly_that_binary(tmp_path, home):
    data = b"\x7fELF" + os.urandom(64)
    path = pins_file(home)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(f"# verified against the release page\n{sha256(data)}  {client_version()}/x86_64\n")
    assert check_binary(data, client_version(), "x86_64", home) == "lab pin"
    with pytest.raises(FridaServerError):
        check_binary(data, client_version(), "arm64-v8a", home)  # pinned for another ABI only
    with pytest.raises(FridaServerError):
        check_binary(data + b"x", client_version(), "x86_64", home)


def test_pins_file_symlink_is_refused(tmp_path, home):
    real = tmp_path / "pins"
    real.write_text(f"{'0' * 64}  {client_version()}/x86_64\n")
    pins_file(home).parent.mkdir(parents=True, mode=0o700)
    pins_file(home).symlink_to(real)
    with pytest.raises(UnsafePathError):
        check_binary(b"\x7fELF", client_version(), "x86_64", home)


def test_server_runs_on_a_random_port_with_a_token(a10, home, tmp_path):
    standin = tmp_path / "frida-server"
    standin.write_bytes(f"#!vsim:frida-server {client_version()}\n".encode())
    device = open_device(a10)
    with DeviceSession(device, home) as s:
        st = deploy(s, standin, check_answers=False)
        assert st.port != FRIDA_PORT and st.token and len(st.token) >= 32
        (proc,) = [p for p in a10.device.procs.all() if p.name == "frida-server"]
        assert proc.args[1:] == ["-D", "-l", f"127.0.0.1:{st.port}", "--token", st.token]
        state = running_file(home, a10.serial)
        assert stat.S_IMODE(state.stat().st_mode) == 0o600
        assert json.loads(state.read_text()) == {"port": st.port, "token": st.token}
    assert server_pids(device) == []


def _hook(argv, home):
    out, err = io.StringIO(), io.StringIO()
    code = main(["hook", *argv], Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def test_hook_forward_removes_its_forward(a10, home):
    """No frida-server answers on the virtual handset: the attach fails, and the forward made for
    it is gone afterwards all the same. No lab ran on the device, so the hook opened its own
    (progress lines) and restored the device before the one error line."""
    device = open_device(a10)
    code, out, err = _hook(["--device", a10.serial, "--pid", "4242", "--frida", "forward",
                            "--agent", "tls-native", "--duration", "1"], home)
    lines = err.splitlines()
    assert code == 2 and [ln for ln in lines if ln.startswith("harness: error:")] == lines[-1:], err
    assert "cannot attach to pid 4242" in lines[-1] and "127.0.0.1:" in lines[-1]  # frida over a forwarded port
    assert any("restored through the journal" in ln for ln in lines), err
    assert device._adb.forward_list() == []
    assert not journal_path(home, a10.serial).exists()


def test_hook_local_refuses_a_host_process_named_by_the_device(a10, home):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        code, out, err = _hook(["--device", a10.serial, "--pid", str(sleeper.pid), "--frida", "local",
                                "--agent", "tls-native", "--duration", "1"], home)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert code == 2 and "not the virtual handset's app" in err, err


def test_doctor_names_no_missing_option(a10, home):
    out, err = io.StringIO(), io.StringIO()
    main(["doctor", "--device", a10.serial, "--no-proxy-probe"], Env(stdout=out, stderr=err, home=home))
    line = next(ln for ln in out.getvalue().splitlines() if "frida-server:" in ln)
    assert "--download-frida" not in line and "SHA-256" in line


def test_download_of_an_unpinned_binary_never_enters_the_cache(home, tmp_path, monkeypatch):
    """A download (here from a local HTTP server standing in for GitHub, which this machine cannot
    reach) is unpacked and checked against the pins before it is cached."""
    import functools
    import http.server
    import lzma
    import threading

    from harness.device import frida_server

    (tmp_path / "srv").mkdir()
    (tmp_path / "srv" / "fs.xz").write_bytes(lzma.compress(b"\x7fELF" + os.urandom(256)))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "srv"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # GitHub's release server cannot be reached from here: a real HTTP server on loopback serves
        # the download instead (the code under test, its decompression and pin check, all run)
        monkeypatch.setattr(frida_server, "RELEASE_URL", f"http://127.0.0.1:{server.server_port}/fs.xz?{{v}}{{arch}}")
        with pytest.raises(FridaServerError, match="is not a pinned frida-server"):
            frida_server.download(home, "x86_64")
    finally:
        server.shutdown()
    assert not frida_server.cache_path(home, client_version(), "x86_64").exists()
