"""Downloaded keyword lists (censorship / filtering configs) and their versions.

A payload is peeled (compression, then JSON), and every JSON value that is - or decodes to
(base64, gzip, nested JSON, delimited text) - a list of terms is a candidate. A candidate is a
*config list* when it holds many short terms, a known sensitive term, or sits under a name like
``*Blacklist*``. Terms that merely echo what the client asked for (the request's query values:
search suggestions, autocomplete) are no evidence of a list: a response that is mostly such echoes
is an answer to the request, and a sensitive term counts only when the request did not contain it.
Each version is stored (``ListStore``) and diffed against the previous version of the same list,
across runs.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from harness.analysis.containers import MAX_PARTS, is_zip, multipart_parts, zip_members
from harness.analysis.decode import _b64decode, base64_text, decompress, is_text, sniff_compression
from harness.errors import AnalysisError
from harness.fsutil import private_dir, write_private

#: a few terms known from published reports on vendor keyword lists (lower-case)
SENSITIVE_TERMS = frozenset(
    t.lower()
    for t in (
        "Free Tibet", "89 Democracy Movement", "Long live Taiwan independence", "Democracy Movement",
        "Tiananmen", "Falun Gong", "Falun Dafa", "Dalai Lama", "June 4th", "Tank Man",
        "Taiwan independence", "Hong Kong independence", "Xinjiang", "Uyghur", "Voice of America",
        "Free Hong Kong", "Liu Xiaobo", "Charter 08", "Student movement",
        "六四", "天安门", "法轮功", "台独", "藏独", "达赖",
    )
)
NAME_PATTERN = re.compile(r"black.?list|block.?list|deny.?list|keyword|sensitive|censor|ban.?word|forbidden|filter",
                          re.IGNORECASE)
_VERSION_KEY = re.compile(r"^(config_?)?(version|ver|v|revision|rev)$", re.IGNORECASE)
_UPDATE_KEY = re.compile(r"update|modified|timestamp|publish", re.IGNORECASE)

MIN_TERMS_UNNAMED = 20
MIN_TERMS_NAMED = 3
MAX_TERM_LEN = 80
DECODE_CAP = 16 * 1024 * 1024
#: request values shorter than this are not treated as echoed (``lang=en`` would match everything)
MIN_ECHO_LEN = 3
#: request bodies larger than this are not searched for echoed values
ECHO_BODY_CAP = 64 * 1024


#: NAME_PATTERN as a yes/no search: the same words, factored behind a look-ahead on their first
#: letters so the regex engine skips every other position (3 x faster on JSON bodies, issue 17)
_NAME_SEARCH = re.compile(r"(?=[bdkscf])(?:b(?:l(?:ack|ock).?list|an.?word)|deny.?list|keyword|sensitive|censor"
                          r"|f(?:orbidden|ilter))", re.IGNORECASE)
_STRING_ARRAY = re.compile(rb'\[\s*"[^"\n]{1,80}"\s*,\s*"')
#: a run of 40 token characters; it may start only where a run starts (the same yes/no, without
#: retrying every position inside a shorter run)
_LONG_TOKEN = re.compile(rb"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{40,}")
#: _NAME_SEARCH over ASCII bytes made lower case (its words are lower case): the same yes/no as
#: the case-blind text search for ASCII data, without decoding it (issue 17)
_NAME_SEARCH_ASCII = re.compile(_NAME_SEARCH.pattern.encode("ascii"))
#: _LONG_TOKEN as a yes/no without the regex engine (issue 17, fourth pass): token characters map
#: to ``t`` and every other byte to a space, so a run of 40 token characters is ``t`` * 40
_TOKEN_MAP = bytes(0x74 if re.fullmatch(rb"[A-Za-z0-9+/_-]", bytes([i])) else 0x20 for i in range(256))
_LONG_RUN = b"t" * 40
#: every _NAME_SEARCH_ASCII match contains one of these (C substring searches rule most bodies out)
_NAME_ANCHORS = (b"black", b"block", b"ban", b"deny", b"keyword", b"sensitive", b"censor", b"forbidden", b"filter")


def _worth_a_look(data: bytes) -> bool:
    """Cheap pre-filter (C regexes) so ordinary payloads skip the JSON walk."""
    head = data[:1024].lstrip()
    if head[:1] not in (b"{", b"["):  # plain text lists; markup is not a list
        return b"<" not in head
    window = data[: 4 * 1024 * 1024]
    if _STRING_ARRAY.search(window) or _LONG_RUN in window.translate(_TOKEN_MAP):
        return True
    if window.isascii():
        low = window.lower()
        return any(w in low for w in _NAME_ANCHORS) and bool(_NAME_SEARCH_ASCII.search(low))
    return bool(_NAME_SEARCH.search(window.decode("utf-8", "replace")))


@dataclass
class TermList:
    name: str
    key_path: str
    chain: str
    terms: list[str]
    reasons: list[str]
    sensitive: list[str]
    version: str | None = None
    update_time: str | None = None
    flow_id: str | None = None
    step_id: str | None = None
    host: str | None = None
    url: str | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256("\n".join(sorted(self.terms)).encode()).hexdigest()


def _looks_like_terms(items: list[Any]) -> list[str] | None:
    if not items or not all(isinstance(i, str) for i in items):
        return None
    terms = [i.strip() for i in items if i.strip()]
    if not terms:
        return None
    short = sum(1 for t in terms if len(t) <= MAX_TERM_LEN)
    wordy = sum(1 for t in terms if any(ch.isalpha() for ch in t) and "://" not in t)
    if short < 0.9 * len(terms) or wordy < 0.6 * len(terms):
        return None
    return terms


def _split_text(text: str) -> list[str] | None:
    for sep in ("\n", "|", ",", ";"):
        if text.count(sep) >= 2:
            return _looks_like_terms(text.split(sep))
    return None


def _decode_string(value: str, depth: int = 0) -> tuple[list[str] | None, list[str]]:
    """Terms hidden in a string value: base64 -> gzip -> JSON list / delimited text. Returns (terms, chain)."""
    if depth > 4 or len(value) < 8:
        return None, []
    stripped = value.strip()
    if stripped[:1] in "[{":
        try:
            doc = json.loads(stripped)
        except ValueError:
            doc = None
        if isinstance(doc, list):
            terms = _looks_like_terms(doc)
            return terms, (["json"] if terms else [])
        if isinstance(doc, dict):  # e.g. {"words": [...]} inside a string
            for v in doc.values():
                if isinstance(v, list) and (terms := _looks_like_terms(v)):
                    return terms, ["json"]
    token = base64_text(stripped.encode("utf-8", "surrogateescape"))
    if token is not None:
        got = _b64decode(token)
        if got:
            kind, raw = got
            chain = [kind]
            method = sniff_compression(raw)
            if method:
                try:
                    raw, _ = decompress(raw, method, DECODE_CAP)
                except ValueError:
                    return None, []
                chain.append(method)
            if is_text(raw):
                terms, sub = _decode_string(raw.decode("utf-8", "replace"), depth + 1)
                if terms:
                    return terms, chain + sub
                terms = _split_text(raw.decode("utf-8", "replace"))
                if terms:
                    return terms, chain + ["text"]
            return None, []
    return None, []


def _scalar(v: Any) -> str | None:
    return None if isinstance(v, dict | list) or v is None else str(v)


def request_values(url: str | None, request_body: bytes | None = None) -> list[str]:
    """What the client asked for: the URL's query values and a small form / JSON request body's
    top-level string values (case-folded, at least ``MIN_ECHO_LEN`` characters)."""
    values: list[str] = []
    if url:
        values += [v for _, v in parse_qsl(urlsplit(url).query, keep_blank_values=False)]
    if request_body and len(request_body) <= ECHO_BODY_CAP and is_text(request_body):
        text = request_body.decode("utf-8", "replace").strip()
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            values += [v for v in doc.values() if isinstance(v, str)]
        elif doc is None and "=" in text:
            values += [v for _, v in parse_qsl(text)]
    return sorted({v.strip().casefold() for v in values if len(v.strip()) >= MIN_ECHO_LEN})


def _echoes(term: str, asked: Sequence[str]) -> bool:
    """The term repeats (or completes) a value of the request, as a search suggestion does."""
    folded = term.casefold()
    return any(a in folded for a in asked)


def _classify(terms: list[str], name_hint: str, asked: Sequence[str] = ()) -> tuple[list[str], list[str]] | None:
    echoed = [t for t in terms if _echoes(t, asked)] if asked else []
    sensitive = sorted({t for t in terms if t.lower() in SENSITIVE_TERMS} - set(echoed))
    named = bool(NAME_PATTERN.search(name_hint)) and len(terms) >= MIN_TERMS_NAMED
    if 2 * len(echoed) >= len(terms) and not named:
        return None  # an answer to the request (suggestions, autocomplete), not a config
    reasons = []
    if len(terms) >= MIN_TERMS_UNNAMED:
        reasons.append(f"{len(terms)} short terms")
    if sensitive:
        reasons.append(f"{len(sensitive)} known sensitive terms")
    if named:
        reasons.append(f"name matches {NAME_PATTERN.pattern!r}")
    return (reasons, sensitive) if reasons else None


def find_lists(payload: bytes | None, *, url: str | None = None, content_encoding: str | None = None,
               request_body: bytes | None = None, content_type: str = "",
               _within: tuple[str, ...] = (), decompressed: tuple[str, bytes] | None = None) -> list[TermList]:
    """Keyword lists in one (response) payload; ``url`` and ``request_body`` are what was asked
    (terms echoing them are not evidence of a list, see :func:`request_values`). A zip archive or a
    multipart body is searched member by member (chain ``zip>...`` / ``multipart>...``; a member's
    file name is a name hint). ``decompressed``: ``(method, all of payload decompressed with
    method)`` when the caller has it already (not cut at a cap); used if it is the method chosen here."""
    if not payload:
        return []
    data = payload
    chain0: list[str] = list(_within)
    method = (content_encoding or "").split(",")[-1].strip().lower() or None
    method = method if method in ("gzip", "deflate", "br", "zstd") else sniff_compression(data)
    if method and decompressed is not None and decompressed[0] == method and len(decompressed[1]) <= DECODE_CAP:
        data = decompressed[1]
        chain0.append(method)
    elif method:
        try:
            data, _ = decompress(data, method, DECODE_CAP)
            chain0.append(method)
        except ValueError:
            pass
    if len(_within) < 2 and (is_zip(data) or data.startswith(b"--") or "multipart/" in content_type):
        members = (zip_members(data, DECODE_CAP, DECODE_CAP)[0] if is_zip(data)
                   else multipart_parts(data, content_type) or [])
        inside: list[TermList] = []
        for part in members[:MAX_PARTS]:
            member_url = f"{url or ''}#{part.content_type}" if part.kind == "zip" else url
            inside += find_lists(part.data, url=member_url, request_body=request_body, _within=(*chain0, part.kind),
                                content_encoding=part.encoding)
        if members:
            return inside
    if not is_text(data[:4096]) or not _worth_a_look(data):
        return []
    url_name = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] if url else ""
    if "#" in (url or ""):  # a zip member: its file name is the name hint
        url_name = (url or "").rsplit("#", 1)[1].rsplit("/", 1)[-1]
    asked = request_values(url, request_body)
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        text = data.decode("utf-8", "replace")
        terms, chain = _decode_string(text)  # the whole body base64 (wrapped or not), gzip, ...
        if not terms:
            terms, chain = _split_text(text), ["text"]
        if not terms:
            return []
        got = _classify(terms, url_name, asked)
        if not got:
            return []
        return [TermList(url_name or "text", "", ">".join(chain0 + chain), terms, got[0], got[1], url=url)]
    found: list[TermList] = []

    def visit(node: Any, path: list[str], ancestors: list[dict[str, Any]]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                visit(v, path + [str(k)], ancestors + [node])
            return
        terms, chain = None, []
        if isinstance(node, list):
            terms = _looks_like_terms(node)
            chain = ["json"] if terms else []
            if not terms:
                for i, item in enumerate(node):
                    visit(item, path + [str(i)], ancestors)
                return
        elif isinstance(node, str):
            terms, chain = _decode_string(node)
        if not terms:
            return
        key_path = ".".join(path)
        named = [p for p in path if NAME_PATTERN.search(p)]
        for anc in reversed(ancestors):
            for key in ("name", "configName", "config_name", "key", "type"):
                if isinstance(anc.get(key), str) and NAME_PATTERN.search(anc[key]):
                    named.append(anc[key])
        got = _classify(terms, " ".join([key_path, url_name, *named]), asked)
        if not got:
            return
        version = update = None
        for anc in reversed(ancestors):
            for k, v in anc.items():
                if version is None and _VERSION_KEY.match(str(k)):
                    version = _scalar(v)
                if update is None and _UPDATE_KEY.search(str(k)):
                    update = _scalar(v)
        name = (named[0] if named else None) or (url_name if NAME_PATTERN.search(url_name) else None) or key_path
        found.append(TermList(name, key_path, ">".join(chain0 + chain), terms, got[0], got[1],
                              version=version, update_time=update, url=url))

    visit(doc, [], [])
    return found


@dataclass
class ListDiff:
    name: str
    previous_digest: str | None
    digest: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    previous_version: str | None = None

    @property
    def changed(self) -> bool:
        return self.previous_digest is not None and self.previous_digest != self.digest


def diff_terms(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    o, n = set(old), set(new)
    return sorted(n - o), sorted(o - n)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:100] or "list"


class ListStore:
    """Versions of each list, kept across runs: ``DIR/<name>/<sha256>.json`` (0600, folders 0700)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def versions(self, name: str) -> list[dict[str, Any]]:
        folder = self.root / _safe(name)
        if not folder.is_dir():
            return []
        out = []
        for p in folder.glob("*.json"):
            try:
                out.append(json.loads(p.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return sorted(out, key=lambda d: (d.get("last_seen", d.get("first_seen", 0)), d.get("first_seen", 0)))

    def record(self, tl: TermList, run: str | None = None) -> ListDiff:
        """Store this version (or refresh its ``last_seen``) and diff it against the version seen last.

        The version a run was diffed against is remembered per run (``previous_by_run``): analysing
        the same run again gives the same diff, whatever was stored since (regeneration of
        ``findings.json`` is byte-identical, issue 15)."""
        now = time.time()
        try:
            folder = private_dir(self.root / _safe(tl.name))
            known = self.versions(tl.name)
            target = folder / f"{tl.digest}.json"
            mine = next((v for v in known if v.get("digest") == tl.digest), None)
            remembered = (mine or {}).get("previous_by_run") or {}
            if run is not None and run in remembered:
                latest = next((v for v in known if v.get("digest") == remembered[run]), None)
            else:
                latest = known[-1] if known else None
            doc = mine or {**asdict(tl), "digest": tl.digest, "first_seen": now, "runs": []}
            doc["last_seen"] = now
            if run is not None:
                remembered = {**remembered, run: latest.get("digest") if latest else None}
                doc["previous_by_run"] = dict(list(remembered.items())[-100:])
            if run not in doc.get("runs", []):
                doc["runs"] = [*doc.get("runs", []), run][-20:]
            write_private(target, json.dumps(doc, ensure_ascii=False, indent=1))
        except OSError as exc:
            raise AnalysisError(f"cannot store list versions in {self.root}: {exc.strerror}",
                                fix="pass a writable --lists-dir") from None
        if latest is None:
            return ListDiff(tl.name, None, tl.digest)
        added, removed = diff_terms(latest.get("terms", []), tl.terms)
        return ListDiff(tl.name, latest.get("digest"), tl.digest, added, removed, latest.get("version"))
