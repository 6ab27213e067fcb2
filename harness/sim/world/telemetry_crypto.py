"""The telemetry envelope of the vendor's "Sensors Data" module.

Encrypted variant: ``{"v": 1, "kid": KEY_ID, "iv": b64, "data": b64(AES-128-CBC/PKCS7(json))}``;
the key is baked into the app (``TelemetryCrypto.java`` holds the same bytes), so the collector can
decrypt and the harness can only see plaintext through a ``javax.crypto.Cipher`` hook.
Plain variant: the JSON event array itself.
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_ID = "sa-2021-1"
KEY = bytes.fromhex("5a1f0c9e3b7d4a2686e1f03c9b5d7e21")


def encrypt_events(events: list[dict]) -> bytes:
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(json.dumps(events).encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(KEY), modes.CBC(iv)).encryptor()
    data = enc.update(plain) + enc.finalize()
    return json.dumps({"v": 1, "kid": KEY_ID, "iv": base64.b64encode(iv).decode(),
                       "data": base64.b64encode(data).decode()}).encode()


def decode_body(body: bytes) -> tuple[list[dict], bool]:
    """Events in a collector request body and whether they were encrypted. Raises ValueError."""
    doc = json.loads(body)
    if isinstance(doc, dict) and "data" in doc and "iv" in doc:
        if doc.get("kid") != KEY_ID:
            raise ValueError(f"unknown key id {doc.get('kid')!r}")
        dec = Cipher(algorithms.AES(KEY), modes.CBC(base64.b64decode(doc["iv"]))).decryptor()
        plain = dec.update(base64.b64decode(doc["data"])) + dec.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        events = json.loads(unpadder.update(plain) + unpadder.finalize())
        return _events(events), True
    return _events(doc), False


def _events(doc: object) -> list[dict]:
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list) or not all(isinstance(e, dict) for e in doc):
        raise ValueError("expected a JSON array of event objects")
    return doc
