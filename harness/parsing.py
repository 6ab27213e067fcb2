"""Reading files a user hands the harness: size caps, safe YAML and JSON, declared shapes, short quotes.

Every configuration loader (facts JSON, policy YAML, geo overrides, world YAML) reads through
here, so bad input always ends as one :class:`~harness.errors.HarnessError` line naming the file,
the place and the fix, never a traceback (docs/robustness.md lists the limits):

- :func:`read_text` refuses a file over its cap before reading it and decodes UTF-8 strictly;
- :func:`load_yaml` refuses YAML aliases (an alias bomb expands a few hundred bytes to gigabytes)
  and documents of more than 200 000 values before building anything (libyaml's parser when
  installed), keeps dates as text and turns every constructor failure (``ValueError`` for an impossible date
  or a 5 000-digit integer, ``RecursionError`` for deep nesting) into the caller's error;
- :func:`load_json` does the same for JSON (``1e400`` is refused as a non-finite number later);
- :func:`check_shape` checks a parsed document against a JSON Schema (Draft 2020-12, the
  ``jsonschema`` library) in which ``number`` means a *finite* number, and reports the first
  problem with its place (``custom.name``) and a quote of at most :data:`QUOTE_CHARS` characters.
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from harness.errors import HarnessError

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

#: the longest piece of a bad value an error message repeats
QUOTE_CHARS = 80

#: errors a parser of untrusted text can raise besides its own syntax error
PARSE_ERRORS: tuple[type[BaseException], ...] = (
    ValueError, RecursionError, OverflowError, MemoryError, UnicodeError, TypeError, IndexError,
)


def quote(value: Any, limit: int = QUOTE_CHARS) -> str:
    """``repr(value)`` on one line, cut to about ``limit`` characters (``...`` marks the cut).

    Large containers are not rendered whole first: only their first items are shown.
    """
    if isinstance(value, dict) and len(value) > 8:
        value = dict(list(value.items())[:8])
    elif isinstance(value, list | tuple) and len(value) > 8:
        value = list(value[:8])
    elif isinstance(value, str | bytes) and len(value) > limit * 4:
        value = value[: limit * 4]
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # a deeply nested container or a huge int
        text = f"<{type(value).__name__}>"
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    if len(text) <= limit:
        return text
    if isinstance(value, str | bytes) and text[-1:] in ("'", '"'):  # a cut string stays quoted
        return text[: limit - 4] + "..." + text[-1]
    return text[: limit - 3] + "..."


def short_path(path: str | os.PathLike[str], limit: int = QUOTE_CHARS) -> str:
    """``path`` as text of at most about ``limit`` characters: a longer one keeps its end (the
    name and the folders nearest it), ``...`` marking the cut."""
    text = one_line(str(path), 100_000)
    return text if len(text) <= limit else "..." + text[-(limit - 3):]


def one_line(text: str, limit: int = 240) -> str:
    """``text`` with line breaks turned into spaces, cut to ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def read_bytes(path: str | Path, what: str, max_bytes: int, error: type[HarnessError]) -> bytes:
    """The bytes of ``path``; ``error`` if it cannot be read or is larger than ``max_bytes``."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"cannot read {what} {p}: {exc.strerror or exc}", fix="pass an existing, readable file") from None
    if len(data) > max_bytes:
        raise error(f"{what} {p} is larger than the {_size(max_bytes)} limit",
                    fix=f"split the file or trim it below {_size(max_bytes)}")
    return data


def read_text(path: str | Path, what: str, max_bytes: int, error: type[HarnessError]) -> str:
    """:func:`read_bytes` decoded as UTF-8 (a BOM is dropped); ``error`` names the first bad byte."""
    data = read_bytes(path, what, max_bytes, error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{what} {path} is not UTF-8 text (byte {exc.start}: {exc.reason})",
                    fix="save the file as UTF-8") from None


def _size(n: int) -> str:
    return f"{n // (1 << 20)} MiB" if n >= 1 << 20 else f"{n // 1024} KiB"


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed


class _TextDatesLoader(_BaseLoader):
    """The safe loader (libyaml's parser if present) with dates kept as text (``2021-09-23``)."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

#: most scalar values one YAML document may hold (counted before anything is built)
MAX_YAML_VALUES = 200_000


def scan_yaml(text: str, origin: str, error: type[HarnessError], max_values: int = MAX_YAML_VALUES,
              allow_aliases: bool = False) -> None:
    """One pass over the parser's events (libyaml's, fast, nesting capped at 1 000): refuse aliases
    (``*name``: an alias bomb expands a few hundred bytes to gigabytes) unless ``allow_aliases``,
    and documents with more than ``max_values`` scalars. Syntax errors raise ``yaml.YAMLError``."""
    values = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent) and not allow_aliases:
            mark = event.start_mark
            raise error(f"{origin} is not accepted at line {mark.line + 1} column {mark.column + 1}: "
                        "YAML aliases (*name) are not accepted", fix="write the value out instead of *name")
        if isinstance(event, yaml.ScalarEvent):
            values += 1
            if values > max_values:
                raise error(f"{origin} holds more than {max_values} values", fix="split or trim the file")


