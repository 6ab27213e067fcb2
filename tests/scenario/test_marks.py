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


def test_no_session_for_the_named_device_does_not_ask_to_name_it(tmp_path):
    """Trial 6 finding H: `harness mark step1 --device S` with no session said "or name the device
    with --device SERIAL" although it was named."""
    import io

    from harness.cli.context import Env
    from harness.cli.main import main

    def mark(*argv: str) -> tuple[int, str]:
        err = io.StringIO()
        return main(["mark", "step1", *argv], Env(stdout=io.StringIO(), stderr=err, home=tmp_path / "home")), err.getvalue()

    code, err = mark("--device", "127.0.0.1:43745")
    assert code == 2 and err.count("\n") == 1
    assert "no running `harness intercept` session for device 127.0.0.1:43745" in err
    assert "--device SERIAL" not in err and "start `harness intercept --device 127.0.0.1:43745` first" in err
    code, err = mark()
    assert code == 2 and "no running `harness intercept` session (fix: start `harness intercept` first)" in err
    # sessions of other devices: named, so the user sees which serial to give
    write_control(tmp_path / "home", "emulator-5554", ("127.0.0.1", 1), tmp_path / "run")
    write_control(tmp_path / "home", "R58M123", ("127.0.0.1", 2), tmp_path / "run2")
    code, err = mark("--device", "127.0.0.1:43745")
    assert code == 2 and "(sessions run for: R58M123, emulator-5554)" in err
    code, err = mark()
    assert code == 2 and "2 intercept sessions run: R58M123, emulator-5554 (fix: name the device with --device SERIAL)" in err
