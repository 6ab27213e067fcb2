"""Virtual app descriptions (``app.json``) and where to find them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import SimError

#: the apps shipped in the package: harness/sim/apps/<folder>/app.json
BUILTIN_APPS_DIR = Path(__file__).resolve().parent.parent / "apps"
RUNTIME_DIR = BUILTIN_APPS_DIR / "_runtime"
#: jar libraries from Debian packages (libokhttp-java, libandroid-json-java)
JAR_LIBS = {
    "okhttp": ("/usr/share/java/okhttp.jar", "/usr/share/java/okio.jar"),
    "json": ("/usr/share/java/com.android.json.jar",),
}
#: source libraries compiled together with an app: harness/sim/apps/_libs/<name>/
SOURCE_LIBS_DIR = BUILTIN_APPS_DIR / "_libs"


def known_libs() -> list[str]:
    source = [p.name for p in SOURCE_LIBS_DIR.iterdir() if p.is_dir()] if SOURCE_LIBS_DIR.is_dir() else []
    return sorted([*JAR_LIBS, *source])


@dataclass(frozen=True)
class AppSpec:
    package: str
    label: str
    version_name: str
    version_code: int
    main: str
    dir: Path
    libs: tuple[str, ...] = ()
    system: bool = False
    #: Android 7+ apps do not trust user-added CAs unless their network security config says so
    trust_user_cas: bool = False
    #: intent actions the app handles when ``am start`` names no component
    intents: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def load(cls, folder: Path) -> AppSpec:
        path = folder / "app.json"
        try:
            raw = json.loads(path.read_text())
            for lib in raw.get("libs", []):
                if lib not in known_libs():
                    raise SimError(f"{path}: unknown lib {lib!r}", fix=f"use one of {known_libs()}")
            return cls(
                package=raw["package"], label=raw.get("label", raw["package"]),
                version_name=str(raw.get("version_name", "1.0")), version_code=int(raw.get("version_code", 1)),
                main=raw["main"], dir=folder, libs=tuple(raw.get("libs", [])), system=bool(raw.get("system", False)),
                trust_user_cas=bool(raw.get("trust_user_cas", False)), intents=tuple(raw.get("intents", [])),
            )
        except (OSError, ValueError, KeyError) as exc:
            raise SimError(f"bad app description {path}: {exc!r}",
                           fix="app.json needs package, main and optional label, version_name, version_code, libs, system") from exc

    def own_sources(self) -> list[Path]:
        return sorted(self.dir.rglob("*.java"))

    def sources(self) -> list[Path]:
        """The app's sources plus those of its source libraries."""
        libs = [SOURCE_LIBS_DIR / lib for lib in self.libs if lib not in JAR_LIBS]
        return self.own_sources() + [p for d in libs for p in sorted(d.rglob("*.java"))]

    def lib_jars(self) -> list[str]:
        jars = [j for lib in self.libs for j in JAR_LIBS.get(lib, ())]
        for j in jars:
            if not Path(j).exists():
                raise SimError(f"{self.package} needs {j}",
                               fix="apt-get install libokhttp-java libandroid-json-java")
        return jars


def discover(dirs: list[Path]) -> dict[str, AppSpec]:
    """Apps in the given folders (each sub-folder with an app.json); later folders override."""
    found: dict[str, AppSpec] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for sub in sorted(d.iterdir()):
            if sub.is_dir() and (sub / "app.json").exists():
                spec = AppSpec.load(sub)
                found[spec.package] = spec
    return found
