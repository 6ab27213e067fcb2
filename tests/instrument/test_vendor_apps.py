"""The Frida agents on the virtual handset's vendor browser, end to end: the `ncsc-2021` world, the
virtual handset prepared through the device layer (proxy via adb reverse, harness CA in the system
store), the real mitmproxy (capture layer), real Frida on the app's HotSpot 17 JVM.

Nothing is mocked: the app is a real JVM with Debian's OkHttp 3 `CertificatePinner` and
`javax.crypto`, Frida attaches with the local device (the handset's apps are host processes, so
`pidof` through adb gives the host pid), and the world's collector logs what it decrypted.

World, handset and proxy start once per module (per xdist worker): ``vendor_lab``
(harness/testing/lab.py, an ``open_lab`` on a ``VirtualTarget``). The browser runs twice: once without agents (pinning blocks its
telemetry), then started with ``am start -D``, hooked with unpin + crypto and released.
"""

from __future__ import annotations

import base64
import io
import json
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness.cli.context import Env
from harness.cli.main import main
from harness.device import apps
from harness.instrument import builtin_map
from harness.scenario import Lab

pytestmark = pytest.mark.timeout(180)

BROWSER = "com.vendor.browser"
COLLECTOR = "tracking.intl.vendor.test"
SEARCH_HOST = "search.vendor.test"
TERM = "Free Tibet"


def _from_phone(lab: Lab, serial_no: str) -> list[dict]:
    """The collector's ground truth: telemetry events it received from this phone (decrypted)."""
    return [ev for entry in lab.world.truth.entries("telemetry_received") for ev in entry["events"]
            if ev.get("properties", {}).get("serial_no") == serial_no]


@dataclass
class Baseline:
    """The browser's first start without agents."""

    pid: int
    message: str
    received_before: int
    received_after: int


@pytest.fixture(scope="module")
def serial_no(vendor_lab: Lab) -> str:
    return vendor_lab.device.getprop("ro.serialno")


@pytest.fixture(scope="module")
def pinned_baseline(vendor_lab: Lab, serial_no: str) -> Baseline:
    """The browser started normally: its pinned telemetry client meets the proxy's certificate."""
    received_before = len(_from_phone(vendor_lab, serial_no))
    with vendor_lab.step("pinned-start", action="launch") as step:
        pid = vendor_lab.launch("browser")
        message = step.wait_log("SensorsData", lambda m: "event app_start " in m, pid=pid,
                                what="the start event's outcome")
    vendor_lab.stop("browser")
    return Baseline(pid, message, received_before, len(_from_phone(vendor_lab, serial_no)))


@pytest.fixture(scope="module")
def hooked_browser(vendor_lab: Lab, pinned_baseline: Baseline):
    """The browser started with ``am start -D``, unpin + crypto loaded before ``am sim-release``."""
    with vendor_lab.step("hooked-start", action="launch") as step:
        pid = vendor_lab.launch("browser", agents=["unpin", "crypto"])
        step.wait_log("SensorsData", lambda m: "event app_start " in m, pid=pid, what="the start event's outcome")
    yield vendor_lab.hooks["browser"]
    vendor_lab.stop("browser")


