"""``harness demo``: the claims pack on the virtual handset through ``harness.scenario.open_lab``,
with capture, Frida, analysis and the world's ground truth, end to end.

``run_demo(home, DemoOptions(world="ncsc-2021"), print)`` returns a :class:`DemoResult`; the run
directory holds the store, the flows, the artifacts and ``findings.json``.
"""

from harness.demo.runner import DemoOptions, DemoResult, run_demo

__all__ = ["DemoOptions", "DemoResult", "run_demo"]
