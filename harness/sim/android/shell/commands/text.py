"""Shell builtins adb itself sends (``export``, ``exec``: ``adb logcat`` runs
``export ANDROID_LOG_TAGS=""; exec logcat``) and the toybox text filters used in pipes
(``wc``, ``head``, ``tail``, ``sort``, ``uniq``, ``cut``, ``tr``), e.g. ``cat FILE | wc -l``.

Filters read their files or stdin whole (pipes are buffered, see docs/virtual-handset.md) and print
toybox's output formats; an unknown option fails with toybox's message and status 1.
"""

from __future__ import annotations

from harness.sim.android.fs import norm
from harness.sim.android.shell.commands import command
from harness.sim.android.shell.interp import _ASSIGN, CmdIO, Shell, ShellExit


@command("export")
def export(sh: Shell, argv: list[str], io: CmdIO) -> int:
    for arg in argv[1:]:
        if arg == "-p":
            for name, value in sorted(sh.vars.items()):
                io.print(f"export {name}={value!r}")
        elif _ASSIGN.match(arg):
            name, _, value = arg.partition("=")
            sh.vars[name] = value
        elif not arg.replace("_", "a").isalnum():
            io.error(f"/system/bin/sh: export: {arg}: bad variable name")
            return 1
    return 0


@command("exec")
def exec_(sh: Shell, argv: list[str], io: CmdIO) -> int:
    """``exec CMD ARGS``: the shell becomes CMD; nothing after it on the line runs."""
    if len(argv) == 1:
        return 0
    raise ShellExit(sh.exec(argv[1:], io))


def _inputs(sh: Shell, name: str, paths: list[str], io: CmdIO) -> list[bytes] | None:
    """Contents of ``paths`` (stdin for none or ``-``); None after printing an error."""
    if not paths:
        return [io.read_all()]
    out = []
    for p in paths:
        if p == "-":
            out.append(io.read_all())
            continue
        try:
            host = sh.device.fs.check(norm(p, sh.cwd), sh.uid)
            out.append(host.read_bytes())
        except IsADirectoryError:
            io.error(f"{name}: {p}: Is a directory")
            return None
        except OSError as exc:
            io.error(f"{name}: {p}: {exc.strerror or 'No such file or directory'}")
            return None
    return out


def _options(name: str, argv: list[str], io: CmdIO, flags: str, valued: str) -> tuple[dict[str, str], list[str]] | None:
    """Toybox-style options: ``flags`` without values, ``valued`` with one (``-n 3``, ``-n3``);
    ``-NUM`` means ``-n NUM`` (head/tail)."""
    opts: dict[str, str] = {}
    rest: list[str] = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i + 1:]
            break
        if a.startswith("-") and len(a) > 1:
            if a[1:].isdigit() and "n" in valued:
                opts["n"] = a[1:]
            elif a[1] in valued:
                if len(a) > 2:
                    opts[a[1]] = a[2:]
                elif i + 1 < len(args):
                    i += 1
                    opts[a[1]] = args[i]
                else:
                    io.error(f"{name}: Missing argument to -{a[1]}")
                    return None
            elif all(c in flags for c in a[1:]):
                for c in a[1:]:
                    opts[c] = ""
            else:
                bad = next(c for c in a[1:] if c not in flags)
                io.error(f"{name}: Unknown option '{bad}' (see \"{name} --help\")")
                return None
        else:
            rest.append(a)
        i += 1
    return opts, rest


def _read(sh: Shell, name: str, argv: list[str], io: CmdIO, flags: str,
          valued: str) -> tuple[dict[str, str], list[str], list[bytes]] | None:
    """Options, operands and the inputs they name (stdin when none); None after an error."""
    parsed = _options(name, argv, io, flags, valued)
    if parsed is None:
        return None
    opts, paths = parsed
    data = _inputs(sh, name, paths, io)
    return None if data is None else (opts, paths, data)


def _count(name: str, value: str, io: CmdIO) -> int | None:
    try:
        return int(value)
    except ValueError:
        io.error(f"{name}: not integer: {value[:80]}")
        return None


@command("wc")
def wc(sh: Shell, argv: list[str], io: CmdIO) -> int:
    read = _read(sh, "wc", argv, io, "lwcm", "")
    if read is None:
        return 1
    opts, paths, data = read
    wanted = [c for c in "lwc" if c in opts or (c == "c" and "m" in opts)] or ["l", "w", "c"]
    for blob, path in zip(data, paths or [""], strict=False):
        counts = {"l": blob.count(b"\n"), "w": len(blob.split()), "c": len(blob)}
        if len(wanted) == 1 and not paths:
            io.print(str(counts[wanted[0]]))
        else:
            io.print(" ".join(f"{counts[c]:>7}" for c in wanted) + (f" {path}" if path else ""))
    return 0


