"""Peel encoding layers off a payload, bounded, and say which chain led to each layer.

Layers: gzip, deflate (zlib and raw), brotli, zstd, base64 (standard and URL-safe, nested, also
wrapped in lines), hex, URL/form encoding, JSON (string values gathered), protobuf without a schema
(``blackboxprotobuf``), and containers (:mod:`harness.analysis.containers`): multipart parts, zip
members, gRPC messages, compressed streams that start inside a binary payload.
Every decompression is capped (a decompression bomb gives bounded output and ``bounded=True``);
depth, token count and total output are capped too, so one hostile body cannot exhaust memory.
"""

from __future__ import annotations

import binascii
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

import brotli
import zstandard

from harness.analysis.containers import (
    MAX_PARTS,
    embedded_streams,
    grpc_messages,
    is_zip,
    multipart_parts,
    zip_members,
)
from harness.analysis.protowire import protobuf_strings as _protobuf_strings
from harness.analysis.tokenmemo import TokenMemo


@dataclass(frozen=True)
class Limits:
    #: largest output of one decompression
    max_output: int = 8 * 1024 * 1024
    #: total bytes of all layers produced from one payload
    max_total: int = 32 * 1024 * 1024
    #: only the first ``scan_window`` bytes of a layer are tokenised for base64/hex/JSON/protobuf
    scan_window: int = 4 * 1024 * 1024
    max_depth: int = 5
    #: tokens tried per layer
    max_tokens: int = 64
    min_token: int = 12
    #: protobuf is tried on binary payloads up to this size
    max_protobuf: int = 256 * 1024


DEFAULT_LIMITS = Limits()


@dataclass
class Layer:
    chain: tuple[str, ...]
    data: bytes


@dataclass
class Expansion:
    layers: list[Layer] = field(default_factory=list)
    #: some layer was cut at a limit (decompression bomb, huge body, too many tokens)
    bounded: bool = False
    notes: list[str] = field(default_factory=list)


_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\r\n"
_TEXT_BYTES_UTF8 = _PRINTABLE + bytes(range(0x80, 0x100))
#: a line break inside wrapped base64 (MIME's 76 columns, Android ``Base64.DEFAULT``): real, JSON-escaped
#: or percent-encoded (a form field)
_LINE_BREAK = rb"(?:\r?\n|\\r\\n|\\n|%0[Dd]%0[Aa]|%0[Aa])"
#: a base64 token of at least ``min_token`` characters, possibly wrapped in lines. Linear: a line
#: break cannot be matched by the character class, so there is one way to match a token, and the
#: look-ahead reads at most ``min_token`` characters.
_B64_TOKEN = re.compile(rb"(?=[A-Za-z0-9+/_-]{%d})[A-Za-z0-9+/_-]+(?:%s[A-Za-z0-9+/_-]+)*={0,2}"
                        % (DEFAULT_LIMITS.min_token, _LINE_BREAK))
_LINE_BREAKS = re.compile(_LINE_BREAK)
_HEX_TOKEN = re.compile(rb"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{2}){8,}(?![0-9A-Za-z])")
_PCT = re.compile(rb"%[0-9A-Fa-f]{2}")

ENCODING_NAMES = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate", "br": "br", "zstd": "zstd"}


def printable_ratio(data: bytes) -> float:
    """Share of text bytes in (the first 64 KiB of) ``data``; UTF-8 multi-byte text counts as text."""
    if not data:
        return 1.0
    sample = data[:65536]
    try:
        sample.decode("utf-8")
        allowed = _TEXT_BYTES_UTF8
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the sample's end is still text
        allowed = _TEXT_BYTES_UTF8 if exc.start >= len(sample) - 3 and len(data) > len(sample) else _PRINTABLE
    return 1.0 - len(sample.translate(None, allowed)) / len(sample)