def load_yaml(text: str, origin: str, error: type[HarnessError], max_values: int = MAX_YAML_VALUES) -> Any:
    """Parse YAML ``text`` safely (no aliases, no objects, dates as text, at most ``max_values``
    scalars); ``error`` on any failure, naming the line where the parser says."""
    try:
        scan_yaml(text, origin, error, max_values)
        return yaml.load(text, Loader=_TextDatesLoader)  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise error(f"{origin} is not valid YAML{where}: {one_line(str(exc.problem or exc.context), 120)}",
                    fix="fix the YAML syntax") from None
    except yaml.YAMLError as exc:
        raise error(f"{origin} is not valid YAML: {one_line(str(exc), 120)}", fix="fix the YAML syntax") from None
    except RecursionError:
        raise error(f"{origin} is nested too deeply", fix="flatten the document") from None
    except PARSE_ERRORS as exc:
        raise error(f"{origin} has a value YAML cannot build: {one_line(str(exc), 120)}",
                    fix="quote the value to keep it as text, e.g. \"2021-99-99\"") from None


def load_json(text: str | bytes, origin: str, error: type[HarnessError]) -> Any:
    """Parse JSON safely; ``error`` on a syntax error, deep nesting or a 4 300+ digit integer."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{origin} is not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                    fix="check the file's syntax (a cut-off file is not valid JSON)") from None
    except RecursionError:
        raise error(f"{origin} is nested too deeply", fix="flatten the document") from None
    except PARSE_ERRORS as exc:
        raise error(f"{origin} has a value JSON cannot build: {one_line(str(exc), 120)}",
                    fix="check the file's numbers and text") from None


def _finite_number(_checker: Any, value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int)


@functools.cache
def validator_class() -> Any:
    """Draft 2020-12 in which "number" means a finite int or float (``1e400`` parses as infinity);
    built on first use (importing jsonschema costs a tenth of a second of every command's start)."""
    import jsonschema

    types = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("number", _finite_number)
    return jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=types)


