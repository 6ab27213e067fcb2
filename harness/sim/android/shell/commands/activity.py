"""The activity manager and input: ``am``, ``input``, ``monkey``."""

from __future__ import annotations

import time

from harness.errors import SimError
from harness.sim.android.shell.commands import command
from harness.sim.android.shell.interp import CmdIO, Shell

KEYCODES = {
    "HOME": 3, "BACK": 4, "CALL": 5, "ENDCALL": 6, "DPAD_UP": 19, "DPAD_DOWN": 20, "DPAD_LEFT": 21,
    "DPAD_RIGHT": 22, "DPAD_CENTER": 23, "VOLUME_UP": 24, "VOLUME_DOWN": 25, "POWER": 26, "CAMERA": 27,
    "TAB": 61, "SPACE": 62, "ENTER": 66, "DEL": 67, "MENU": 82, "SEARCH": 84, "APP_SWITCH": 187,
    "WAKEUP": 224, "SLEEP": 223,
}
_AM_USAGE = "usage: am [start|force-stop|kill|sim-release|broadcast] [options]"


def _intent_desc(intent: dict) -> str:
    parts = []
    if intent.get("action"):
        parts.append(f"act={intent['action']}")
    if intent.get("categories"):
        parts.append("cat=[" + ",".join(intent["categories"]) + "]")
    if intent.get("data"):
        parts.append(f"dat={intent['data']}")
    parts.append("flg=0x10000000")
    if intent.get("component"):
        parts.append(f"cmp={intent['component']}")
    if intent.get("extras"):
        parts.append("(has extras)")
    return "Intent { " + " ".join(parts) + " }"


def parse_intent(args: list[str]) -> tuple[dict, set[str], str | None]:
    """am's intent arguments -> (intent, flags like -W/-D/-S, error)."""
    intent: dict = {"action": None, "data": None, "component": None, "categories": [], "extras": {}}
    flags: set[str] = set()
    i = 0
    while i < len(args):
        a = args[i]
        nxt = args[i + 1] if i + 1 < len(args) else None
        if a in ("-W", "-D", "-S", "-R", "-N", "--wait", "--debug"):
            flags.add({"--wait": "-W", "--debug": "-D"}.get(a, a))
        elif a in ("-n", "-a", "-d", "-c", "-t", "-f", "--user", "-p", "--activity-brought-to-front"):
            if nxt is None and a != "--activity-brought-to-front":
                return intent, flags, f"Error: No argument supplied for '{a}'"
            if a == "-n":
                intent["component"] = nxt
            elif a == "-a":
                intent["action"] = nxt
            elif a == "-d":
                intent["data"] = nxt
            elif a == "-c":
                intent["categories"].append(nxt)
            elif a == "-p":
                intent["package"] = nxt
            i += 1 if a != "--activity-brought-to-front" else 0
        elif a in ("--es", "--ez", "--ei", "--el", "--ef", "--eu", "--esn"):
            if a == "--esn":
                if nxt is None:
                    return intent, flags, "Error: No argument supplied for '--esn'"
                intent["extras"][nxt] = None
                i += 2
                continue
            if nxt is None or i + 2 >= len(args):
                return intent, flags, f"Error: No argument supplied for '{a}'"
            key, raw = nxt, args[i + 2]
            try:
                value: object
                if a == "--ez":
                    if raw.lower() not in ("true", "false", "1", "0", "t", "f"):
                        raise ValueError(raw)
                    value = raw.lower() in ("true", "1", "t")
                elif a in ("--ei", "--el"):
                    value = int(raw)
                elif a == "--ef":
                    value = float(raw)
                else:
                    value = raw
            except ValueError:
                return intent, flags, f"Error: Invalid value for {a}: {raw}"
            intent["extras"][key] = value
            i += 2
        elif not a.startswith("-") and intent["data"] is None and "://" in a:
            intent["data"] = a
        elif not a.startswith("-") and "/" in a and intent["component"] is None:
            intent["component"] = a
        i += 1
    return intent, flags, None


def _resolve(sh: Shell, intent: dict) -> tuple[str | None, str | None]:
    """(package, error) for an intent: by component, by -p package, or by the action's handler."""
    apps = sh.device.apps.apps
    if intent.get("component"):
        comp = intent["component"]
        pkg, _, cls = comp.partition("/")
        if pkg not in apps:
            shown_cls = pkg + cls if cls.startswith(".") else cls
            return None, f"Error: Activity class {{{pkg}/{shown_cls}}} does not exist."
        return pkg, None
    if intent.get("package"):
        return (intent["package"], None) if intent["package"] in apps else \
            (None, f"Error: Activity not started, unable to resolve {_intent_desc(intent)}")
    for spec in sorted(apps.values(), key=lambda s: (s.system, s.package)):
        if intent.get("action") and intent["action"] in spec.intents:
            return spec.package, None
    return None, f"Error: Activity not started, unable to resolve {_intent_desc(intent)}"


