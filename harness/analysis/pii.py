"""Search known values in every layer of traffic with one Aho-Corasick automaton.

Each known value is expanded into its forms (plain, upper/lower, URL-encoded, base64, hex,
md5/sha1/sha256 of the value and of common normalisations); all forms of all values go into one
``pyahocorasick`` automaton, which then scans each decoded layer once.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import ahocorasick

from harness.analysis.decode import DEFAULT_LIMITS, Expansion, Limits, TokenMemo, expand
from harness.analysis.facts import KnownValue, KnownValues

#: payloads are scanned in windows of this many bytes
SCAN_WINDOW = 8 * 1024 * 1024
#: cookie strings whose hits are remembered (issue 17: a host's cookies repeat across its flows),
#: and the longest such string
MEMO_COOKIES = 1024
MEMO_COOKIE_BYTES = 8 * 1024


@dataclass(frozen=True)
class Form:
    value: KnownValue
    #: how the value was written: plain, lower, upper, url, base64, base64url, hex, md5, sha1, sha256
    form: str
    #: the normalisation the form was made from (``as-is``, ``no-colons``, ``digits``, ...)
    normalisation: str


@dataclass(frozen=True)
class Hit:
    value: KnownValue
    form: str
    normalisation: str
    #: where: ``url``, ``header:NAME``, ``headers``, ``cookie``, ``request_body``, ``ws_message``, ``event:TYPE``
    location: str
    #: decoding chain that exposed the value, e.g. ``gzip>json>base64``; empty for raw
    chain: str
    offset: int


def normalisations(kv: KnownValue) -> dict[str, str]:
    v = kv.value
    out = {"as-is": v}
    if kv.kind == "mac":
        bare = re.sub(r"[^0-9A-Fa-f]", "", v)
        out["no-separators"] = bare
        out["dashes"] = "-".join(bare[i : i + 2] for i in range(0, len(bare), 2))
    elif kv.kind == "uuid":
        out["no-dashes"] = v.replace("-", "")
    elif kv.kind in ("phone", "digits"):
        digits = re.sub(r"\D", "", v)
        out["digits"] = digits
        if kv.kind == "phone":
            out["e164"] = "+" + digits
    elif kv.kind == "email":
        out["lower"] = v.lower()
    elif kv.kind == "coordinate":
        x = float(v)
        for n in (3, 4, 5):
            out[f"{n}-decimals"] = f"{x:.{n}f}"
        return out  # numbers: no case or hash variants
    return {k: n for k, n in out.items() if n}


def _b64_aligned(raw: bytes, urlsafe: bool) -> Iterator[str]:
    """base64 of ``raw`` at each of the three byte alignments it can have inside a longer message,
    cut to the characters that depend on ``raw`` alone."""
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    for k in (0, 1, 2):
        enc = encode(bytes(k) + raw).decode()
        start = -(-k * 8 // 6)
        end = (k + len(raw)) * 8 // 6
        yield enc[start:end]


def forms_of(kv: KnownValue) -> Iterator[tuple[str, Form]]:
    for norm_name, norm in normalisations(kv).items():
        variants = {"plain": norm}
        if kv.kind != "coordinate":
            variants["lower"] = norm.lower()
            variants["upper"] = norm.upper()
        for form, text in variants.items():
            yield text, Form(kv, form, norm_name)
            q = quote(text, safe="")
            if q != text:
                yield q, Form(kv, "url", norm_name)
                yield q.lower(), Form(kv, "url", norm_name)
            qp = quote_plus(text, safe="")
            if qp != q:
                yield qp, Form(kv, "url", norm_name)
            raw = text.encode()
            for enc in _b64_aligned(raw, False):
                yield enc, Form(kv, "base64", norm_name)
            for enc in _b64_aligned(raw, True):
                yield enc, Form(kv, "base64url", norm_name)
            yield raw.hex(), Form(kv, "hex", norm_name)
            yield raw.hex().upper(), Form(kv, "hex", norm_name)
            for algo in ("md5", "sha1", "sha256"):
                digest = hashlib.new(algo, raw).hexdigest()
                yield digest, Form(kv, algo, norm_name)
                yield digest.upper(), Form(kv, algo, norm_name)


class PiiMatcher:
    """One automaton over all forms of all known values."""

    def __init__(self, known: KnownValues, min_form_len: int = 4, limits: Limits = DEFAULT_LIMITS) -> None:
        self.known = known
        self.limits = limits
        #: what each base64/hex token decoded to, for tokens that repeat across flows (decode.TokenMemo)
        self.memo: TokenMemo | None = TokenMemo()
        #: the hits of each cookie string seen (a host's cookies repeat until the session changes);
        #: kept only while ``memo`` is on, at most MEMO_COOKIES strings of MEMO_COOKIE_BYTES each
        self._cookies: OrderedDict[bytes, tuple[Hit, ...]] = OrderedDict()
        self._auto = ahocorasick.Automaton()
        table: dict[str, list[Form]] = {}
        for kv in known.values:
            for text, form in forms_of(kv):
                if len(text) < min_form_len:
                    continue
                key = text.encode("utf-8").decode("latin-1")
                entries = table.setdefault(key, [])
                if not any(f.value == form.value for f in entries):
                    entries.append(form)
        for key, entries in table.items():
            self._auto.add_word(key, (len(key), tuple(entries)))
        self._longest = max((len(k) for k in table), default=0)
        self.patterns = len(table)
        if table:
            self._auto.make_automaton()

    def __bool__(self) -> bool:
        return self.patterns > 0

    def scan(self, data: bytes, location: str, chain: str = "") -> list[Hit]:
        if not self.patterns or not data:
            return []
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        # large payloads are scanned in overlapping windows so no full-size text copy is made
        step = SCAN_WINDOW
        overlap = self._longest - 1
        for base in range(0, max(len(data), 1), step):
            window = data[base : base + step + overlap]
            for end, (length, forms) in self._auto.iter(window.decode("latin-1")):
                start = base + end - length + 1
                for f in forms:
                    key = (f.value.name, f.form)
                    if key in seen:
                        continue
                    seen.add(key)
                    hits.append(Hit(f.value, f.form, f.normalisation, location, chain, start))
            if base + step >= len(data):
                break
        return hits

    def scan_layers(self, expansion: Expansion, location: str) -> list[Hit]:
        """Scan every layer; a value is reported once per (location, form) at its shortest chain."""
        out: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        for layer in expansion.layers:
            for hit in self.scan(layer.data, location, ">".join(layer.chain)):
                key = (hit.value.name, hit.form)
                if key not in seen:
                    seen.add(key)
                    out.append(hit)
        return out

    def scan_payload(self, data: bytes | None, location: str, content_encoding: str | None = None,
                     content_type: str | None = None, grpc_encoding: str | None = None,
                     ) -> tuple[list[Hit], Expansion | None]:
        """Scan every decoded layer of ``data`` (see :func:`harness.analysis.decode.expand`)."""
        if not data or not self.patterns:
            return [], None
        ex = expand(data, content_encoding, content_type, self.limits, grpc_encoding=grpc_encoding, memo=self.memo)
        return self.scan_layers(ex, location), ex

    def scan_headers(self, headers: Iterable[tuple[str, str]]) -> list[Hit]:
        """Headers are scanned as one text block; raw hits name their header, decoded ones say ``headers``."""
        lines: list[str] = []
        starts: list[tuple[int, str]] = []
        cookie_parts: list[str] = []
        pos = 0
        for name, value in headers:
            if name.lower() == "cookie":
                cookie_parts.append(value)
                continue
            line = f"{name}: {value}"
            starts.append((pos, name))
            lines.append(line)
            pos += (len(line) if line.isascii() else len(line.encode("utf-8", "surrogateescape"))) + 1
        hits: list[Hit] = []
        if lines:
            block = "\n".join(lines).encode("utf-8", "surrogateescape")
            for hit in self.scan_layers(expand(block, limits=self.limits, memo=self.memo), "headers"):
                if not hit.chain:
                    name = next((n for s, n in reversed(starts) if s <= hit.offset), "?")
                    hit = Hit(hit.value, hit.form, hit.normalisation, f"header:{name}", "", hit.offset)
                hits.append(hit)
        if cookie_parts:
            data = "; ".join(cookie_parts).encode("utf-8", "surrogateescape")
            found = self._cookies.get(data)
            if found is None:
                found = tuple(self.scan_layers(expand(data, limits=self.limits, memo=self.memo), "cookie"))
                if self.memo is not None and len(data) <= MEMO_COOKIE_BYTES:
                    if len(self._cookies) >= MEMO_COOKIES:
                        self._cookies.popitem(last=False)
                    self._cookies[data] = found
            hits.extend(found)
        return hits
