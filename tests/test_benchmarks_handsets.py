"""The checks of ``benchmarks/handsets.py`` that turn a 2-handset run into a failed row: labs that
share what must be their own (the handset's serial, the proxy, the world's servers, flows into the
other lab's world) and verdicts that differ from the single handset's. The lab records are built
here as the benchmark builds them from run stores; the end-to-end run is
tests/test_benchmarks_run_all.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import handsets  # noqa: E402

CLAIM_A, CLAIM_B = "System apps do not download a keyword blacklist.", "The browser's connections are not certificate-pinned."


def lab(worker: str, serial: str, proxy: str, block: str, servers: set[str] | None = None,
        verdicts: dict[str, str] | None = None) -> dict:
    world = {f"{block}.{i}:8443" for i in (1, 2)}
    return {"run_dir": f"/runs/s/{worker}/harness.packs.ncsc_2021.test_claims", "device": serial, "proxy": proxy,
            "world": world, "servers": world if servers is None else servers,
            "verdicts": verdicts or {CLAIM_A: "violated", CLAIM_B: "holds"}}


def test_labs_of_their_own_share_nothing() -> None:
    labs = [lab("gw0", "127.0.0.1:40001", "127.0.0.1:50001", "127.0.7"),
            lab("gw1", "127.0.0.1:40002", "127.0.0.1:50002", "127.0.9")]
    assert handsets.shared(labs) == ""


def test_a_shared_proxy_serial_or_world_is_reported() -> None:
    labs = [lab("gw0", "127.0.0.1:40001", "127.0.0.1:50001", "127.0.7"),
            lab("gw1", "127.0.0.1:40001", "127.0.0.1:50001", "127.0.7")]
    found = handsets.shared(labs)
    assert "serial 127.0.0.1:40001" in found and "proxy 127.0.0.1:50001" in found and "world servers" in found


def test_flows_into_the_other_labs_world_are_reported() -> None:
    other = lab("gw1", "127.0.0.1:40002", "127.0.0.1:50002", "127.0.9")
    leaking = lab("gw0", "127.0.0.1:40001", "127.0.0.1:50001", "127.0.7", servers={"127.0.9.1:8443"})
    assert handsets.shared([leaking, other]) == "gw0: flows to 127.0.9.1:8443"


def test_verdicts_must_equal_the_single_handsets() -> None:
    single = {CLAIM_A: "violated", CLAIM_B: "holds"}
    same = [lab("gw0", "a", "p", "127.0.7"), lab("gw1", "b", "q", "127.0.9")]
    assert handsets.same_verdicts(single, same, split=False) == (True, "")
    changed = [same[0], lab("gw1", "b", "q", "127.0.9", verdicts={CLAIM_A: "holds", CLAIM_B: "holds"})]
    equal, diff = handsets.same_verdicts(single, changed, split=False)
    assert not equal and diff.startswith("System apps do not download") and diff.endswith(": holds vs violated")
    # split: each claim on one handset; the union must be the single handset's verdicts
    halves = [lab("gw0", "a", "p", "127.0.7", verdicts={CLAIM_A: "violated"}),
              lab("gw1", "b", "q", "127.0.9", verdicts={CLAIM_B: "holds"})]
    assert handsets.same_verdicts(single, halves, split=True) == (True, "")
    assert not handsets.same_verdicts(single, halves[:1], split=True)[0]  # a claim missing
    assert not handsets.same_verdicts({}, same, split=False)[0]  # nothing observed is not "same"
