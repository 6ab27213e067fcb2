"""Shared by the tests of real captures made by other tools (``data/real/``, sources in its
README): the files, the ones refused, the CLI runner and the HAR 1.2 schema check."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
from mitmproxy import io as mitmio
from referencing import Registry, Resource

from harness.cli.context import Env
from harness.cli.main import main

DATA = Path(__file__).parent / "data"
REAL = DATA / "real"
REFUSED = {  # file: what the one error line must say
    "dumpfile-010.mitm": "has flow format 0.10, older than mitmproxy",
    "har_extractor.har": "no top-level 'log' object",
    "corrupted-brokenfile.har": "invalid JSON at line 5 column 1",
}
MITM = sorted(p.name for p in REAL.glob("*.mitm") if p.name not in REFUSED) + ["msgpack_flows", "generic_keys_flows"]
HAR = sorted(p.name for p in REAL.glob("*.har") if p.name not in REFUSED) + ["flows-compressed.zhar"]
#: bodies Playwright keeps beside the HAR (content._file), by entry index
ATTACHED = {"har-sha1.har": {0: "har-sha1-main-response.txt"}}


def run_cli(*args: str, home: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), Env(stdout=out, stderr=err, home=home))
    return code, out.getvalue(), err.getvalue()


def har_validator() -> jsonschema.Draft6Validator:
    """The HAR 1.2 schema of the ``har-schema`` package (data/har-schema/README.md)."""
    resources = []
    for p in (DATA / "har-schema").glob("*.json"):
        schema = json.loads(p.read_text())
        resources.append((schema["$id"].rstrip("#"), Resource.from_contents(schema)))
    return jsonschema.Draft6Validator({"$ref": "har.json#"}, registry=Registry().with_resources(resources),
                                      format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)


def har_problems(doc: dict) -> list[str]:
    """Schema errors plus the ranges HAR 1.2 gives that the schema package leaves out."""
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}" for e in har_validator().iter_errors(doc)]
    for i, e in enumerate(doc["log"]["entries"]):
        if e["time"] < 0:
            problems.append(f"entries/{i}/time is {e['time']}")
        problems += [f"entries/{i}/timings/{k} is {v}" for k, v in e["timings"].items()
                     if isinstance(v, int | float) and v < -1]
    return problems


def har_json(path: Path) -> dict:
    text = open_bytes(path).decode("utf-8-sig").strip()
    if not text.startswith("{"):  # HARP: onInputData({...});
        text = text[text.index("(") + 1:text.rstrip(";").rindex(")")]
    return json.loads(text)


def open_bytes(path: Path) -> bytes:
    import zlib

    data = path.read_bytes()
    return zlib.decompress(data) if path.suffix == ".zhar" else data


def reference_flows(path: Path) -> dict[str, object]:
    """mitmproxy 11's flows of ``path`` by id. A WebSocket flow migrated from a format before 12
    repeats its handshake's id (mitmproxy marks it ``duplicated``); the harness keeps that one."""
    by_id: dict[str, object] = {}
    with path.open("rb") as fh:
        for f in mitmio.FlowReader(fh).stream():
            if f.id not in by_id or f.metadata.get("duplicated"):
                by_id[f.id] = f
    return by_id
