"""Redaction for what is shared: device identifiers and canaries replaced by stable pseudonyms.

Every known value of the device facts (the identifiers and canaries analysis searches for, see
docs/analysis.md) is masked in every form the analysis searches for (plain, upper/lower case,
URL-encoded, base64, hex, md5/sha1/sha256) as ``[android_id:1a2b3c4d]``. The suffix is an
HMAC-SHA256 of the value under a key kept in ``HARNESS_HOME/redact.key`` (0600): the same value
gets the same pseudonym in every report of this lab, so reports can be correlated, while whoever
reads a report cannot recover a short identifier (an IMEI has 10^14 candidates: a plain hash
could be reversed) by hashing candidates. Installed-app package names are not identifiers and
are kept. Full values stay only in the run and its evidence bundle.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Any

from harness.fsutil import private_dir

KEY_FILE = "redact.key"


def redaction_key(home: str | os.PathLike[str]) -> bytes:
    """The lab's pseudonym key (32 random bytes), created 0600 on first use."""
    path = private_dir(home) / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            key = f.read()
        if len(key) >= 32:
            return key
        raise OSError(f"{path} is damaged") from None
    with os.fdopen(fd, "wb") as f:
        key = secrets.token_bytes(32)
        f.write(key)
    return key


class Redactor:
    """Masks the known values of ``facts`` in text and in JSON-like structures."""

    def __init__(self, facts: dict[str, Any], key: bytes) -> None:
        from harness.analysis.facts import known_values_from_facts
        from harness.analysis.pii import forms_of

        masks: dict[str, str] = {}
        for kv in known_values_from_facts(facts).values:
            if kv.group == "installed_apps":
                continue
            tag = hmac.new(key, kv.value.encode(), hashlib.sha256).hexdigest()[:8]
            mask = f"[{kv.name}:{tag}]"
            masks.setdefault(kv.value, mask)
            for text, _form in forms_of(kv):
                if len(text) >= 4:
                    masks.setdefault(text, mask)
        self._masks = masks
        # longest first, so a value's URL-encoded form wins over the value inside it
        alternatives = sorted(masks, key=lambda t: (-len(t), t))
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, s: str) -> str:
        if self._pattern is None:
            return s
        return self._pattern.sub(lambda m: self._masks[m.group(0)], s)

    def value(self, obj: Any) -> Any:
        """A copy of ``obj`` (dicts, lists, strings, scalars) with every string masked, keys too."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            return {self.text(str(k)): self.value(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [self.value(v) for v in obj]
        return obj


def redactor_for(doc: dict[str, Any], home: str | os.PathLike[str]) -> Redactor:
    """The redactor for a findings document: its device facts, the lab's key."""
    facts = doc.get("device") if isinstance(doc.get("device"), dict) else {}
    return Redactor(facts or {}, redaction_key(Path(home)))
