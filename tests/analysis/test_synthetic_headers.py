"""The synthetic corpus's request headers repeat the way a capture's do (issue 17): header values
(user agent, session cookie and token per host) repeat across flows, whole header blocks do not
(a request id and a client time per flow), so a benchmark cannot profit from block repetition that
real traffic lacks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter, defaultdict

from harness.analysis.synthetic import SESSION_FLOWS, ordinary_flows


def test_header_blocks_differ_and_values_repeat() -> None:
    flows = list(ordinary_flows(2 * SESSION_FLOWS, seed=4))
    blocks = [tuple(f.request.headers.items(multi=True)) for f in flows]
    assert len(set(blocks)) == len(blocks)  # no block twice
    agents: dict[str, set[str]] = defaultdict(set)
    cookies: Counter[str] = Counter()
    for f in flows:
        agents[f.request.host].add(f.request.headers["user-agent"])
        cookies[f.request.headers["cookie"]] += 1
        assert f.request.headers["x-request-id"] and f.request.headers["host"] == f.request.host
    assert all(len(a) == 1 for a in agents.values())  # one client per host
    assert len(cookies) >= len(agents)  # sessions were renewed ...
    assert max(cookies.values()) >= SESSION_FLOWS // len(agents) // 2  # ... and each was used many times
    assert len({f.request.headers["x-request-id"] for f in flows}) == len(flows)


def test_corpus_is_the_same_in_every_process() -> None:
    """No ``hash()`` of a string (salted per process) decides anything: the same seed gives the
    same headers under two hash seeds."""
    script = ("from harness.analysis.synthetic import ordinary_flows\n"
              "print([tuple(f.request.headers.items(multi=True)) for f in ordinary_flows(30, seed=9)])\n")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1] and "user-agent" in runs[0]
