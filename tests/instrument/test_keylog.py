"""The tls-keylog agent on a client that ignores the proxy (Python's ``ssl`` on the system
OpenSSL): its loopback packets, captured by a real ``tcpdump``, are decrypted by ``tshark`` with
the key log the agent recorded, and not without it."""

from __future__ import annotations

import shutil
import signal
import subprocess

import pytest

from harness.instrument.keylog import KEYLOG_FILE, KeyLogWriter
from harness.instrument.session import HookSession

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(not (shutil.which("tcpdump") and shutil.which("tshark")), reason="tcpdump/tshark not installed"),
]


def requests_seen(pcap, port: int, keylog=None) -> list[str]:
    args = ["tshark", "-r", str(pcap), "-d", f"tcp.port=={port},tls", "-Y", "http.request",
            "-T", "fields", "-e", "http.request.method", "-e", "http.request.uri"]
    if keylog is not None:
        args[3:3] = ["-o", f"tls.keylog_file:{keylog}"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def test_keylog_decrypts_a_capture_of_traffic_outside_the_proxy(frida_device, python_child, origin, origin_ca, tmp_path):
    (tmp_path / "ca.pem").write_bytes(origin_ca.cert_pem)
    pcap, keylog = tmp_path / "lo.pcap", tmp_path / KEYLOG_FILE
    child = python_child("tls_child.py", origin.host, str(origin.port), str(tmp_path / "ca.pem"), "canary=keylog-7f3a")
    assert child.stdout.readline().strip() == "ready"
    dump = subprocess.Popen(["tcpdump", "-i", "lo", "--immediate-mode", "-U", "-n", "-w", str(pcap), f"tcp port {origin.port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert dump.stderr is not None
        assert "listening on" in dump.stderr.readline()  # capture running before the client talks
        writer = KeyLogWriter(keylog)
        with HookSession.attach(frida_device, child.pid, sinks=[writer]) as session:
            session.load("tls-keylog")
            child.stdin.write("go\n")
            child.stdin.flush()
            line = child.stdout.readline()
            assert line.startswith("sent "), line + child.stderr.read()
            session.wait_for("tls:keylog", lambda e: e.payload["label"] == "CLIENT_TRAFFIC_SECRET_0")
            session.wait_for("tls:keylog", lambda e: e.payload["label"] == "SERVER_TRAFFIC_SECRET_0")
            session.flush()
            modules = {e.payload["module"] for e in session.events("tls:module")}
        writer.close()
    finally:
        dump.send_signal(signal.SIGINT)
        dump.wait(20)
    assert any(m.startswith("libssl") for m in modules)
    assert (keylog.stat().st_mode & 0o777) == 0o600
    labels = {line.split()[0] for line in keylog.read_text().splitlines()}
    assert {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0"} <= labels
    assert requests_seen(pcap, origin.port) == []  # encrypted without the key log
    assert requests_seen(pcap, origin.port, keylog) == ["POST\t/upload"]


def test_hook_cli_writes_the_key_log_into_the_run(tmp_path, origin, origin_ca):
    import io
    import sys

    from harness.capture import RunStore
    from harness.cli.context import Env
    from harness.cli.main import main

    (tmp_path / "ca.pem").write_bytes(origin_ca.cert_pem)
    script = tmp_path / "once.py"
    script.write_text(
        "import ssl, socket\n"
        f"ctx = ssl.create_default_context(cafile={str(tmp_path / 'ca.pem')!r})\n"
        f"s = ctx.wrap_socket(socket.create_connection(({origin.host!r}, {origin.port})), server_hostname='127.0.0.1')\n"
        "s.sendall(b'GET /keylog-cli HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')\n"
        "while s.recv(4096): pass\n"
    )
    run_dir = tmp_path / "run"
    out, err = io.StringIO(), io.StringIO()
    code = main(["hook", "--agent", "tls-keylog", "--out", str(run_dir), "--duration", "30",
                 "--spawn", sys.executable, "-I", "-S", str(script)], Env(stdout=out, stderr=err, home=tmp_path / "home"))
    assert code == 0, err.getvalue()
    keylog = run_dir / KEYLOG_FILE
    assert (keylog.stat().st_mode & 0o777) == 0o600
    lines = keylog.read_text().splitlines()
    assert any(line.startswith("CLIENT_TRAFFIC_SECRET_0 ") for line in lines)
    reader = RunStore.open(run_dir)
    try:
        stored = [e.payload["line"] for e in reader.iter_events("tls:keylog")]
    finally:
        reader.close()
    assert stored == lines
