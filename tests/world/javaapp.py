"""Launch a virtual app's JVM exactly as docs/dev/contracts.md section 2 describes, without the
virtual handset: compile (javac --release 17), build a PKCS12 trust store, pass props/proxy/hosts,
talk over stdin, read logcat lines from stdout. Used by the standalone world tests."""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "harness" / "sim" / "apps"
JARS = {
    "okhttp": ["/usr/share/java/okhttp.jar", "/usr/share/java/okio.jar"],
    "json": ["/usr/share/java/com.android.json.jar"],
}
SOURCE_LIBS = {"vendor-framework": APPS / "_libs" / "vendor-framework"}


def _sources(package: str) -> list[Path]:
    meta = json.loads((APPS / package / "app.json").read_text())
    roots = [APPS / "_runtime", APPS / package] + [SOURCE_LIBS[lib] for lib in meta["libs"] if lib in SOURCE_LIBS]
    return sorted(p for root in roots for p in root.rglob("*.java"))


def classpath_jars(package: str) -> list[str]:
    meta = json.loads((APPS / package / "app.json").read_text())
    return [j for lib in meta["libs"] for j in JARS.get(lib, [])]


def compile_app(package: str, cache: Path) -> Path:
    sources = _sources(package)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]
    out = cache / f"{package}-{digest}"
    if not out.exists():
        tmp = cache / f".{package}-{digest}.tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        cp = ":".join(classpath_jars(package))
        subprocess.run(["javac", "--release", "17", "-encoding", "UTF-8", "-nowarn", "-d", str(tmp),
                        *(["-cp", cp] if cp else []), *map(str, sources)],
                       check=True, capture_output=True, timeout=180)
        tmp.rename(out)
    return out


def build_truststore(out: Path, cert_files: list[Path], classes: Path) -> Path:
    subprocess.run(["java", "-cp", str(classes), "vapp.TrustStoreTool", str(out), "changeit", *map(str, cert_files)],
                   check=True, capture_output=True, timeout=60)
    return out


@dataclass
class RunningApp:
    package: str
    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with self._cond:
                self.lines.append(raw.rstrip("\n"))
                self._cond.notify_all()

    def send(self, message: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def intent(self, action: str, extras: dict | None = None, data: str | None = None) -> None:
        self.send({"type": "intent", "action": action, "extras": extras or {}, "data": data})

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 20.0, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[start:]:
                    if predicate(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"{self.package}: no matching log line within {timeout}s; got:\n"
                                         + "\n".join(self.lines[-40:]))
                self._cond.wait(min(remaining, 0.5))

    def mark(self) -> int:
        with self._cond:
            return len(self.lines)

    def renders(self, surface: str, start: int = 0) -> list[dict]:
        out = []
        for line in self.lines[start:]:
            if line.startswith("I/Render: "):
                doc = json.loads(line[len("I/Render: "):])
                if doc["surface"] == surface:
                    out.append(doc)
        return out

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            try:
                self.send({"type": "stop"})
                self.proc.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)


def launch(package: str, classes: Path, *, props: dict[str, str], data_dir: Path, hosts_file: Path,
           truststore: Path, proxy: tuple[str, int] | None) -> RunningApp:
    meta = json.loads((APPS / package / "app.json").read_text())
    props_file = data_dir.parent / f"{package}.props.json"
    props_file.write_text(json.dumps(props))
    data_dir.mkdir(parents=True, exist_ok=True)
    cmd = ["java", "-XX:+UseSerialGC", "-Xmx128m", "-cp", ":".join([str(classes), *classpath_jars(package)]),
           f"-Dvapp.package={package}", f"-Dvapp.props={props_file}", f"-Dvapp.data={data_dir}",
           f"-Djdk.net.hosts.file={hosts_file}",
           f"-Djavax.net.ssl.trustStore={truststore}", "-Djavax.net.ssl.trustStoreType=PKCS12",
           "-Djavax.net.ssl.trustStorePassword=changeit"]
    if proxy:
        host, port = proxy
        cmd += [f"-Dhttp.proxyHost={host}", f"-Dhttp.proxyPort={port}",
                f"-Dhttps.proxyHost={host}", f"-Dhttps.proxyPort={port}"]
    cmd.append(meta["main"])
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, encoding="utf-8", bufsize=1)
    app = RunningApp(package, proc)
    threading.Thread(target=app._pump, daemon=True).start()
    return app


