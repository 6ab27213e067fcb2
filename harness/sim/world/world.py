"""The virtual vendor world as one unit: ``World(config).start()`` ... ``.stop()``.

Each service is an HTTPS server on its own loopback address in a /24 block of 127.0.0.0/8 (chosen
at random and checked free, so parallel worlds never collide), all on one port (443 when the
process may bind it, else 8443). Certificates come from a world CA made at start. The world writes:

- ``hosts``      host names -> addresses (for ``-Djdk.net.hosts.file``)
- ``world-ca.pem`` the world CA (the device's system store trusts it; the proxy trusts it upstream)
- ``geo.json``   the geo override table analysis reads: ``{"overrides": [{"cidr", "country", "label"}]}``
- ``props.json`` device props the world gives the apps (region, app-side switches)
- ``truth.jsonl`` the ground-truth log
"""

from __future__ import annotations

import base64
import dataclasses
import errno
import ipaddress
import json
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

from harness.errors import SimError
from harness.fsutil import private_dir, write_private
from harness.sim.world import blacklist
from harness.sim.world.addon import WorldResolver
from harness.sim.world.config import WorldConfig, load_world
from harness.sim.world.services import (
    AdConfigService,
    AdsService,
    CdnService,
    ChatService,
    ConsentService,
    SearchService,
    TelemetryService,
    WorldState,
)
from harness.sim.world.tls_http import ServiceServer, serve_in_thread, server_context
from harness.sim.world.truth import TruthLog
from harness.testing.pki import KeyPair, make_ca, make_leaf

#: service -> (host name, last octet of its address)
HOSTS: dict[str, tuple[str, int]] = {
    "adconfig": ("globalapi.ad.vendor.test", 10),
    "ads": ("api.ad.vendor.test", 11),
    "search": ("search.vendor.test", 12),
    "telemetry_sg": ("tracking.intl.vendor.test", 13),
    "telemetry_eu": ("tracking.eu.vendor.test", 14),
    "cdn": ("cdn.pages.test", 15),
    "chat": ("chat.chatapp.test", 16),
    "consent": ("consent.vendor.test", 17),
}

FALLBACK_PORT = 8443
_BLOCK_ATTEMPTS = 25