def is_text(data: bytes) -> bool:
    sample = data[:65536]
    # the share of bytes outside the widest text set bounds printable_ratio from above: below 0.9,
    # no need to try decoding the sample (most random bytes; issue 17)
    if sample and 1.0 - len(sample.translate(None, _TEXT_BYTES_UTF8)) / len(sample) < 0.9:
        return False
    return printable_ratio(data) >= 0.9


def decompress(data: bytes, method: str, cap: int) -> tuple[bytes, bool]:
    """Decompress with ``method`` (gzip/deflate/br/zstd), at most ``cap`` bytes of output.

    Returns ``(output, bounded)``; raises ValueError when the data is not in that format.
    """
    try:
        if method in ("gzip", "deflate"):
            wbits = 47 if method == "gzip" else (15 if data[:1] == b"\x78" else -15)
            d = zlib.decompressobj(wbits)
            out = d.decompress(data, cap + 1)
        elif method == "zstd":
            with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
                out = reader.read(cap + 1)
        elif method == "br":
            bd = brotli.Decompressor()
            parts: list[bytes] = []
            total = 0
            # brotli 1.1 has no output limit: feed small slices and stop once past the cap
            for i in range(0, len(data), 64):
                chunk = bd.process(data[i : i + 64])
                parts.append(chunk)
                total += len(chunk)
                if total > cap:
                    break
            out = b"".join(parts)
        else:
            raise ValueError(f"unknown method {method}")
    except (zlib.error, zstandard.ZstdError, brotli.error) as exc:
        raise ValueError(str(exc)) from None
    if len(out) > cap:
        return out[:cap], True
    return out, False


def sniff_compression(data: bytes) -> str | None:
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return "zstd"
    if len(data) > 2 and data[0] == 0x78 and (data[0] * 256 + data[1]) % 31 == 0:
        return "deflate"
    return None


def _b64decode(token: bytes) -> tuple[str, bytes] | None:
    core = token.rstrip(b"=")
    if len(core) % 4 == 1:
        core = core[:-1]
    padded = core + b"=" * (-len(core) % 4)
    urlsafe = b"-" in core or b"_" in core
    if urlsafe and (b"+" in core or b"/" in core):
        return None
    try:  # what base64.urlsafe_b64decode / b64decode(validate=True) do, without their wrappers (issue 17)
        if urlsafe:
            return "base64url", binascii.a2b_base64(padded.translate(_URLSAFE), strict_mode=False)
        return "base64", binascii.a2b_base64(padded, strict_mode=True)
    except (binascii.Error, ValueError):
        return None


_URLSAFE = bytes.maketrans(b"-_", b"+/")


def base64_text(text: bytes) -> bytes | None:
    """``text`` without its line breaks if all of it (surrounding whitespace aside) is one base64
    token, possibly wrapped in lines (MIME, Android ``Base64.DEFAULT``); else None."""
    stripped = text.strip()
    if not _B64_TOKEN.fullmatch(stripped):
        return None
    return _LINE_BREAKS.sub(b"", stripped)


def _json_strings(data: bytes) -> list[bytes] | None:
    head = data.lstrip()[:1]
    if head not in (b"{", b"["):
        return None
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return None
    out: list[bytes] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                out.append(k.encode("utf-8", "surrogatepass"))
                stack.append(v)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            out.append(node.encode("utf-8", "surrogatepass"))
    return out


def _looks_useful(decoded: bytes) -> bool:
    """Worth expanding: compressed, text, a zip archive or exact gRPC framing (gRPC-Web text)."""
    return len(decoded) >= 4 and (sniff_compression(decoded) is not None or is_text(decoded) or is_zip(decoded)
                                  or grpc_messages(decoded, sniffed=True) is not None)