def test_unpin_lets_pinned_telemetry_through_the_proxy(vendor_lab, pinned_baseline, hooked_browser, serial_no):
    lab = vendor_lab
    # without agents: OkHttp's CertificatePinner rejects the proxy's leaf, nothing reaches the collector
    assert "Certificate pinning failure" in pinned_baseline.message
    assert pinned_baseline.received_after == pinned_baseline.received_before
    assert not lab.flows(lambda f: f.step_id == "pinned-start" and f.server_host == COLLECTOR
                         and f.status_code is not None)

    # with unpin: the same request goes through the proxy to the collector
    sent = lab.logs.lines("SensorsData", hooked_browser.pid)
    assert any("event app_start sent: HTTP 200" in ln.message for ln in sent), sent
    flows = lab.flows(lambda f: f.step_id == "hooked-start" and f.server_host == COLLECTOR)
    assert [(f.method, f.path, f.status_code) for f in flows] == [("POST", "/sa?project=mibrowser", 200)]
    received = _from_phone(lab, serial_no)
    assert [ev["event"] for ev in received[pinned_baseline.received_before:]] == ["app_start"]

    bypassed = lab.events("unpin:", lambda e: e.step_id == "hooked-start")
    assert bypassed, "no unpin:bypassed event in the run store"
    pinner = [e for e in bypassed if e.payload["target"].startswith("okhttp3.CertificatePinner.check")]
    assert pinner and pinner[0].payload["host"] == COLLECTOR
    assert "Certificate pinning failure" in pinner[0].payload["error"]
    assert pinner[0].source == "unpin" and pinner[0].pid == hooked_browser.pid


def _aes_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(dec.update(data) + dec.finalize()) + unpadder.finalize()


def test_crypto_shows_the_telemetry_plaintext_byte_equal(vendor_lab, hooked_browser, serial_no):
    lab = vendor_lab
    sealed = [e for e in lab.events("crypto:", lambda e: e.step_id == "hooked-start")
              if any("TelemetryCrypto.seal" in frame for frame in e.payload.get("stack", []))]
    assert len(sealed) == 1, [e.payload for e in lab.events("crypto:")]
    event = sealed[0]
    p = event.payload
    assert (p["operation"], p["algorithm"]) == ("encrypt", "AES/CBC/PKCS5Padding")
    assert event.data is not None and p["plaintext_size"] == len(event.data) and not p["plaintext_truncated"]
    plaintext = event.data

    # the ciphertext on the wire (the flow's request body) decrypts, with the key the agent saw, to
    # exactly the bytes the agent reported
    (flow,) = lab.flows(lambda f: f.step_id == "hooked-start" and f.server_host == COLLECTOR)
    envelope = json.loads(flow.request_body)
    assert envelope["kid"] == "sa-2021-1"
    assert base64.b64decode(p["ciphertext"]) == base64.b64decode(envelope["data"])
    assert p["iv"] == base64.b64decode(envelope["iv"]).hex()
    assert _aes_cbc_decrypt(bytes.fromhex(p["key"]), base64.b64decode(envelope["iv"]),
                            base64.b64decode(envelope["data"])) == plaintext

    # and it is what the collector decrypted (the world's ground truth)
    batch = json.loads(plaintext)
    assert [ev["event"] for ev in batch] == ["app_start"]
    assert batch[0] in _from_phone(lab, serial_no)
    assert batch[0]["properties"]["serial_no"] == serial_no


def test_trigger_runs_the_browser_search_under_its_step(vendor_lab, hooked_browser):
    lab = vendor_lab
    triggers = builtin_map(BROWSER)
    assert triggers is not None
    hooked_browser.load_triggers(triggers)
    with lab.step("trigger-search", action="search", quiet=0.5):
        hooked_browser.trigger(triggers, "search", timeout=lab.timeout, query=TERM)
        called = hooked_browser.wait_for("trigger:called", timeout=lab.timeout)
        hooked_browser.flush()
    assert called.step_id == "trigger-search"
    assert called.payload["method"] == "search" and called.payload["args"] == [TERM]

    search = lab.flows(lambda f: f.server_host == SEARCH_HOST)
    assert {f.step_id for f in search} == {"trigger-search"}
    requests = sorted((urlsplit(f.path).path, parse_qs(urlsplit(f.path).query)["q"], f.status_code) for f in search)
    assert requests == [("/v1/search", [TERM], 200), ("/v1/suggest", [TERM], 200)]
    ads = lab.flows(lambda f: f.step_id == "trigger-search" and f.server_host == "api.ad.vendor.test")
    assert [parse_qs(urlsplit(f.path).query)["query"] for f in ads] == [[TERM]]
    served = lab.world.truth.entries("results_served", query=TERM)
    assert served, "the search server did not see the triggered search"


