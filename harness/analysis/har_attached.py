"""Bodies a HAR keeps in files beside it: Playwright's ``recordHar`` with ``content: "attach"``
(and the folder form of its ``.zip`` HAR) writes ``response.content._file`` and
``request.postData._file``, the name of a file in the HAR's folder holding the body, instead of
``text`` (Playwright ``packages/playwright-core/src/server/har/harTracer.ts``; its test asset
``tests/assets/har-sha1.har`` and its ``har-sha1-main-response.txt``).

Only a bare file name is followed (no folder part, no ``..``): a HAR cannot make the harness read
a file outside its own folder. At most :data:`MAX_ATTACHED_BYTES` are read; a longer body is cut
there and marked truncated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: bodies longer than this (bytes) are cut and marked truncated (a HAR's own texts have no cap,
#: but a file beside it can be any size)
MAX_ATTACHED_BYTES = 64 * 1024 * 1024


@dataclass
class Attached:
    """The body in ``_file`` (None when it could not be read), whether it was cut, and the problem."""

    body: bytes | None
    truncated: bool = False
    problem: str | None = None


def attached_body(obj: dict[str, Any], folder: Path | None) -> Attached | None:
    """The body that ``obj`` (a ``content`` or ``postData`` object) names in ``_file``, read from
    ``folder``; None when ``obj`` names no file. An unsafe name or a file that cannot be read gives
    ``Attached(None, problem=...)``."""
    name = obj.get("_file")
    if not isinstance(name, str) or not name:
        return None
    if folder is None or Path(name).name != name or name in (".", "..") or "\\" in name:
        return Attached(None, problem=f"body file {name[:80]!r} is not a file name in the HAR's folder")
    try:
        with (folder / name).open("rb") as fh:
            data = fh.read(MAX_ATTACHED_BYTES + 1)
    except OSError as exc:
        return Attached(None, problem=f"body file {name[:80]!r} beside the HAR cannot be read ({exc.strerror})")
    if len(data) > MAX_ATTACHED_BYTES:
        return Attached(data[:MAX_ATTACHED_BYTES], truncated=True)
    return Attached(data)


def with_attached(obj: dict[str, Any], body: bytes | None, folder: Path | None, side: str,
                  extra: dict[str, Any]) -> bytes | None:
    """``body`` (the object's ``text``), else the body its ``_file`` names (read from ``folder``):
    ``extra["<side>_body_file"]`` the name, ``"<side>_body_cut"`` when cut (the loader makes it the
    record's ``*_body_truncated``), ``"<side>_body_file_problem"`` when it could not be read."""
    if body is not None or (found := attached_body(obj, folder)) is None:
        return body
    if found.problem:
        extra[f"{side}_body_file_problem"] = found.problem
    else:
        extra[f"{side}_body_file"] = obj["_file"]
    if found.truncated:
        extra[f"{side}_body_cut"] = True
    return found.body
