"""What several scenario test files share: the in-process CLI call and the smallest claim test
a pack can hold (one that cites evidence: a verdict citing none is saved inconclusive)."""

from __future__ import annotations

import io
from pathlib import Path

from harness.cli.context import Env
from harness.cli.main import main

#: a claim test (module text) that holds on any virtual handset: it launches the security app so
#: the verdict cites that launch's first flow
MODEL_CLAIM = '''
@pytest.mark.claim("The handset tells its model.")
def test_model(lab, verdict):
    with lab.step("read-facts"):
        lab.launch("security")
    seen = [f.id for f in lab.flows()][:1]  # a verdict cites evidence (else it is saved inconclusive)
    verdict.record(ClaimResult("the handset tells its model", bool(lab.facts.model), f"model {lab.facts.model}", seen))
'''


def run_cli(home: Path, *argv: str) -> tuple[int, str, str]:
    """``harness ARGV`` in this process with ``home`` as HARNESS_HOME: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()
