"""Running files on the device: shell scripts and ``#!vsim:`` stand-ins.

A pushed file whose first line is ``#!vsim:NAME VERSION`` (e.g. ``#!vsim:frida-server 17.2.11``)
stands in for a native daemon: ``FILE --version`` prints VERSION; ``FILE -D`` (daemonize) or
``FILE &`` creates a device process named after the file that ``ps``/``pidof`` show and
``kill``/``pkill``/``killall`` end. A foreground run without ``-D`` lasts until the host closes
the stream or the process is killed. Real ELF binaries cannot run here.
"""

from __future__ import annotations

import posixpath

from harness.sim.android.fs import norm
from harness.sim.android.shell.interp import SH, CmdIO, Shell

STANDIN_MAGIC = b"#!vsim:"


def run_file(sh: Shell, argv: list[str], io: CmdIO) -> int:
    path = norm(argv[0], sh.cwd)
    try:
        host = sh.device.fs.check(path, sh.uid)
    except OSError as exc:
        if exc.strerror and "denied" in exc.strerror:
            io.error(f"{SH}: {argv[0]}: can't execute: Permission denied")
            return 126
        host = None
    if host is None or not host.exists():
        io.error(f"{SH}: {argv[0]}: inaccessible or not found")
        return 127
    if host.is_dir():
        io.error(f"{SH}: {argv[0]}: can't execute: Is a directory")
        return 126
    with open(host, "rb") as fh:
        head = fh.readline(200)
    if head.startswith(STANDIN_MAGIC):
        return _standin(sh, path, head[len(STANDIN_MAGIC):].decode(errors="replace").split(), argv, io)
    if head.startswith(b"#!") and b"sh" in head:
        return run_script(sh.child(), argv[0], argv[1:], io)
    io.error(f"{SH}: {argv[0]}: can't execute: Exec format error")
    return 126


def run_script(sh: Shell, path: str, args: list[str], io: CmdIO) -> int:
    try:
        text = sh.device.fs.check(norm(path, sh.cwd), sh.uid).read_text(errors="replace")
    except OSError as exc:
        io.error(f"{SH}: {path}: {exc.strerror}")
        return 127
    for i, a in enumerate(args, start=1):
        sh.vars[str(i)] = a
    lines = text.splitlines()
    if lines and lines[0].startswith("#!"):
        lines = lines[1:]
    return sh.run("\n".join(lines), io)


def _standin(sh: Shell, path: str, header: list[str], argv: list[str], io: CmdIO) -> int:
    name = posixpath.basename(path)
    version = header[1] if len(header) > 1 else "0.0.0"
    args = argv[1:]
    if "--version" in args or "-v" in args and len(args) == 1:
        io.print(version)
        return 0
    if "-h" in args or "--help" in args:
        io.print(f"Usage: {name} [OPTION?]  (virtual handset stand-in for {header[0] if header else name})")
        return 0
    proc = sh.device.procs.spawn_native(name, sh.user, [path, *args])
    sh.device.logcat.add("I", header[0] if header else name, f"started {version} as pid {proc.pid}", pid=proc.pid)
    if "-D" in args or "--daemonize" in args:
        return 0
    # foreground: run until killed or until the host goes away (SIGHUP on a phone)
    while sh.device.procs.get(proc.pid) is not None:
        if io.closed.wait(0.2):
            sh.device.procs.remove(proc.pid)
            break
    return 0