def place(path: Iterable[Any]) -> str:
    """A JSON path as ``custom.name`` / ``entries[3]``; ``(top level)`` for the root."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str):
            out += f".{quote(part, 40)[1:-1]}" if out else quote(part, 40)[1:-1]
        else:
            out += f"[{quote(part, 40)}]"
    return out or "(top level)"


def _problem(err: ValidationError) -> str:
    v, arg, inst = err.validator, err.validator_value, err.instance
    if "propertyNames" in err.absolute_schema_path:
        if v == "maxLength":
            return f"key {quote(inst, 40)} is longer than {arg} characters"
        return f"key {quote(inst, 40)} is not text"
    if v == "type":
        want = arg if isinstance(arg, str) else " or ".join(arg)
        got = "a non-finite number" if isinstance(inst, float) and not math.isfinite(inst) else type(inst).__name__
        return f"expected {want}, got {got} {quote(inst, 40)}"
    if v == "maxLength":
        return f"text longer than {arg} characters ({len(inst)})"
    if v == "maxItems":
        return f"more than {arg} items ({len(inst)})"
    if v == "maxProperties":
        return f"more than {arg} keys ({len(inst)})"
    if v in ("additionalProperties", "unevaluatedProperties"):
        extra = [k for k in inst if k not in (err.schema.get("properties") or {})]
        return f"unknown key {quote(extra[0], 40) if extra else ''}"
    if v == "required":
        return f"missing key {quote(arg[0] if len(arg) == 1 else arg, 40)}"
    if v == "enum":
        return f"{quote(inst, 40)} is not one of {quote(list(arg), 60)}"
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"{quote(inst, 40)} is out of range ({v} {arg})"
    if v == "pattern":
        return f"{quote(inst, 40)} has the wrong form"
    if v in ("anyOf", "oneOf"):
        if isinstance(inst, float) and not math.isfinite(inst):
            return f"{quote(inst, 40)} is not a finite number"
        wanted: list[str] = []
        for e in err.context or ():
            if e.validator == "type" and e.instance is inst:
                for t in [e.validator_value] if isinstance(e.validator_value, str) else e.validator_value:
                    if t not in wanted:
                        wanted.append(t)
        if wanted:
            return f"expected {' or '.join(wanted)}, got {type(inst).__name__} {quote(inst, 40)}"
        return f"{type(inst).__name__} {quote(inst, 40)} has none of the accepted shapes"
    return one_line(err.message, 120)


def check_keys(data: Any, origin: str, error: type[HarnessError], fix: str) -> None:
    """Every mapping key is text (YAML allows ``1:`` beside ``z:``; mixed keys break sorting,
    also inside the schema library's error ranking)."""
    stack: list[tuple[Any, list[Any]]] = [(data, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(key, str):
                    raise error(f"{origin}: at {place(path)}: key {quote(key, 40)} is not text",
                                fix=f"quote the key, e.g. \"{str(key)[:20]}\"; {fix}")
                stack.append((value, [*path, key]))
        elif isinstance(node, list):
            stack.extend((v, [*path, i]) for i, v in enumerate(node))


def _narrowest(err: ValidationError) -> ValidationError:
    """Inside ``anyOf``, the error of the branch whose type fits the value (the useful one)."""
    while err.validator in ("anyOf", "oneOf") and err.context:
        fitting = [e for e in err.context
                   if not (e.validator == "type" and not e.relative_path and e.instance is err.instance)]
        if not fitting:
            break
        err = _best_match(fitting) or fitting[0]
    return err


def _best_match(errors: Any) -> Any:
    from jsonschema.exceptions import best_match

    return best_match(errors)


def check_shape(data: Any, schema: dict[str, Any], origin: str, error: type[HarnessError], fix: str) -> None:
    """Raise ``error`` naming the first place where ``data`` does not fit ``schema``.

    ``schema`` is a JSON Schema (Draft 2020-12); keys of mappings must be text wherever the schema
    says ``propertyNames`` (YAML allows ``1:`` beside ``name:``, which breaks sorting later).
    """
    check_keys(data, origin, error, fix)
    try:
        err = _best_match(validator_class()(schema).iter_errors(data))
    except RecursionError:
        raise error(f"{origin} is nested too deeply", fix=fix) from None
    if err is None:
        return
    err = _narrowest(err)
    raise error(f"{origin}: at {place(err.absolute_path)}: {_problem(err)}", fix=fix)


def bounded(max_chars: int = 1024, max_items: int = 1000, max_keys: int = 200) -> dict[str, Any]:
    """A schema for any YAML/JSON document whose mapping keys are text and whose strings, lists
    and mappings stay under the given sizes (numbers finite). Loaders with their own field checks
    run this first, so the checks never meet a key ``1`` beside ``name`` or a 10 MB string."""
    return {
        "$defs": {"v": {"anyOf": [
            {"type": "string", "maxLength": max_chars},
            {"type": ["number", "boolean", "null"]},
            {"type": "array", "maxItems": max_items, "items": {"$ref": "#/$defs/v"}},
            {"type": "object", "maxProperties": max_keys, "propertyNames": {"type": "string", "maxLength": 256},
             "additionalProperties": {"$ref": "#/$defs/v"}},
        ]}},
        "$ref": "#/$defs/v",
    }
