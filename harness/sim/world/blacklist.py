"""The ``MiAdBlacklistConfig`` list: bundled terms, the served JSON shape and its decoder.

Served shape (what the ad-config service answers)::

    {"code": 0, "msg": "ok",
     "data": {"configName": "MiAdBlacklistConfig", "version": 2021092301,
              "updateTime": 1632355200000, "enable": true, "region": "LT",
              "content": "<base64 of gzip of a JSON array of terms>"}}

``content`` is empty (and ``enable`` false) when the region gate withholds the list.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass
from importlib import resources

CONFIG_NAME = "MiAdBlacklistConfig"


@dataclass(frozen=True)
class Term:
    category: str
    language: str
    text: str


def default_terms() -> list[Term]:
    """The bundled 449-term list (Chinese and English)."""
    text = resources.files("harness.sim.world").joinpath("data/blacklist_terms.tsv").read_text("utf-8")
    terms = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, language, term = line.split("\t")
        terms.append(Term(category, language, term))
    return terms


def terms_digest(terms: list[str]) -> str:
    """A stable fingerprint of a term list (order-independent)."""
    return hashlib.sha256("\n".join(sorted(terms)).encode()).hexdigest()


def encode_content(terms: list[str]) -> str:
    return base64.b64encode(gzip.compress(json.dumps(terms, ensure_ascii=False).encode("utf-8"), mtime=0)).decode()


def decode_content(content: str) -> list[str]:
    if not content:
        return []
    return json.loads(gzip.decompress(base64.b64decode(content)).decode("utf-8"))


def config_document(*, version: int, update_time: int, enable: bool, region: str, terms: list[str]) -> dict:
    return {
        "code": 0,
        "msg": "ok",
        "data": {
            "configName": CONFIG_NAME,
            "version": version,
            "updateTime": update_time,
            "enable": enable,
            "region": region,
            "content": encode_content(terms) if terms else "",
        },
    }


def matching_terms(text: str, terms: list[str]) -> list[str]:
    """Terms contained in ``text`` (case-insensitive), as the vendor's filter matches them."""
    folded = text.casefold()
    return [t for t in terms if t.casefold() in folded]
