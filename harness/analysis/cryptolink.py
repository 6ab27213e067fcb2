"""Which flow carried the ciphertext of a ``crypto:plaintext`` event.

The crypto agent reports the plaintext an app encrypted together with the ciphertext (base64,
``payload.ciphertext``). When that ciphertext then appears in a request body (as base64, URL-safe
base64 or hex, also with JSON's ``\\/`` escaping), the plaintext's personal data went to that flow's
destination, through the chain ``<form>><algorithm>``: analysis can then place it in a country.
The link (event id, flow id, encoding, byte offset in the body) and the field of the plaintext
that held the value (:func:`plaintext_field`) go into the finding's ``details.cipher_links``
(docs/dev/contracts.md), so a report shows how the event and the flow are tied.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: ciphertext bytes compared (a multiple of 3, so the base64 text of the prefix is a prefix of the text)
PREFIX_BYTES = 48
#: shorter ciphertexts are not linked (too likely to match by chance)
MIN_BYTES = 12


@dataclass(frozen=True)
class CipherLink:
    flow_id: str
    #: how the ciphertext appears in the request: ``base64``, ``base64url`` or ``hex``
    form: str
    algorithm: str
    #: byte offset in the flow's request body where the encoded ciphertext starts
    offset: int = 0

    @property
    def chain(self) -> str:
        return f"{self.form}>{self.algorithm}"


def _needles(ciphertext: bytes) -> list[tuple[str, bytes]]:
    head = ciphertext[:PREFIX_BYTES] if len(ciphertext) >= PREFIX_BYTES else ciphertext[: len(ciphertext) // 3 * 3]
    std = base64.b64encode(head)
    return [("base64", std), ("base64", std.replace(b"/", b"\\/")), ("base64url", base64.urlsafe_b64encode(head)),
            ("hex", binascii.hexlify(head)), ("hex", binascii.hexlify(head).upper())]


def link_ciphertexts(events: Iterable[Any], flows: Iterable[tuple[str, bytes | None]]) -> dict[str, CipherLink]:
    """``{event id: CipherLink}`` for encrypt-side ``crypto:plaintext`` events whose ciphertext is in
    a flow's request body. ``flows`` yields ``(flow id, request body)``."""
    wanted: list[tuple[str, str, list[tuple[str, bytes]]]] = []
    for ev in events:
        if ev.type != "crypto:plaintext":
            continue
        p = ev.payload or {}
        if p.get("operation") not in ("encrypt", "wrap", None) or not isinstance(p.get("ciphertext"), str):
            continue
        try:
            raw = base64.b64decode(p["ciphertext"])
        except (binascii.Error, ValueError):
            continue
        if len(raw) < MIN_BYTES:
            continue
        wanted.append((ev.id, str(p.get("algorithm") or "cipher"), _needles(raw)))
    links: dict[str, CipherLink] = {}
    if not wanted:
        return links
    for flow_id, body in flows:
        if not isinstance(body, bytes | bytearray) or not body:  # None / pd.NA: a flow without a body
            continue
        for event_id, algorithm, needles in wanted:
            if event_id in links:
                continue
            for form, needle in needles:
                at = body.find(needle)
                if at >= 0:
                    links[event_id] = CipherLink(flow_id, form, algorithm, at)
                    break
    return links


#: a JSON key (``"key":`` then an optional opening quote or bracket) or a form field (``key=``)
#: right before a value; at most 64 characters of name
_JSON_KEY = re.compile(rb'"([^"\\]{1,64})"\s*:\s*(?:\[\s*)?"?$')
_FORM_KEY = re.compile(rb"(?:^|[&?;])([^=&?;\s]{1,64})=$")


def plaintext_field(data: bytes | None, offset: int) -> str | None:
    """The name of the field of ``data`` (a JSON or ``key=value`` plaintext) whose value starts at
    byte ``offset``: the JSON key or form field written right before it (``"imei":"`` or
    ``imei=``), else None (the value is not at the start of a named field). Reads at most 200
    bytes before ``offset``."""
    if not data or not 0 < offset <= len(data):
        return None
    before = data[max(0, offset - 200):offset]
    m = _JSON_KEY.search(before) or _FORM_KEY.search(before)
    return m.group(1).decode("utf-8", "replace") if m else None