class _Expander:
    def __init__(self, limits: Limits, grpc_encoding: str | None = None, memo: TokenMemo | None = None) -> None:
        self.limits = limits
        self.result = Expansion()
        self.total = 0
        #: the request's ``grpc-encoding``: compressed gRPC messages at any depth use it
        self.grpc_encoding = grpc_encoding
        self.memo = memo
        #: layers refused for the total budget so far (a token's expansion that met one is not memoised)
        self.refused = 0

    def add(self, chain: tuple[str, ...], data: bytes) -> bool:
        if not chain:  # the input itself costs no new memory and is always scanned
            self.result.layers.append(Layer(chain, data))
            return True
        if self.total + len(data) > self.limits.max_total:
            self.refused += 1
            self.result.bounded = True
            self.result.notes.append(f"total decode budget reached at {'>'.join(chain)}")
            return False
        self.total += len(data)
        self.result.layers.append(Layer(chain, data))
        return True

    def run(self, data: bytes, chain: tuple[str, ...], first_encoding: str | None = None,
            content_type: str = "") -> None:
        lim = self.limits
        if not self.add(chain, data) or len(chain) >= lim.max_depth or not data:
            return
        method = first_encoding or sniff_compression(data)
        if method:
            out = self._decompress(data, method, chain, declared=bool(first_encoding))
            if out:
                self.run(out, chain + (method,))
                return
        if self._containers(data, chain, content_type):
            return
        window = data[: lim.scan_window]
        if len(data) > lim.scan_window:
            self.result.bounded = True
            self.result.notes.append(f"{'>'.join(chain) or 'raw'}: only the first {lim.scan_window} bytes tokenised")
        if is_text(window):
            self._text_layers(window, chain)
            return
        if len(window) <= lim.max_protobuf and ("proto" in content_type or "grpc" in content_type or chain):
            strings = _protobuf_strings(window)
            if strings:
                self._join_and_run(strings, chain + ("protobuf",))
        for offset, embedded in embedded_streams(window):
            out = self._decompress(window[offset:], embedded, chain, declared=False)
            if out:
                self.run(out, chain + (embedded,))

    def _decompress(self, data: bytes, method: str, chain: tuple[str, ...], declared: bool) -> bytes:
        """``data`` decompressed with ``method`` (capped); ``b""`` when it is not in that format."""
        lim = self.limits
        try:
            out, bounded = decompress(data, method, lim.max_output)
        except ValueError:
            if declared:
                self.result.notes.append(f"{'>'.join(chain + (method,))}: not valid {method}")
            return b""
        if bounded:
            self.result.bounded = True
            self.result.notes.append(f"{'>'.join(chain + (method,))}: output capped at {lim.max_output} bytes")
        return out

    def _containers(self, data: bytes, chain: tuple[str, ...], content_type: str) -> bool:
        """Split multipart bodies, zip archives and gRPC framing into their parts and decode each
        (:mod:`harness.analysis.containers`). True when ``data`` was such a container."""
        parts = multipart_parts(data[: self.limits.max_output], content_type)
        if parts is not None and len(data) > self.limits.max_output:
            self.result.bounded = True
            self.result.notes.append(f"{'>'.join(chain + ('multipart',))}: only the first "
                                     f"{self.limits.max_output} bytes split into parts")
        if parts is None and ("grpc" in content_type or data[:1] in (b"\x00", b"\x01", b"\x80", b"\x81")):
            parts = grpc_messages(data, self.grpc_encoding, sniffed="grpc" not in content_type)
        bounded = False
        if parts is None and is_zip(data):
            parts, bounded = zip_members(data, self.limits.max_output, self.limits.max_total - self.total)
            if bounded:
                self.result.bounded = True
                self.result.notes.append(f"{'>'.join(chain + ('zip',))}: members capped at {self.limits.max_output} bytes")
        if not parts:
            return False
        if len(parts) >= MAX_PARTS:
            self.result.bounded = True
            self.result.notes.append(f"{'>'.join(chain + (parts[0].kind,))}: only the first {MAX_PARTS} parts")
        for part in parts:
            self.run(part.data, chain + (part.kind,), ENCODING_NAMES.get(part.encoding or ""), part.content_type)
        return True

    def _join_and_run(self, parts: list[bytes], chain: tuple[str, ...]) -> None:
        joined = b"\n\n".join(parts)  # a blank line: wrapped base64 never spans two values
        if self.add(chain, joined) and len(chain) < self.limits.max_depth:
            self._text_layers(joined, chain, tokens_only=True)
            for p in parts:
                if sniff_compression(p) or (p and not is_text(p)):
                    self.run(p, chain)

    def _text_layers(self, data: bytes, chain: tuple[str, ...], tokens_only: bool = False) -> None:
        if not tokens_only:
            if _PCT.search(data):
                decoded = unquote_to_bytes(data.replace(b"+", b" "))
                if decoded != data:
                    self.run(decoded, chain + ("url",))
            strings = _json_strings(data)
            if strings:
                self._join_and_run(strings, chain + ("json",))
                return
        tried = 0
        seen: set[bytes] = set()
        memo = self.memo
        null = memo.null if memo is not None else set()  # tokens known to give nothing: no call at all
        for m in _B64_TOKEN.finditer(data):
            wrapped = m.group()
            # a wrapped token is tried joined; if that gives nothing, line by line (a line break in
            # a token has one of these bytes, which token characters never are)
            if b"\n" not in wrapped and b"\\" not in wrapped and b"%" not in wrapped:
                candidates = [wrapped]
            else:
                candidates = [_LINE_BREAKS.sub(b"", wrapped)]
                if len(candidates[0]) != len(wrapped):
                    candidates += [t for t in _LINE_BREAKS.split(wrapped) if len(t) >= self.limits.min_token]
            for token in candidates:
                if token in seen:
                    continue
                seen.add(token)
                tried += 1
                if tried > self.limits.max_tokens:
                    self.result.bounded = True
                    self.result.notes.append(f"{'>'.join(chain) or 'raw'}: more than {self.limits.max_tokens} tokens")
                    return
                if token in null:
                    memo.hits += 1  # type: ignore[union-attr]
                elif self._token(token, chain):
                    break

    def _token(self, token: bytes, chain: tuple[str, ...]) -> bool:
        """Decode one hex or base64 token and expand what it gives; True if it gave something.
        Through the memo when there is one (:class:`TokenMemo`): the same result either way."""
        if self.memo is None:
            return self._decode_token(token, chain)
        return self.memo.run(self, token, chain, self._decode_token)

    def _decode_token(self, token: bytes, chain: tuple[str, ...]) -> bool:
        if _HEX_TOKEN.fullmatch(token):
            decoded_hex = binascii.unhexlify(token)
            if _looks_useful(decoded_hex):
                self.run(decoded_hex, chain + ("hex",))
                return True
        got = _b64decode(token)
        if got and (_looks_useful(got[1]) or _protobuf_strings(got[1])):
            self.run(got[1], chain + (got[0],))
            return True
        return False


def expand(data: bytes, content_encoding: str | None = None, content_type: str | None = None,
           limits: Limits = DEFAULT_LIMITS, grpc_encoding: str | None = None, memo: TokenMemo | None = None,
           ) -> Expansion:
    """All layers of ``data``: the raw bytes first (chain ``()``), then every decoded layer.
    ``memo`` (one per ``limits``) remembers what each token gave, for repeated tokens; the
    result is the same with or without it."""
    ex = _Expander(limits, grpc_encoding, memo)
    first = None
    if content_encoding:
        enc = content_encoding.split(",")[-1].strip().lower()
        first = ENCODING_NAMES.get(enc)
    ex.run(data, (), first, (content_type or "").lower())
    return ex.result


def iter_layers(data: bytes, **kw: object) -> Iterator[Layer]:
    yield from expand(data, **kw).layers  # type: ignore[arg-type]
