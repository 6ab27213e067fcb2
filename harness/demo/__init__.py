"""``harness demo``: the virtual handset, its vendor world, capture, Frida and analysis end to end.

``run_demo(home, DemoOptions(world="ncsc-2021"), print)`` returns a :class:`DemoResult`; the run
directory holds the store, the flows, the artifacts and ``findings.json``.
"""

from harness.demo.runner import DemoOptions, DemoResult, run_demo

__all__ = ["DemoOptions", "DemoResult", "run_demo"]
