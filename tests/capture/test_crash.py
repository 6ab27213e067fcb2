"""Durability: a recording process is SIGKILLed; its store reopens without repair with every flow
completed at least a second earlier, and flows.mitm reads cleanly (up to a possible tear)."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import textwrap
import time

import httpx

from harness.capture.mitmfile import read_mitm
from harness.capture.store import RunStore

_CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from harness.capture.session import CaptureSession
    from harness.testing.servers import TestPKI, TestServer
    root = Path(sys.argv[1])
    pki = TestPKI(root)
    server = TestServer(pki, http2=False).start()
    cap = CaptureSession(root / "run", confdir=root / "ca",
                         options={"ssl_verify_upstream_trusted_ca": str(pki.ca_cert)}).start()
    cap.timeline.begin("crash", "before the crash")
    print(json.dumps({"proxy": cap.proxy_url, "ca": str(cap.ca.cert), "server": server.origin}), flush=True)
    time.sleep(120)
""")


def test_sigkill_during_recording(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(child.stdout.readline())
        with httpx.Client(verify=ssl.create_default_context(cafile=info["ca"]), proxy=info["proxy"], timeout=20) as client:
            for i in range(40):
                r = client.post(f"{info['server']}/echo", content=f"flow-{i}".encode())
                assert r.content == f"flow-{i}".encode()
        time.sleep(1.0)
        assert child.poll() is None
    finally:
        child.kill()  # SIGKILL: no cleanup runs in the child
        child.wait(10)
    run = tmp_path / "run"
    store = RunStore.open(run)
    assert store.status == "incomplete"
    flows = list(store.iter_flows())
    assert [f.request_body for f in flows] == [f"flow-{i}".encode() for i in range(40)]
    assert {f.step_id for f in flows} == {"crash"}
    mitm = read_mitm(run / "flows.mitm")
    assert [f.request.content for f in mitm.flows] == [f"flow-{i}".encode() for i in range(40)]
    assert {f.metadata["harness.step_id"] for f in mitm.flows} == {"crash"}
