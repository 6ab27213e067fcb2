"""Streaming analysis (issue 17): with the flows frame spilled to a memory-mapped file, analysis
finds exactly what it found before (the flows frame, PII hits and findings equal those of an
in-memory frame, and those read through mitmproxy's own ``tnetstring.load``), a run directory
holding the same flows gives the same personal-data findings, and the spill leaves no file behind."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from mitmproxy.io import FlowReader

from harness.analysis import Options, analyze, scan
from harness.analysis.synthetic import (
    PLANT_ENCODINGS,
    SAMPLE_FACTS,
    ordinary_flows,
    planted_flow,
    write_flows,
)
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


class _InMemory:
    """The flows table as it was before issue 17: Arrow batches kept in memory. Not a mock: it is
    the reference implementation the spilled (memory-mapped) table must equal; swapped in with
    monkeypatch only because the pipeline has no option to choose it."""

    def __init__(self, schema: pa.Schema, prefix: str = "") -> None:
        self.schema, self.batches = schema, []

    def write(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)

    def table(self) -> pa.Table:
        return pa.Table.from_batches(self.batches, schema=self.schema)

    def release(self) -> None:
        """Nothing is mapped: nothing to release."""


def _findings(a: Any) -> list[dict[str, Any]]:
    return sorted((f.to_dict() for f in a.finding_list), key=repr)


def test_findings_identical_to_in_memory_frame(capture: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opts = Options(facts=SAMPLE_FACTS, lists_dir=None)
    fast = analyze(capture, opts)
    monkeypatch.setattr(scan, "SpilledTable", _InMemory)
    reference = analyze(capture, opts)
    assert len(fast.finding_list) >= 3 and len(fast.pii_hits) >= N_FLOWS // 40
    assert _findings(fast) == _findings(reference)
    assert fast.flows.equals(reference.flows)
    assert fast.pii_hits.equals(reference.pii_hits)
    assert fast.lists.equals(reference.lists) and fast.destinations.equals(reference.destinations)


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


def test_released_pages_read_back_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dropping the mapped pages (madvise) keeps the table readable: the pages come back from the
    file, byte for byte, also after the file is unlinked."""
    from harness.analysis.spill import SpilledTable

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    schema = pa.schema([("id", pa.string()), ("body", pa.binary())])
    spill = SpilledTable(schema)
    spill.release()  # before table(): nothing mapped yet, a no-op
    rows = [(f"f{i}", os.urandom(i % 5000)) for i in range(3000)]
    for chunk in (rows[i:i + 700] for i in range(0, len(rows), 700)):
        spill.write(pa.RecordBatch.from_pylist([{"id": a, "body": b} for a, b in chunk], schema=schema))
    table = spill.table()
    assert os.listdir(tmp_path) == []
    before = table.to_pylist()
    for _ in range(2):
        spill.release()
        assert table.to_pylist() == before == [{"id": a, "body": b} for a, b in rows]


def test_list_prefilter_searches_the_same_names() -> None:
    """``lists._NAME_SEARCH`` (the fast yes/no form) matches exactly where ``NAME_PATTERN`` does,
    case folding included (long s, Kelvin sign, dotted and dotless i)."""
    import random

    from harness.analysis import lists

    alphabet = [*"blackoistdenywrfvzu.-_ BLACKOIST", "ſ", "K", "İ", "ı", "ß"]
    words = ["blacklist", "block_list", "deny-list", "keyword", "sensitive", "censor", "ban word", "forbidden",
             "filter", "BLACK LIST", "ſensitive", "Keyword"]
    rng = random.Random(3)
    matches = 0
    for _ in range(20000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        if rng.random() < 0.3:
            w, i = rng.choice(words), rng.randint(0, len(s))
            s = s[:i] + w[:rng.randint(3, len(w))] + s[i:]
        expected = bool(lists.NAME_PATTERN.search(s))
        matches += expected
        assert bool(lists._NAME_SEARCH.search(s)) == expected, repr(s)
    assert matches > 500


def test_unwritable_spill_folder_is_one_clear_error(capture: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.errors import AnalysisError

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with pytest.raises(AnalysisError) as err:
        analyze(capture, Options(facts=SAMPLE_FACTS, lists_dir=None))
    assert "TMPDIR" in (err.value.fix or "") and "spill" in err.value.reason
