"""A running world seen from another process (e.g. the proxy of `harness record` while
`harness sim start --world ...` runs the world): read its files, build its addon and proxy options."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from harness.errors import SimError
from harness.sim.world.addon import WorldResolver


@dataclass(frozen=True)
class WorldFiles:
    state_dir: Path

    @classmethod
    def open(cls, state_dir: str | Path) -> WorldFiles:
        files = cls(Path(state_dir))
        missing = [p.name for p in (files.hosts_file, files.ca_cert_path, files.geo_file) if not p.is_file()]
        if missing:
            raise SimError(f"{state_dir} is not a started world (missing {', '.join(missing)})",
                           fix="start it with `harness sim start --world NAME` or World(...).start()")
        return files

    @property
    def hosts_file(self) -> Path:
        return self.state_dir / "hosts"

    @property
    def ca_cert_path(self) -> Path:
        return self.state_dir / "world-ca.pem"

    @property
    def truth_log(self) -> Path:
        return self.state_dir / "truth.jsonl"

    @property
    def geo_file(self) -> Path:
        return self.state_dir / "geo.json"

    @property
    def addresses(self) -> dict[str, str]:
        """Host name -> loopback address, from the hosts file."""
        out = {}
        for line in self.hosts_file.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 2 and not parts[0].startswith("#"):
                for name in parts[1:]:
                    out[name] = parts[0]
        return out

    @property
    def geo_overrides(self) -> dict[str, str]:
        return {e["cidr"]: e["country"] for e in json.loads(self.geo_file.read_text())["overrides"]}

    def addon(self) -> WorldResolver:
        return WorldResolver(self.addresses)

    def proxy_options(self) -> dict[str, object]:
        return {"ssl_verify_upstream_trusted_ca": str(self.ca_cert_path)}
