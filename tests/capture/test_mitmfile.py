"""flows.mitm helpers: the fast state builder equals mitmproxy's get_state; torn files stop cleanly."""

from __future__ import annotations

import pytest
from mitmproxy.io import tnetstring
from mitmproxy.test import tflow

from harness.capture.mitmfile import FlowStates, MitmFileWriter, read_mitm


@pytest.mark.parametrize("make", [
    lambda: tflow.tflow(resp=True),
    lambda: tflow.tflow(err=True),
    lambda: tflow.tflow(resp=True, ws=True),
    lambda: tflow.ttcpflow(),
])
def test_fast_state_equals_get_state(make):
    f = make()
    states = FlowStates()
    assert states.state(f) == f.get_state()
    # a connection that changed is serialised again
    f.client_conn.timestamp_end = 1234.5
    f.server_conn.error = "gone"
    assert states.state(f) == f.get_state()
    f.metadata["harness.step_id"] = "s1"
    again = states.state(f)
    assert again == f.get_state() and again["metadata"] is not f.metadata


def test_encoding_equals_tnetstring(tmp_path):
    writer = MitmFileWriter(tmp_path / "x.mitm")
    states = FlowStates()
    f = tflow.tflow(resp=True)
    for _ in range(2):  # the second time, connection encodings come from the memo
        assert writer.encode(states.state(f)) == tnetstring.dumps(f.get_state())
    f.server_conn.timestamp_end = 99.0
    assert writer.encode(states.state(f)) == tnetstring.dumps(f.get_state())
    f.request.headers["x-changed"] = "1"  # header blocks are memoised by value, not identity
    f.response.headers["date"] = "Sat, 28 Nov 2026 12:00:00 GMT"
    assert writer.encode(states.state(f)) == tnetstring.dumps(f.get_state())
    ws = tflow.tflow(resp=True, ws=True)
    assert writer.encode(states.state(ws)) == tnetstring.dumps(ws.get_state())
    writer.close()


def test_writer_and_torn_reader(tmp_path):
    path = tmp_path / "flows.mitm"
    writer = MitmFileWriter(path)
    flows = [tflow.tflow(resp=True) for _ in range(3)]
    for f in flows:
        writer.add(f)
    writer.flush()
    writer.close()
    assert [f.id for f in read_mitm(path).flows] == [f.id for f in flows]
    size_last = len(tnetstring.dumps(flows[-1].get_state()))
    data = path.read_bytes()
    for cut in (1, size_last // 2, size_last - 1):
        torn = tmp_path / f"torn{cut}.mitm"
        torn.write_bytes(data[:-cut])
        result = read_mitm(torn)
        assert result.torn and [f.id for f in result.flows] == [f.id for f in flows[:2]]
