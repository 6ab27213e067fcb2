"""What a lab is made of: :class:`LabSpec`, given to :func:`harness.scenario.open_lab`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.analysis.policy import Policy
    from harness.scenario.target import Target

#: the virtual vendor world used when none is named (the demo, the labs of the tests, the pytest
#: plugin): the one that behaves as NCSC Lithuania reported in 2021
DEFAULT_WORLD = "ncsc-2021"


def home_of(home: Path | str | None) -> Path:
    """The harness's state folder: ``home``, else ``$HARNESS_HOME``, else ``~/.harness``."""
    import os

    return Path(home) if home else Path(os.environ.get("HARNESS_HOME", Path.home() / ".harness"))


@dataclass
class LabSpec:
    """One lab: a target, an app profile, where to record, how the device is prepared.

    ``timeout``: bound of every wait (seconds). ``quiet``: a step without an explicit condition
    ends once no flow and no log line of its app arrived for this long (seconds; bounded by
    ``timeout``). ``home``: the harness's state (journals, CA, caches; default ``HARNESS_HOME``).
    ``root``: a work folder for the target (world and handset state; default a temporary folder,
    removed on exit). ``run_dir``: the run store (default ``HOME/runs/<id>``; an existing non-empty
    folder is refused)."""

    target: Target
    #: a shipped profile name, a profile YAML path, or a loaded Profile (default: the target's)
    profile: Any = None
    run_dir: Path | None = None
    home: Path | None = None
    root: Path | None = None
    ca: str = "auto"
    #: make the device use this proxy address on the lab network instead of adb reverse
    lab_proxy: str | None = None
    device_port: int | None = None
    frida_server: Path | None = None
    #: extra mitmproxy addons and options (a lab's upstream routing, e.g.)
    addons: Sequence[Any] = ()
    proxy_options: dict[str, Any] = field(default_factory=dict)
    #: a lab's CIDR -> country table (wins over the target's own; kept in the run) and a MaxMind database
    geo_overrides: Path | None = None
    mmdb: Path | None = None
    #: the lab network's names: a hosts file (``ADDRESS NAME...``) the proxy routes by
    #: (harness.capture.resolve), and the CA (PEM) of its internal servers, trusted upstream
    hosts_file: Path | None = None
    upstream_ca: Path | None = None
    policy: Policy | None = None
    #: trigger maps (JSON/YAML files) per app role, for ``lab.trigger`` on a phone
    triggers: dict[str, Path] = field(default_factory=dict)
    timeout: float = 30.0
    quiet: float = 1.5
    meta: dict[str, Any] = field(default_factory=dict)
    #: called with each recorded flow (FlowRecord) on the proxy's event loop: only queue it there
    on_flow: Callable[[Any], None] | None = None
    #: progress lines ``(stage, text)``; default: discarded
    emit: Callable[[str, str], None] | None = None
    #: own SIGINT/SIGTERM/SIGHUP while the lab is open (main thread only)
    handle_signals: bool = True
