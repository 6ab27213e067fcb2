"""Request and response bodies of a HAR entry: the ``text`` of a ``content`` or ``postData``
object (base64 when it says so), and a form body rebuilt from ``postData.params`` (HAR 1.2,
section "postData")."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any
from urllib.parse import urlencode

from harness.analysis.jsonfields import as_str


def text_body(obj: dict[str, Any]) -> bytes | None:
    """The bytes of a ``content`` or ``postData`` object's ``text`` (base64 when ``encoding`` or
    ``_encoding`` says so; a text that is not valid base64 is taken as text)."""
    text = obj.get("text")
    if not isinstance(text, str):
        return None
    if obj.get("encoding") == "base64" or obj.get("_encoding") == "base64":
        try:
            return base64.b64decode(text, validate=False)
        except (binascii.Error, ValueError):
            pass
    return text.encode("utf-8", "surrogateescape")


def params_body(post: dict[str, Any]) -> bytes | None:
    """The request body rebuilt from ``postData.params`` (HAR 1.2: "list of posted parameters, if
    any"): multipart/form-data with the boundary of ``mimeType`` (a new one if it names none), else
    ``application/x-www-form-urlencoded``. None when there are no params."""
    raw = post.get("params")
    if not isinstance(raw, list) or not raw:
        return None
    mime = as_str(post.get("mimeType")) or ""
    if not mime.lower().startswith("multipart/form-data"):
        return urlencode([(as_str(p.get("name")) or "", as_str(p.get("value")) or "")
                          for p in raw if isinstance(p, dict)]).encode("ascii")
    boundary = next((part.split("=", 1)[1].strip().strip('"') for part in mime.split(";")[1:]
                     if part.strip().lower().startswith("boundary=")), None) or uuid.uuid4().hex
    out = bytearray()
    for p in raw:
        if not isinstance(p, dict):
            continue
        disposition = f'form-data; name="{as_str(p.get("name")) or ""}"'
        if as_str(p.get("fileName")):
            disposition += f'; filename="{as_str(p.get("fileName"))}"'
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode("utf-8", "surrogateescape")
        if as_str(p.get("contentType")):
            out += f"Content-Type: {as_str(p.get('contentType'))}\r\n".encode("utf-8", "surrogateescape")
        out += b"\r\n" + (as_str(p.get("value")) or "").encode("utf-8", "surrogateescape") + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)
