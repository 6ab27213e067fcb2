"""Strings of a protobuf message without a schema (``blackboxprotobuf``), with an exact pre-filter.

Decoding tries every base64/hex token and binary layer as protobuf (:mod:`harness.analysis.decode`);
most are not protobuf at all, and ``blackboxprotobuf.decode_message`` costs 10-20 µs to say so
(issue 17: a quarter of the header scan). :func:`no_strings` reads only the wire format's framing
(field keys, varints, fixed widths, lengths), as ``blackboxprotobuf``'s ``_group_by_number`` does,
and answers True only when ``decode_message`` cannot give a string: its framing fails (it raises)
or the message has no length-delimited field (its fields decode to numbers: ``int``,
``fixed32``, ``fixed64``, ``WIRE_TYPE_DEFAULTS``). When unsure (a varint of 9 bytes or more: a
length or a key that ``blackboxprotobuf`` may read as negative or refuse as non-canonical) it
answers False and the decoder decides. tests/analysis/test_protowire.py checks
``protobuf_strings`` against the decoder alone on random and protobuf-shaped bytes; the
``protowire`` fuzz surface does the same for long.
"""

from __future__ import annotations

try:  # the ``bbpb`` distribution installs ``blackboxprotobuf``
    import blackboxprotobuf
except ImportError:  # pragma: no cover - declared dependency
    blackboxprotobuf = None  # type: ignore[assignment]

#: a varint of this many bytes or more: unsure (its value may pass 2**63), leave it to the decoder
_LONG_VARINT = 9


def no_strings(data: bytes) -> bool:
    """True when ``blackboxprotobuf.decode_message(data)`` raises or gives no ``str``/``bytes``
    value (see the module docstring); False when it may give one."""
    pos, end = 0, len(data)
    delimited = False
    while pos < end:
        n = 0  # the field key: a varint
        while True:
            if pos >= end:
                return True  # the varint runs past the end: the decoder raises
            b = data[pos]
            pos += 1
            n += 1
            if b < 0x80:
                break
            if n >= _LONG_VARINT:
                return False
        wire = data[pos - n] & 7  # the key's low three bits: in its first byte
        if wire == 0:
            n = 0
            while True:
                if pos >= end:
                    return True
                b = data[pos]
                pos += 1
                n += 1
                if b < 0x80:
                    break
                if n >= _LONG_VARINT:
                    return False
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            delimited = True
            length, shift, n = 0, 0, 0
            while True:
                if pos >= end:
                    return True
                b = data[pos]
                pos += 1
                n += 1
                length |= (b & 0x7F) << shift
                if b < 0x80:
                    break
                shift += 7
                if n >= _LONG_VARINT:
                    return False
            pos += length
        else:
            return True  # groups (3, 4) and wire types 6, 7: the decoder raises
        if pos > end:
            return True  # a field past the end: the decoder raises ("goes over end")
    return not delimited


def protobuf_strings(data: bytes) -> list[bytes] | None:
    """Every string and bytes value of ``data`` decoded as protobuf without a schema, in the
    decoder's order; None when it is not protobuf or has none."""
    if blackboxprotobuf is None or not data or (data[0] & 7) not in (0, 1, 2, 5) or data[0] < 8:
        return None
    if no_strings(data):
        return None
    return decoded_strings(data)


def decoded_strings(data: bytes) -> list[bytes] | None:
    """:func:`protobuf_strings` by the decoder alone (no pre-filter)."""
    if blackboxprotobuf is None or not data or (data[0] & 7) not in (0, 1, 2, 5) or data[0] < 8:
        return None
    try:
        message, _ = blackboxprotobuf.decode_message(data)
    except Exception:  # bbpb raises many types on non-protobuf input
        return None
    found: list[bytes] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            found.append(node.encode("utf-8", "surrogateescape"))
        elif isinstance(node, bytes | bytearray):
            found.append(bytes(node))

    walk(message)
    return found or None
