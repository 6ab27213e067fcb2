"""The scenario layer: one lab for a virtual handset or a real phone, steps, actions, assertions.

    from harness.scenario import LabSpec, PhoneTarget, VirtualTarget, open_lab

``open_lab(LabSpec(target, profile=...))`` (harness.scenario.lab) builds the lab;
``join_lab(LabSpec(target))`` (harness.scenario.join) joins the lab another process runs on the
device (``harness hook``, harness.scenario.hook); scenario code
names app roles and host roles of an app profile (harness.scenario.profile), never packages; see
docs/scenarios.md. Only ``harness.scenario.virtual`` imports ``harness.sim``.
"""

from harness.scenario.claims import evidence_steps, findings_of_steps, once, verdict_of
from harness.scenario.join import JoinedLab, join_lab
from harness.scenario.lab import Lab, open_lab
from harness.scenario.results import ClaimResult, Inconclusive, ScenarioAssertion, StepResult, Verdict
from harness.scenario.signals import EXIT_INTERRUPTED, Interrupted, handled
from harness.scenario.spec import DEFAULT_WORLD, LabSpec
from harness.scenario.target import Attached, PhoneTarget
from harness.scenario.waits import StepTimeout


def __getattr__(name: str) -> object:
    if name == "VirtualTarget":  # imports harness.sim only when asked for
        from harness.scenario.virtual import VirtualTarget

        return VirtualTarget
    raise AttributeError(name)


__all__ = [
    "DEFAULT_WORLD", "EXIT_INTERRUPTED", "Attached", "ClaimResult", "Inconclusive", "Interrupted", "JoinedLab",
    "Lab", "LabSpec",
    "PhoneTarget", "ScenarioAssertion", "StepResult", "StepTimeout", "Verdict", "VirtualTarget", "handled",
    "evidence_steps", "findings_of_steps", "join_lab", "once", "open_lab", "verdict_of",
]