@command("head", "tail")
def head_tail(sh: Shell, argv: list[str], io: CmdIO) -> int:
    name = argv[0].rsplit("/", 1)[-1]
    read = _read(sh, name, argv, io, "qvf", "nc")
    if read is None:
        return 1
    opts, paths, data = read
    for blob in data:
        if "c" in opts:
            n = _count(name, opts["c"], io)
            if n is None:
                return 1
            io.out(blob[:n] if name == "head" else blob[-n:] if n else b"")
            continue
        n = _count(name, opts.get("n", "10"), io)
        if n is None:
            return 1
        lines = blob.splitlines(keepends=True)
        io.out(b"".join(lines[:n] if name == "head" else lines[-n:] if n else []))
    return 0


@command("sort")
def sort(sh: Shell, argv: list[str], io: CmdIO) -> int:
    read = _read(sh, "sort", argv, io, "rnuf", "")
    if read is None:
        return 1
    opts, paths, data = read
    lines = b"".join(data).decode(errors="surrogateescape").splitlines()
    if "n" in opts:
        def key(line: str) -> tuple[float, str]:
            head = line.strip().split(" ", 1)[0]
            try:
                return float(head), line
            except ValueError:
                return 0.0, line
        lines.sort(key=key, reverse="r" in opts)
    else:
        lines.sort(key=(str.lower if "f" in opts else None), reverse="r" in opts)
    if "u" in opts:
        lines = list(dict.fromkeys(lines))
    io.out("".join(line + "\n" for line in lines).encode(errors="surrogateescape"))
    return 0


@command("uniq")
def uniq(sh: Shell, argv: list[str], io: CmdIO) -> int:
    parsed = _options("uniq", argv, io, "cdu", "")
    if parsed is None:
        return 1
    opts, paths = parsed
    data = _inputs(sh, "uniq", paths[:1], io)
    if data is None:
        return 1
    groups: list[list[bytes]] = []
    for line in data[0].splitlines():
        if groups and groups[-1][0] == line:
            groups[-1].append(line)
        else:
            groups.append([line])
    for group in groups:
        if "d" in opts and len(group) < 2 or "u" in opts and len(group) > 1:
            continue
        prefix = f"{len(group):>7} ".encode() if "c" in opts else b""
        io.out(prefix + group[0] + b"\n")
    return 0


@command("cut")
def cut(sh: Shell, argv: list[str], io: CmdIO) -> int:
    parsed = _options("cut", argv, io, "s", "dfc")
    if parsed is None:
        return 1
    opts, paths = parsed
    spec = opts.get("f") or opts.get("c")
    if not spec:
        io.error("cut: Needs -fcb")
        return 1
    wanted: set[int] = set()
    try:
        for part in spec.split(","):
            lo, dash, hi = part.partition("-")
            start = int(lo) if lo else 1
            end = int(hi) if hi else (start if not dash else 10_000)
            wanted.update(range(start, min(end, 10_000) + 1))
    except ValueError:
        io.error(f"cut: bad list '{spec[:80]}'")
        return 1
    data = _inputs(sh, "cut", paths, io)
    if data is None:
        return 1
    delim = opts.get("d", "\t")[:1] or "\t"
    for line in b"".join(data).decode(errors="surrogateescape").splitlines():
        if "c" in opts:
            io.print("".join(ch for i, ch in enumerate(line, 1) if i in wanted))
        elif delim not in line:
            if "s" not in opts:
                io.print(line)
        else:
            io.print(delim.join(f for i, f in enumerate(line.split(delim), 1) if i in wanted))
    return 0


def _expand_set(spec: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            out.append(spec[i])
            i += 1
    return "".join(out)


@command("tr")
def tr(sh: Shell, argv: list[str], io: CmdIO) -> int:
    parsed = _options("tr", argv, io, "d", "")
    if parsed is None:
        return 1
    opts, sets = parsed
    text = io.read_all().decode(errors="surrogateescape")
    if "d" in opts:
        if len(sets) != 1:
            io.error("tr: Needs 1 argument")
            return 1
        drop = set(_expand_set(sets[0]))
        io.out("".join(c for c in text if c not in drop).encode(errors="surrogateescape"))
        return 0
    if len(sets) != 2:
        io.error("tr: Needs 2 arguments")
        return 1
    src, dst = _expand_set(sets[0]), _expand_set(sets[1])
    dst = dst + dst[-1:] * (len(src) - len(dst)) if dst else ""
    io.out(text.translate(str.maketrans(src, dst[: len(src)])).encode(errors="surrogateescape"))
    return 0