def test_cli_hook_streams_crypto_events_of_the_running_browser(vendor_lab, tmp_path):
    """``harness hook --device SERIAL --package com.vendor.browser --agent crypto`` on the running
    app (started normally, attached afterwards); a WEB_SEARCH intent makes it seal a usage event.
    A lab runs on the device (same HARNESS_HOME): the hook joins it, and the events land in the
    lab's run with the lab's step."""
    lab = vendor_lab
    pid = lab.launch("browser")  # a fresh process: one Java bridge per JVM
    out, err = io.StringIO(), io.StringIO()
    result: dict[str, int] = {}
    argv = ["hook", "--device", lab.serial, "--package", BROWSER, "--agent", "crypto", "--json",
            "--duration", "8"]
    cli = threading.Thread(target=lambda: result.setdefault("code", main(argv, Env(stdout=out, stderr=err,
                                                                                   home=lab.home))))
    step = lab.mark("cli-hook-joined")
    cli.start()
    try:
        lab.wait(lambda: "hooked pid" in err.getvalue() or not cli.is_alive(), "harness hook attached")
        assert f"hooked pid {pid} with crypto" in err.getvalue(), err.getvalue()
        apps.web_search(lab.device, "weather news", package=BROWSER)

        def sealed() -> list[dict]:
            events = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
            return [e for e in events if e["type"] == "crypto:plaintext"]

        events = lab.wait(sealed, "crypto:plaintext from harness hook")
    finally:
        cli.join(timeout=lab.timeout)
    assert not cli.is_alive(), "harness hook did not end after --duration"
    assert result.get("code") == 0, err.getvalue()
    event = events[0]
    assert event["pid"] == pid and event["source"] == "crypto"
    assert event["data"]["format"] == "base64"
    batch = json.loads(base64.b64decode(event["data"]["data"]))
    assert batch[0]["event"] == "search" and batch[0]["properties"]["query_length"] == len("weather news")
    assert event["payload"]["algorithm"] == "AES/CBC/PKCS5Padding"
    assert f"events recorded into the run of the lab: {lab.run_dir}" in err.getvalue()
    recorded = {e.id: e for e in lab.events("crypto:plaintext")}
    assert event["id"] in recorded and recorded[event["id"]].step_id == step
    assert recorded[event["id"]].data == base64.b64decode(event["data"]["data"])
    lab.capture.timeline.end()
    lab.stop("browser")


def test_cli_hook_releases_an_app_started_with_am_start_d(vendor_lab, tmp_path, serial_no):
    """The lab technician's way on the virtual handset: ``adb shell am start -D ...`` (the app waits
    for a debugger), then ``harness hook --package PKG --agent unpin --agent crypto``: the agents go
    in first, ``harness hook`` releases the app, and its very first (pinned) request is unpinned."""
    lab = vendor_lab
    lab.stop("browser")
    received_before = len(_from_phone(lab, serial_no))
    apps.launch(lab.device, BROWSER, ".BrowserApp", wait=False, debug=True)
    pid = apps.wait_running(lab.device, BROWSER, timeout=lab.timeout)[0]
    argv = ["hook", "--device", lab.serial, "--package", BROWSER, "--agent", "unpin", "--agent", "crypto",
            "--json", "--duration", "8"]
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, Env(stdout=out, stderr=err, home=lab.home))
    assert code == 0, err.getvalue()
    types = [json.loads(line)["type"] for line in out.getvalue().splitlines()]
    assert "unpin:bypassed" in types and "crypto:plaintext" in types, types
    sent = lab.wait(lambda: lab.logs.find("SensorsData", lambda m: "event app_start " in m, pid=pid),
                    "the start event's outcome").message
    assert "sent: HTTP 200" in sent
    assert [ev["event"] for ev in _from_phone(lab, serial_no)[received_before:]] == ["app_start"]
    lab.stop("browser")
