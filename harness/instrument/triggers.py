"""Trigger maps: which app method performs an action (search, load ads, open a URL, send a message).

One map per app, JSON or YAML (format in docs/agents.md)::

    {"package": "com.android.browser",
     "actions": {
        "search": {"class": "com.android.browser.Search", "method": "run",
                   "kind": "instance", "args": ["{query}"]},
        "load_ads": {"class": "com.android.browser.Ads", "method": "load", "kind": "static", "args": []}}}

``kind`` is ``static`` (call on the class) or ``instance`` (call on a live object found with
``Java.choose``); ``args`` are JSON values where a string that is exactly ``"{name}"`` is replaced
by the parameter ``name`` given at call time (other strings are formatted with the parameters);
``signature`` (optional) lists Java parameter types to pick an overload.

Maps shipped with the virtual vendor apps live at ``harness/sim/apps/<package>/trigger.json``;
users pass their own files for real apps.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from harness.errors import UsageError

KINDS = ("static", "instance")


@dataclass(frozen=True)
class TriggerAction:
    name: str
    class_name: str
    method: str
    kind: str = "static"
    args: tuple[Any, ...] = ()
    signature: tuple[str, ...] | None = None

    def spec(self, params: dict[str, Any]) -> dict[str, Any]:
        """The call spec the trigger agent's ``call`` export takes, with parameters filled in."""
        return {
            "action": self.name,
            "class": self.class_name,
            "method": self.method,
            "kind": self.kind,
            "args": [_fill(a, params, self.name) for a in self.args],
            "signature": list(self.signature) if self.signature is not None else None,
        }

    def parameters(self) -> set[str]:
        names: set[str] = set()
        for a in self.args:
            if isinstance(a, str):
                names.update(f for _, f, _, _ in string.Formatter().parse(a) if f)
        return names


@dataclass(frozen=True)
class TriggerMap:
    package: str
    actions: dict[str, TriggerAction] = field(default_factory=dict)
    source: str | None = None

    def action(self, name: str) -> TriggerAction:
        try:
            return self.actions[name]
        except KeyError:
            raise UsageError(
                f"{self.package} has no trigger action {name!r}",
                fix=f"use one of {', '.join(sorted(self.actions)) or '(none)'} or add it to {self.source or 'the map'}",
            ) from None


def _fill(value: Any, params: dict[str, Any], action: str) -> Any:
    if not isinstance(value, str):
        return value
    fields = [f for _, f, _, _ in string.Formatter().parse(value) if f]
    missing = [f for f in fields if f not in params]
    if missing:
        raise UsageError(f"trigger action {action!r} needs parameter(s) {', '.join(missing)}",
                         fix=" ".join(f"{m}=VALUE" for m in missing))
    if len(fields) == 1 and value == "{" + fields[0] + "}":
        return params[fields[0]]
    return value.format_map(params)


def parse_map(document: Any, source: str = "<map>") -> TriggerMap:
    """Validate one map document; bad input raises UsageError naming the problem and the fix."""

    def bad(problem: str) -> UsageError:
        return UsageError(f"trigger map {source}: {problem}", fix="see docs/agents.md (trigger map format)")

    if not isinstance(document, dict):
        raise bad("top level must be an object with \"package\" and \"actions\"")
    package = document.get("package")
    actions = document.get("actions")
    if not isinstance(package, str) or not package:
        raise bad("\"package\" must be the app's package name")
    if not isinstance(actions, dict) or not actions:
        raise bad("\"actions\" must be a non-empty object of action name -> call")
    parsed: dict[str, TriggerAction] = {}
    for name, spec in actions.items():
        if not isinstance(spec, dict):
            raise bad(f"action {name!r} must be an object")
        unknown = set(spec) - {"class", "method", "kind", "args", "signature", "description"}
        if unknown:
            raise bad(f"action {name!r} has unknown key(s) {', '.join(sorted(unknown))}")
        cls, method = spec.get("class"), spec.get("method")
        if not isinstance(cls, str) or not cls or not isinstance(method, str) or not method:
            raise bad(f"action {name!r} needs \"class\" and \"method\" strings")
        kind = spec.get("kind", "static")
        if kind not in KINDS:
            raise bad(f"action {name!r}: \"kind\" must be one of {', '.join(KINDS)}, not {kind!r}")
        args = spec.get("args", [])
        if not isinstance(args, list):
            raise bad(f"action {name!r}: \"args\" must be a list")
        signature = spec.get("signature")
        if signature is not None and (not isinstance(signature, list) or not all(isinstance(s, str) for s in signature)):
            raise bad(f"action {name!r}: \"signature\" must be a list of Java type names")
        if signature is not None and len(signature) != len(args):
            raise bad(f"action {name!r}: \"signature\" has {len(signature)} types for {len(args)} args")
        parsed[name] = TriggerAction(
            name=name, class_name=cls, method=method, kind=kind, args=tuple(args),
            signature=tuple(signature) if signature is not None else None,
        )
    return TriggerMap(package=package, actions=parsed, source=source)


def load_map(path: str | Path) -> TriggerMap:
    """A trigger map from a ``.json``, ``.yaml`` or ``.yml`` file."""
    p = Path(path)
    try:
        text = p.read_text()
    except OSError as exc:
        raise UsageError(f"cannot read trigger map {p}: {exc.strerror}", fix="check the path") from None
    try:
        document = yaml.safe_load(text) if p.suffix in (".yaml", ".yml") else json.loads(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"trigger map {p} is not valid {p.suffix[1:].upper() or 'JSON'}: {exc}",
                         fix="fix the syntax") from None
    return parse_map(document, str(p))


def builtin_map(package: str) -> TriggerMap | None:
    """The map shipped with a virtual vendor app (``harness/sim/apps/<package>/trigger.json``), if any."""
    try:
        entry = resources.files("harness.sim") / "apps" / package / "trigger.json"
    except ModuleNotFoundError:
        return None
    if not entry.is_file():
        return None
    return parse_map(json.loads(entry.read_text()), f"harness/sim/apps/{package}/trigger.json")
