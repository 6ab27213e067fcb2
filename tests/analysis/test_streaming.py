"""Streaming analysis (issue 17): the fast tnetstring parser reads every record exactly as
mitmproxy's own parser does, analysis through it finds exactly what it finds through mitmproxy's
parser, a run directory holding the same flows gives the same findings, and the spilled flows
frame leaves no file behind."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mitmproxy.io import FlowReader, tnetstring

from harness.analysis import Options, analyze, loaders, tnet
from harness.analysis.synthetic import PLANT_ENCODINGS, SAMPLE_FACTS, ordinary_flows, planted_flow, write_flows
from harness.capture import RunStore
from harness.capture.httprecord import ConnFacts, http_record

N_FLOWS = 2000


def _flows() -> Iterator[Any]:
    values = itertools.cycle([SAMPLE_FACTS["android_id"], SAMPLE_FACTS["imei"], SAMPLE_FACTS["account_email"]])
    encodings = itertools.cycle(PLANT_ENCODINGS)
    for i, f in enumerate(ordinary_flows(N_FLOWS, seed=7)):
        if i % 40 == 20:  # every encoding chain at least once
            yield planted_flow(next(values), next(encodings), server_ip="203.116.1.10", step_id=f"step-{i // 500}")
        else:
            yield f


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("streaming") / "capture.mitm"
    write_flows(path, _flows())
    return path


def _mitmproxy_reader(fh: Any, size: int) -> Any:
    """The reader before issue 17: mitmproxy's own parser (with the length check kept)."""
    start = fh.tell()
    if not fh.read(1):
        raise EOFError
    fh.seek(start)
    return tnetstring.load(fh)


def _findings(a: Any) -> list[dict[str, Any]]:
    return sorted((f.to_dict() for f in a.finding_list), key=repr)


def test_fast_parser_reads_every_record_as_mitmproxy(capture: Path) -> None:
    size = capture.stat().st_size
    with capture.open("rb") as ours, capture.open("rb") as theirs:
        for _ in range(N_FLOWS):
            assert tnet.read_tnetstring(ours, size) == tnetstring.load(theirs)
        with pytest.raises(EOFError):
            tnet.read_tnetstring(ours, size)


@pytest.mark.parametrize("data", [b"5:abc,", b"x:abc,", b"4:1:a,}", b"3:abc?", b"2:1x#", b"4:trux!", b"1:x~",
                                  b"6:1:a,1:]"])
def test_fast_parser_rejects_what_mitmproxy_rejects(data: bytes) -> None:
    with pytest.raises(ValueError):
        tnetstring.loads(data)
    with pytest.raises(ValueError):
        tnet.loads(data)


def test_values_of_every_type(capture: Path) -> None:
    value = {"text": "ü", b"bytes": b"\x00:,", "n": -12, "f": 1.5, "t": True, "no": None, "l": [[], {}, [b""]]}
    assert tnet.loads(tnetstring.dumps(value)) == tnetstring.loads(tnetstring.dumps(value)) == value


def test_findings_identical_to_mitmproxy_parser(capture: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opts = Options(facts=SAMPLE_FACTS, lists_dir=None)
    fast = analyze(capture, opts)
    monkeypatch.setattr(loaders, "read_tnetstring", _mitmproxy_reader)
    reference = analyze(capture, opts)
    assert len(fast.finding_list) >= 3 and len(fast.pii_hits) >= N_FLOWS // 40
    assert _findings(fast) == _findings(reference)
    assert fast.flows.equals(reference.flows)
    assert fast.pii_hits.equals(reference.pii_hits)


def test_run_directory_gives_the_same_findings(capture: Path, tmp_path: Path) -> None:
    store = RunStore.create(tmp_path / "run", meta={"kind": "test"})
    with capture.open("rb") as fh:
        for f in FlowReader(fh).stream():
            store.add_flow(http_record(f, "http", facts=ConnFacts.of(f), step=f.metadata.get("harness.step_id"),
                                       cap=1 << 20))
    store.close("complete")
    opts = Options(facts=SAMPLE_FACTS, lists_dir=None)
    from_run, from_file = analyze(tmp_path / "run", opts), analyze(capture, opts)
    pii = [f for f in _findings(from_file) if f["kind"].startswith("pii")]
    assert pii and [f for f in _findings(from_run) if f["kind"].startswith("pii")] == pii
    assert len(from_run.flows) == len(from_file.flows) == N_FLOWS


def test_spilled_frame_leaves_no_file(capture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    a = analyze(capture, Options(facts=SAMPLE_FACTS, lists_dir=None))
    assert os.listdir(tmp_path) == []  # unlinked once mapped
    assert len(a.flows) == N_FLOWS and a.flows["response_body"].notna().sum() > 0
