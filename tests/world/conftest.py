"""Session fixtures for the virtual vendor world: the bundled worlds (sharing one world CA), one
real mitmproxy (harness.capture) routing world names through the world's addon, and the JVM apps
compiled once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.capture.session import CaptureSession
from harness.fsutil import write_private
from harness.sim.world import World, load_world
from harness.sim.world.addon import WorldResolver
from harness.testing.pki import KeyPair, make_ca

from . import javaapp

DEVICE_PROPS = {
    "ro.product.model": "M2007J3SG",
    "ro.product.manufacturer": "Xiaomi",
    "ro.serialno": "a1b2c3d4",
    "settings.secure.android_id": "9774d56d682e549c",
    "gms.advertising_id": "38400000-8cf0-41bd-b23e-10b96e4ef00d",  # Play services' ad ID (contracts §2)
    "ro.build.version.release": "10",
}


@pytest.fixture(scope="session")
def world_ca() -> KeyPair:
    return make_ca("Vendor World Root CA")


@pytest.fixture(scope="session")
def world_ca_file(world_ca: KeyPair, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("world-ca") / "world-ca.pem"
    write_private(path, world_ca.cert_pem)
    return path


@pytest.fixture(scope="session")
def ncsc_world(world_ca: KeyPair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = World(load_world("ncsc-2021"), tmp_path_factory.mktemp("ncsc"), ca=world_ca).start()
    yield world
    world.stop()


@pytest.fixture(scope="session")
def compliant_world(world_ca: KeyPair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = World(load_world("compliant"), tmp_path_factory.mktemp("compliant"), ca=world_ca).start()
    yield world
    world.stop()


@pytest.fixture(scope="session")
def list_not_enforced_world(world_ca: KeyPair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = World(load_world("list-not-enforced"), tmp_path_factory.mktemp("lne"), ca=world_ca).start()
    yield world
    world.stop()


@pytest.fixture(scope="session")
def resolver() -> WorldResolver:
    return WorldResolver({})


@pytest.fixture(scope="module")
def capture(resolver: WorldResolver, world_ca_file: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaptureSession]:
    root = tmp_path_factory.mktemp("capture")
    session = CaptureSession(root / "run", confdir=root / "ca", addons=[resolver],
                             options={"ssl_verify_upstream_trusted_ca": str(world_ca_file)}).start()
    yield session
    with contextlib.suppress(Exception):
        session.stop()


@pytest.fixture(scope="session")
def class_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("classes")


@pytest.fixture(scope="module")
def truststore(capture: CaptureSession, world_ca_file: Path, class_cache: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The device's system store: world CA + the harness proxy CA (as after `harness` installs it)."""
    classes = javaapp.compile_app("com.vendor.security", class_cache)
    out = tmp_path_factory.mktemp("trust") / "trust.p12"
    return javaapp.build_truststore(out, [world_ca_file, capture.ca.cert], classes)


@pytest.fixture(scope="module")
def app_runner(capture: CaptureSession, truststore: Path, class_cache: Path, resolver: WorldResolver,
               tmp_path_factory: pytest.TempPathFactory):
    """``run(package, world, **extra_props)``: start the app JVM behind the proxy in ``world``."""
    started: list[javaapp.RunningApp] = []

    def run(package: str, world: World, **extra: str) -> javaapp.RunningApp:
        resolver.use(world.addresses)
        classes = javaapp.compile_app(package, class_cache)
        props = {**DEVICE_PROPS, **world.props(), **extra}
        data = tmp_path_factory.mktemp("data") / package
        app = javaapp.launch(package, classes, props=props, data_dir=data, hosts_file=world.hosts_file,
                             truststore=truststore, proxy=capture.address)
        started.append(app)
        return app

    yield run
    for app in started:
        app.stop()


VENDOR_APPS = ("com.vendor.browser", "com.vendor.video", "com.vendor.security", "com.chatapp.messenger")
#: the apps that download the ad-blacklist config at start
CONFIG_APPS = ("com.vendor.browser", "com.vendor.video", "com.vendor.security")


def config_line(line: str) -> bool:
    """The log line in which an app reports the config it got."""
    return line.startswith("I/AdBlacklist: ") and '"event":"config"' in line


def run_vendor_apps(app_runner, world: World, resolver: WorldResolver) -> Iterator[dict[str, javaapp.RunningApp]]:
    """Start every vendor app in ``world``, wait until the config apps have their config; stop
    them all afterwards (the body of a module-scoped ``apps`` fixture: ``yield from``)."""
    resolver.use(world.addresses)
    started = {pkg: app_runner(pkg, world) for pkg in VENDOR_APPS}
    try:
        for pkg in CONFIG_APPS:
            started[pkg].wait_for(config_line, timeout=30)
        yield started
    finally:
        for app in started.values():
            app.stop()
