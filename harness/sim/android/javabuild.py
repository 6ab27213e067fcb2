"""Compile virtual apps with ``javac --release 17`` into a cache keyed by a hash of their sources.

Safe across threads and processes: a compile happens under an ``flock`` and lands in its final
folder by an atomic rename, so a reader never sees half-written classes.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from harness.errors import SimError
from harness.fsutil import private_dir
from harness.sim.android.appspec import RUNTIME_DIR, AppSpec

JAVAC_TIMEOUT = 180.0
_thread_lock = threading.Lock()


def default_cache_dir() -> Path:
    """Where compiled apps and trust stores are kept: ``HARNESS_CACHE`` if set (one cache several
    HARNESS_HOMEs share, e.g. a test session's; the cache is keyed by content and file-locked), else
    ``HARNESS_HOME/cache``, else ``$XDG_CACHE_HOME/harness`` (``~/.cache/harness``)."""
    shared = os.environ.get("HARNESS_CACHE")
    if shared:
        return Path(shared)
    home = os.environ.get("HARNESS_HOME")
    if home:
        return Path(home) / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "harness"


def java_bin(name: str = "java") -> str:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / name).exists():
        return str(Path(home) / "bin" / name)
    found = shutil.which(name)
    if not found:
        raise SimError(f"{name} not found", fix="install a JDK 17 (apt-get install openjdk-17-jdk-headless)")
    return found


def _hash(files: list[Path], extra: list[str]) -> str:
    """The cache key of ``files`` compiled against classpath ``extra``: each source's path relative
    to the sources' common folder and its bytes (two ``Foo.java`` in different folders differ), and
    each classpath entry's bytes when it is a file (a jar upgraded in place, e.g. Debian's
    ``okhttp.jar``, recompiles) or its path when it is a folder (the runtime's folder is named by
    its own key). 20 hex digits of SHA-256."""
    h = hashlib.sha256()
    for e in extra:
        entry = Path(e)
        h.update(e.encode() + b"\0" + (entry.read_bytes() if entry.is_file() else b"") + b"\0")
    root = Path(os.path.commonpath([f.parent for f in files])) if files else Path()
    for f in files:
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:20]


def _compile(name: str, sources: list[Path], classpath: list[str], cache: Path) -> Path:
    key = _hash(sources, classpath)
    out = cache / f"{name}-{key}"
    if out.is_dir():
        return out
    private_dir(cache)
    with _thread_lock, open(cache / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.is_dir():
            return out
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=cache))
        cmd = [java_bin("javac"), "--release", "17", "-encoding", "UTF-8", "-nowarn", "-d", str(tmp)]
        if classpath:
            cmd += ["-cp", os.pathsep.join(classpath)]
        cmd += [str(s) for s in sources]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=JAVAC_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise SimError(f"javac for {name} took over {JAVAC_TIMEOUT:.0f}s", fix="check machine load") from exc
        if proc.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise SimError(f"javac failed for {name}: {proc.stderr.strip()[-2000:]}", fix="fix the app's sources")
        os.chmod(tmp, 0o700)
        os.replace(tmp, out)
        return out


def runtime_classes(cache: Path) -> Path:
    """The compiled ``vapp`` runtime."""
    return _compile("vapp-runtime", sorted(RUNTIME_DIR.rglob("*.java")), [], cache / "apps")


def app_classpath(spec: AppSpec, cache: Path) -> list[str]:
    """Classpath to run ``spec``: its classes, the runtime, its libraries (compiling if needed)."""
    runtime = runtime_classes(cache)
    libs = spec.lib_jars()
    classes = _compile(spec.package, spec.sources(), [str(runtime), *libs], cache / "apps")
    return [str(classes), str(runtime), *libs]