class World:
    """The vendor's cloud for one run. Not started until :meth:`start`."""

    def __init__(self, config: WorldConfig | str | Path, state_dir: str | Path | None = None, *,
                 ca: KeyPair | None = None) -> None:
        """``ca``: sign the servers with this CA (several worlds can share one trust anchor)."""
        self.config = config if isinstance(config, WorldConfig) else load_world(config)
        self._given_ca = ca
        self.state_dir = private_dir(state_dir or tempfile.mkdtemp(prefix="harness-world-"))
        self.hosts_file = self.state_dir / "hosts"
        self.ca_cert_path = self.state_dir / "world-ca.pem"
        self.truth_log = self.state_dir / "truth.jsonl"
        self.geo_file = self.state_dir / "geo.json"
        self.props_file = self.state_dir / "props.json"
        self.addresses: dict[str, str] = {}  # host name -> ip
        self.port = 0
        self.ca: KeyPair | None = None
        self.leaves: dict[str, KeyPair] = {}
        self.truth: TruthLog | None = None
        self.state: WorldState | None = None
        self._servers: list[ServiceServer] = []
        self._services: dict[str, object] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> World:
        if self._servers:
            return self
        cfg = self.config
        terms = self._initial_terms()
        self.truth = TruthLog(self.truth_log)
        self.state = WorldState(cfg, self.truth, terms, cfg.ad_config.version, cfg.ad_config.update_time,
                                cfg.ad_config.region_gate.remote_switch)
        self.ca = self._given_ca or make_ca("Vendor World Root CA")
        write_private(self.ca_cert_path, self.ca.cert_pem)
        services = self._make_services(self.state)
        try:
            self._bind(services)
        except BaseException:
            self.truth.close()
            raise
        for server in self._servers:
            serve_in_thread(server)
        self._write_files()
        self.truth.record("world_started", world=cfg.name, port=self.port, addresses=self.addresses,
                          geo=self.geo_overrides, region=cfg.device.region, props=self.props(),
                          list_served=cfg.ad_config.serve, filtering=dataclasses.asdict(cfg.filtering))
        self._record_terms("initial")
        return self

    def stop(self) -> None:
        if self.state is not None:
            self.state.stopping.set()
            with self.state.chat_cond:
                self.state.chat_cond.notify_all()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()
        if self.truth is not None:
            self.truth.record("world_stopped", world=self.config.name)
            self.truth.close()

    def __enter__(self) -> World:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what others need ------------------------------------------------------------------------

    @property
    def geo_overrides(self) -> dict[str, str]:
        """CIDR -> ISO country code for every world address."""
        geo = self.config.service_geo()
        return {f"{self.addresses[HOSTS[s][0]]}/32": geo[s] for s in HOSTS if HOSTS[s][0] in self.addresses}

    def info(self) -> dict[str, object]:
        """What other processes need to use this world (written into the handset record)."""
        return {"name": self.config.name, "state_dir": str(self.state_dir), "hosts_file": str(self.hosts_file),
                "ca_cert": str(self.ca_cert_path), "truth_log": str(self.truth_log),
                "geo_file": str(self.geo_file), "port": self.port, "addresses": dict(self.addresses)}

    def host(self, service: str) -> str:
        return HOSTS[service][0]

    def url(self, service: str, path: str = "/") -> str:
        port = "" if self.port == 443 else f":{self.port}"
        return f"https://{self.host(service)}{port}{path}"

    def addon(self) -> WorldResolver:
        """A mitmproxy addon routing world host names to the world's loopback addresses."""
        return WorldResolver(dict(self.addresses))

    def proxy_options(self) -> dict[str, object]:
        """mitmproxy options the world needs: trust the world CA for upstream connections."""
        return {"ssl_verify_upstream_trusted_ca": str(self.ca_cert_path)}

    def telemetry_pin(self) -> str:
        """OkHttp pin (``sha256/...``) of the collector certificate the browser uses."""
        leaf = self.leaves[self._telemetry_service()]
        return "sha256/" + base64.b64encode(leaf.spki_sha256()).decode()

    def props(self) -> dict[str, str]:
        """Device props the world gives the apps: the single source of app-side behaviour."""
        cfg = self.config
        t, f = cfg.telemetry, cfg.filtering
        flag = {True: "1", False: "0"}
        return {
            "ro.miui.region": cfg.device.region.upper(),
            "persist.sys.country": cfg.device.region.upper(),  # the Settings region; lab.set_region changes it
            "persist.sim.world.name": cfg.name,
            "persist.sim.world.https_port": str(self.port or cfg.network.https_port),
            "persist.vendor.filter.browser_ads": flag[f.browser_ads],
            "persist.vendor.filter.browser_suggestions": flag[f.browser_suggestions],
            "persist.vendor.filter.video_ads": flag[f.video_ads],
            "persist.vendor.filter.messenger": flag[f.messenger],
            "persist.vendor.telemetry.host": self.host(self._telemetry_service()),
            "persist.vendor.telemetry.identifiers": flag[t.identifiers],
            "persist.vendor.telemetry.consent_respected": flag[t.consent_respected],
            "persist.vendor.telemetry.encrypted": flag[t.encrypted],
            "persist.vendor.telemetry.pin": self.telemetry_pin() if (t.pinning and self.leaves) else "",
            "persist.vendor.telemetry.interval_s": str(t.interval_s),
        }

    # -- changing the world between runs ---------------------------------------------------------

    def publish_list(self, terms: Sequence[str] | None = None, *, add: Sequence[str] = (),
                     remove: Sequence[str] = (), version: int | None = None) -> int:
        """Publish a new list version (replace and/or add/remove terms); return the new version."""
        state = self._require_started()
        with state.lock:
            new = list(terms) if terms is not None else list(state.terms)
            new = [t for t in new if t not in set(remove)] + [t for t in add if t not in new]
            state.terms = new
            state.version = version if version is not None else state.version + 1
            state.update_time += 86_400_000
        self._record_terms("published", added=list(add), removed=list(remove))
        return state.version

    def set_remote_switch(self, on: bool) -> None:
        state = self._require_started()
        with state.lock:
            state.remote_switch = on
        state.truth.record("remote_switch", on=on)

    def chat_send(self, sender: str, to: str, text: str) -> int:
        """A message from a chat contact (outside the device) to ``to``; returns its id."""
        self._require_started()
        chat = self._services["chat"]
        assert isinstance(chat, ChatService)
        return chat.post(sender, to, text, origin="world").id

    def terms(self) -> list[str]:
        return list(self._require_started().terms)

    # -- internals -------------------------------------------------------------------------------

    def _require_started(self) -> WorldState:
        if self.state is None or not self._servers:
            raise SimError("the world is not running", fix="call World.start() first")
        return self.state

    def _telemetry_service(self) -> str:
        return "telemetry_sg" if self.config.telemetry.destination == "sg" else "telemetry_eu"

    def _initial_terms(self) -> list[str]:
        ac = self.config.ad_config
        base = [t.text for t in blacklist.default_terms()] if ac.terms == "default" else list(ac.terms)
        return base + [t for t in ac.add_terms if t not in base]

    def _record_terms(self, why: str, **extra: object) -> None:
        state = self._require_started()
        with state.lock:
            terms, version = list(state.terms), state.version
        state.truth.record("terms_in_force", why=why, version=version, update_time=state.update_time,
                           served=self.config.ad_config.serve, terms_count=len(terms),
                           terms_digest=blacklist.terms_digest(terms), terms=terms, **extra)

    def _make_services(self, state: WorldState) -> dict[str, object]:
        h = {s: HOSTS[s][0] for s in HOSTS}
        self._services = {
            "adconfig": AdConfigService(state, h["adconfig"]),
            "ads": AdsService(state, h["ads"]),
            "search": SearchService(state, h["search"]),
            "telemetry_sg": TelemetryService(state, h["telemetry_sg"], "telemetry_sg"),
            "telemetry_eu": TelemetryService(state, h["telemetry_eu"], "telemetry_eu"),
            "cdn": CdnService(state, h["cdn"]),
            "chat": ChatService(state, h["chat"]),
            "consent": ConsentService(state, h["consent"]),
        }
        return self._services

    def _blocks(self) -> list[ipaddress.IPv4Network]:
        if self.config.network.block != "auto":
            return [ipaddress.IPv4Network(self.config.network.block)]
        rng = random.Random()
        return [ipaddress.IPv4Network(f"127.{rng.randint(64, 250)}.{rng.randint(1, 254)}.0/24")
                for _ in range(_BLOCK_ATTEMPTS)]

    def _bind(self, services: dict[str, object]) -> None:
        assert self.ca is not None
        port = self.config.network.https_port
        for name, (host, _octet) in HOSTS.items():
            leaf = make_leaf(self.ca, [host])
            leaf.write(self.state_dir / f"{name}.pem", self.state_dir / f"{name}.key")
            self.leaves[name] = leaf
        last_error: OSError | None = None
        for block in self._blocks():
            try:
                self._bind_block(block, port, services)
                return
            except PermissionError:
                if port == FALLBACK_PORT:
                    raise
                port = FALLBACK_PORT  # not allowed to bind 443: use the documented high port
                try:
                    self._bind_block(block, port, services)
                    return
                except OSError as exc:
                    last_error = exc
            except OSError as exc:
                if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                    raise SimError(f"cannot bind world servers: {exc}", fix="check loopback networking") from None
                last_error = exc
        raise SimError(f"no free loopback block for the world servers ({last_error})",
                       fix="stop other worlds or set network.block to a free 127.x.y.0/24")

    def _bind_block(self, block: ipaddress.IPv4Network, port: int, services: dict[str, object]) -> None:
        servers: list[ServiceServer] = []
        try:
            for name, (_host, octet) in HOSTS.items():
                ip = str(block.network_address + octet)
                ctx = server_context(str(self.state_dir / f"{name}.pem"), str(self.state_dir / f"{name}.key"))
                servers.append(ServiceServer((ip, port), services[name], ctx))  # type: ignore[arg-type]
        except BaseException:
            for s in servers:
                s.server_close()
            raise
        self._servers = servers
        self.port = port
        self.addresses = {HOSTS[n][0]: str(block.network_address + HOSTS[n][1]) for n in HOSTS}

    def _write_files(self) -> None:
        lines = [f"{ip} {host}" for host, ip in self.addresses.items()]
        write_private(self.hosts_file, "\n".join(lines) + "\n")
        geo = self.config.service_geo()
        entries = [{"cidr": f"{self.addresses[host]}/32", "country": geo[s], "label": f"vendor world: {host}"}
                   for s, (host, _) in HOSTS.items()]
        write_private(self.geo_file, json.dumps({"overrides": entries}, indent=2) + "\n")
        write_private(self.props_file, json.dumps(self.props(), indent=2) + "\n")
