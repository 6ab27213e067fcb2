"""The environment a CLI invocation runs in, so tests can run the CLI in-process."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


def _default_home() -> Path:
    return Path(os.environ.get("HARNESS_HOME", Path.home() / ".harness"))


@dataclass
class Env:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    #: where the harness keeps its state: CA, journals, caches, simulator state
    home: Path = field(default_factory=_default_home)
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def err(self, text: str) -> None:
        print(text, file=self.stderr, flush=True)
