"""The app host compiles every virtual app from boot, in the background, before any ``am start``
(issue 17: a first launch should not wait for ``javac``); a launch then reuses the compile."""

from __future__ import annotations

from pathlib import Path

from harness.sim.android.javabuild import app_classpath


def test_apps_compiled_from_boot_without_a_launch(make_device, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    dev = make_device(cache_dir=cache)
    host = dev.apps
    host.precompile.join(timeout=300)  # bounded: javac of every app on 2 shared cores
    assert not host.precompile.is_alive(), "apps still compiling after 300 s"
    assert not host.running, "nothing was launched"
    compiled = {p.name.rsplit("-", 1)[0] for p in (cache / "apps").iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert set(host.apps) | {"vapp-runtime"} <= compiled
    # what a launch asks for is exactly what was compiled: no second compile
    before = sorted(p.name for p in (cache / "apps").iterdir())
    for spec in host.apps.values():
        classes = Path(app_classpath(spec, cache)[0])
        assert classes.parent == cache / "apps" and classes.is_dir()
    assert sorted(p.name for p in (cache / "apps").iterdir()) == before
