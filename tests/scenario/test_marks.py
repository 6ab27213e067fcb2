"""``harness mark NAME`` through a real proxy: the mark is a step of the run, and its control request
(``GET http://harness.mark/step?name=...&token=...``) is the harness's own traffic, not the
phone's: no flow, no destination, no export row, the token nowhere in the run (trial report item 6)."""

from __future__ import annotations

import httpx

from harness.capture.export import export
from harness.capture.session import CaptureSession
from harness.capture.store import RunStore
from harness.scenario.marks import MARK_HOST, MarkAddon, send_mark, write_control


def test_a_mark_is_a_step_and_never_a_flow(tmp_path):
    home, run = tmp_path / "home", tmp_path / "run"
    marked: list[str] = []
    sessions: list[CaptureSession] = []

    def mark(name: str) -> str:
        sessions[0].timeline.begin(name, name, action="mark")
        marked.append(name)
        return name

    token = "t0ken-of-the-session-123"
    cap = CaptureSession(run, confdir=tmp_path / "ca", addons=[MarkAddon(mark, token)]).start()
    sessions.append(cap)
    try:
        assert cap.address is not None
        write_control(home, "127.0.0.1:5555", cap.address, run, token=token)
        assert send_mark(home, "search-test", serial="127.0.0.1:5555") == "search-test"
        # a request for the mark host without the token is an app's, not ours: answered 403, recorded
        with httpx.Client(proxy=cap.proxy_url, timeout=20) as client:
            answer = client.get(f"http://{MARK_HOST}/step?name=x&token=guess")
        assert answer.status_code == 403
    finally:
        cap.stop()
    store = RunStore.open(run)
    assert marked == ["search-test"] and [s.id for s in store.steps()] == ["search-test"]
    flows = list(store.iter_flows())
    assert [f.url for f in flows] == [f"http://{MARK_HOST}/step?name=x&token=guess"]
    csv_text = export(run, "csv", tmp_path / "flows.csv").read_text()
    har_text = export(run, "har", tmp_path / "flows.har").read_text()
    assert token not in csv_text and token not in har_text
    assert token.encode() not in (run / "flows.mitm").read_bytes()
