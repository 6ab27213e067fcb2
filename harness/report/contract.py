"""The findings contract: the JSON Schema every ``findings.json`` must satisfy.

The schema ships as package data (``harness/report/findings.schema.json``, JSON Schema 2020-12)
and is described in docs/dev/contracts.md.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_ID = "harness.findings/1"


@cache
def findings_schema() -> dict[str, Any]:
    """The schema as a dict."""
    return json.loads(resources.files("harness.report").joinpath("findings.schema.json").read_text())


def validation_errors(doc: Any) -> list[str]:
    """Every way ``doc`` breaks the contract, one line each (``path: message``); empty when valid."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(findings_schema())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message[:120]}"
            for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]
