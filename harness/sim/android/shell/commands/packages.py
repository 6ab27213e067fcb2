"""The package manager: ``pm`` and ``dumpsys package``."""

from __future__ import annotations

import json
import shutil
import time
import zipfile
import zlib

from harness.errors import SimError
from harness.fsutil import private_dir
from harness.sim.android.appspec import AppSpec
from harness.sim.android.fs import norm
from harness.sim.android.shell.commands import command
from harness.sim.android.shell.interp import CmdIO, Shell

#: ``pm install`` of an app outside the bundled world (issue 11 item 1): its code would run here
INSTALL_REFUSED = ("Failure [INSTALL_FAILED_USER_RESTRICTED: this virtual handset runs only its bundled "
                   "apps; start it with --allow-app-install to install others]")
_EXC = "Exception occurred while executing '{verb}':\njava.lang.IllegalArgumentException: {msg}"


@command("pm")
def pm(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    if not args:
        io.error("usage: pm [list|path|install|uninstall|clear|grant|revoke|dump] ...")
        return 1
    verb, rest = args[0], args[1:]
    state = sh.device.state
    if verb == "list" and rest[:1] == ["packages"]:
        flags = {a for a in rest[1:] if a.startswith("-")}
        filters = [a for a in rest[1:] if not a.startswith("-")]
        for rec in sorted(state.packages.values(), key=lambda r: r.package):
            if "-3" in flags and rec.system or "-s" in flags and not rec.system:
                continue
            if filters and filters[0] not in rec.package:
                continue
            # as Android's PackageManagerShellCommand: [path=]name, then " versionCode:N"
            line = f"package:{rec.apk_path}={rec.package}" if "-f" in flags else f"package:{rec.package}"
            if "--show-versioncode" in flags:
                line += f" versionCode:{rec.version_code}"
            io.print(line)
        return 0
    if verb == "path":
        found = state.packages.get(rest[0]) if rest else None
        if found is None:
            return 1
        io.print(f"package:{found.apk_path}")
        return 0
    if verb == "clear":
        pkg = rest[-1] if rest else ""
        if pkg not in state.packages:
            io.print("Failed")
            return 1
        sh.device.apps.force_stop(pkg)
        data = sh.device.fs.host_path(f"/data/data/{pkg}")
        if data.exists():
            shutil.rmtree(data)
        private_dir(data)
        io.print("Success")
        return 0
    if verb in ("grant", "revoke"):
        if len(rest) < 2:
            io.error(f"usage: pm {verb} PACKAGE PERMISSION")
            return 1
        if rest[0] not in state.packages:
            io.error(_EXC.format(verb=verb, msg=f"Unknown package: {rest[0]}"))
            return 255
        if not rest[1].startswith("android.permission.") and "." not in rest[1]:
            io.error(_EXC.format(verb=verb, msg=f"Unknown permission: {rest[1]}"))
            return 255
        state.set_permission(rest[0], rest[1], verb == "grant")
        return 0
    if verb == "install":
        return _install(sh, [a for a in rest if not a.startswith("-")], io)
    if verb == "uninstall":
        pkg = rest[-1] if rest else ""
        victim = state.packages.get(pkg)
        if victim is None or victim.system:
            io.print("Failure [DELETE_FAILED_INTERNAL_ERROR]")
            return 1
        sh.device.apps.force_stop(pkg)
        state.remove_package(pkg)
        spec = sh.device.apps.apps.pop(pkg, None)
        installed = sh.device.state.dir / "installed"
        if spec is not None and spec.dir.parent == installed:  # installed with pm install: gone for good
            shutil.rmtree(spec.dir, ignore_errors=True)
        io.print("Success")
        return 0
    if verb == "dump":
        return _dump_package(sh, rest[0] if rest else "", io)
    io.error(f"Unknown command: {verb}")
    return 1


def _install(sh: Shell, paths: list[str], io: CmdIO) -> int:
    if not paths:
        io.error("Error: no package specified")
        return 1
    if not sh.device.config.allow_app_install:
        io.print(INSTALL_REFUSED)
        return 1
    try:
        host = sh.device.fs.check(norm(paths[0], sh.cwd), sh.uid)
    except OSError as exc:
        io.error(f"Error: Can't open file: {paths[0]} ({exc.strerror})")
        return 1
    if not host.is_file():
        io.error(f"Error: Can't open file: {paths[0]}")
        return 1
    try:
        with zipfile.ZipFile(host) as z:
            meta = json.loads(z.read("app.json"))
            target = private_dir(sh.device.state.dir / "installed" / meta["package"])
            shutil.rmtree(target)
            private_dir(target)
            for name in z.namelist():
                if name.startswith("/") or ".." in name.split("/"):
                    raise ValueError(f"unsafe entry {name}")
            z.extractall(target)
        spec = AppSpec.load(target)
    except (zipfile.BadZipFile, KeyError, ValueError, SimError):
        io.print("Failure [INSTALL_FAILED_INVALID_APK]")
        return 1
    sh.device.apps.force_stop(spec.package)
    sh.device.register_app(spec)
    io.print("Success")
    return 0


def _dump_package(sh: Shell, pkg: str, io: CmdIO) -> int:
    rec = sh.device.state.packages.get(pkg)
    if rec is None:
        io.print(f"Unable to find package: {pkg}")
        return 0
    installed = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(rec.first_install))
    io.print("Packages:")
    io.print(f"  Package [{rec.package}] ({zlib.crc32(rec.package.encode()):08x}):")
    io.print(f"    codePath={rec.apk_path.rsplit('/', 1)[0]}")
    io.print(f"    versionCode={rec.version_code} minSdk=24 targetSdk={sh.device.personality.sdk}")
    io.print(f"    versionName={rec.version_name}")
    io.print(f"    flags=[ {'SYSTEM ' if rec.system else ''}HAS_CODE ALLOW_CLEAR_USER_DATA ]")
    io.print(f"    firstInstallTime={installed}")
    io.print(f"    lastUpdateTime={installed}")
    granted = sorted(sh.device.state.permissions(pkg))
    if granted:
        io.print("    runtime permissions:")
        for p in granted:
            io.print(f"      {p}: granted=true")
    return 0


@command("dumpsys")
def dumpsys(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    if args[:1] == ["package"] and len(args) > 1:
        return _dump_package(sh, args[1], io)
    if args[:1] == ["window"] or args[:1] == ["activity"]:
        fg = sh.device.apps.foreground
        io.print(f"  mCurrentFocus=Window{{0 u0 {fg}/{fg}.Main}}" if fg else "  mCurrentFocus=null")
        return 0
    if args[:1] == ["package"]:
        io.print("Packages:")
        for rec in sorted(sh.device.state.packages.values(), key=lambda r: r.package):
            io.print(f"  Package [{rec.package}]")
        return 0
    io.error(f"Can't find service: {args[0] if args else ''}")
    return 0