@command("am")
def am(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    if not args:
        io.error(_AM_USAGE)
        return 1
    verb, rest = args[0], args[1:]
    apps = sh.device.apps
    if verb in ("start", "start-activity"):
        return _am_start(sh, rest, io)
    if verb in ("force-stop", "kill", "stop-app"):
        pkgs = [a for a in rest if not a.startswith("-") and not a.isdigit()]
        if not pkgs:
            io.error(_AM_USAGE)
            return 1
        for pkg in pkgs:
            apps.force_stop(pkg)
        return 0
    if verb == "sim-release":
        if not rest or not apps.release(rest[0]):
            io.error(f"Error: {rest[0] if rest else '?'} is not running")
            return 1
        return 0
    if verb == "broadcast":
        intent, _, err = parse_intent(rest)
        if err:
            io.error(err)
            return 1
        io.print(f"Broadcasting: {_intent_desc(intent)}")
        delivered = 0
        for pkg in list(apps.running):
            if apps.deliver(pkg, {"type": "intent", **_wire(intent), "broadcast": True}):
                delivered += 1
        io.print("Broadcast completed: result=0")
        return 0
    io.error(f"Error: Unknown command: {verb}")
    return 1


def _wire(intent: dict) -> dict:
    return {k: intent.get(k) for k in ("action", "extras", "data", "component", "categories")}


def _am_start(sh: Shell, rest: list[str], io: CmdIO) -> int:
    intent, flags, err = parse_intent(rest)
    if err:
        io.error(err)
        return 1
    pkg, err = _resolve(sh, intent)
    io.print(f"Starting: {_intent_desc(intent)}")
    if pkg is None:
        io.error(err or "Error: Activity not started")
        return 1
    apps = sh.device.apps
    if "-S" in flags:
        apps.force_stop(pkg)
    spec = apps.apps[pkg]
    if not intent.get("component"):
        intent["component"] = f"{pkg}/{spec.main.removeprefix(pkg)}"
    t0 = time.monotonic()
    cold = apps.pid_of(pkg) is None or "-D" in flags
    try:
        app = apps.start_activity(pkg, _wire(intent), wait_debugger="-D" in flags)
    except SimError as exc:
        io.error(f"Error: {exc}")
        return 1
    if "-W" in flags and "-D" not in flags:
        if not app.ready.wait(30) or app.proc.poll() is not None:
            io.print("Status: timeout" if app.proc.poll() is None else "Status: null")
            io.print("Complete")
            return 1
        total = int((time.monotonic() - t0) * 1000)
        io.print("Status: ok")
        io.print(f"LaunchState: {'COLD' if cold else 'HOT'}")
        io.print(f"Activity: {intent['component']}")
        io.print(f"TotalTime: {total}")
        io.print(f"WaitTime: {total + 3}")
        io.print("Complete")
    return 0


@command("input")
def input_cmd(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = [a for a in argv[1:] if a not in ("touchscreen", "keyboard", "touchpad")]
    if not args:
        io.error("usage: input [text|keyevent|tap|swipe] ...")
        return 1
    kind, rest = args[0], args[1:]
    msg: dict
    if kind == "text" and rest:
        msg = {"type": "input", "kind": "text", "text": " ".join(rest).replace("%s", " ")}
    elif kind == "keyevent" and rest:
        codes = []
        for r in rest:
            if r in ("--longpress", "--doubletap"):
                continue
            name = r.upper().removeprefix("KEYCODE_")
            code = int(r) if r.isdigit() else KEYCODES.get(name)
            if code is None:
                io.error(f"Error: Unknown keycode: {r}")
                return 1
            codes.append(code)
        for code in codes:
            _deliver(sh, {"type": "input", "kind": "keyevent", "code": code})
            if code == 3:
                sh.device.apps.foreground = None
        return 0
    elif kind in ("tap", "swipe") and len(rest) >= 2 and all(r.lstrip("-").isdigit() for r in rest[:2]):
        msg = {"type": "input", "kind": kind, "x": int(rest[0]), "y": int(rest[1])}
    else:
        io.error(f"Error: Invalid arguments for command: {kind}")
        return 1
    _deliver(sh, msg)
    return 0


def _deliver(sh: Shell, msg: dict) -> None:
    fg = sh.device.apps.foreground
    if fg:
        sh.device.apps.deliver(fg, msg)


@command("monkey")
def monkey(sh: Shell, argv: list[str], io: CmdIO) -> int:
    args = argv[1:]
    if "-p" not in args or args.index("-p") + 1 >= len(args):
        io.error("** Error: monkey needs -p PACKAGE here")
        return 1
    pkg = args[args.index("-p") + 1]
    if pkg not in sh.device.apps.apps:
        io.print("** No activities found to run, monkey aborted.")
        return 252
    sh.device.apps.start_activity(pkg, {"action": "android.intent.action.MAIN", "extras": {}, "data": None,
                                        "component": None, "categories": ["android.intent.category.LAUNCHER"]})
    io.print("Events injected: 1")
    return 0
