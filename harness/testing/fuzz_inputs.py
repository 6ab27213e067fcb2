"""Hypothesis strategies for bad input: valid documents with a few fields replaced by hostile values.

Used by the property tests (``tests/fuzz/``) and by ``benchmarks/fuzz.py``. Each strategy starts
from a document of the right shape (a HAR log, a mitmproxy flow state, facts, a policy, ...) and
replaces a few of its parts with values of issue 12's kinds: wrong types, ``±Infinity``, ``NaN``,
``1e20``, integers past int64, lone surrogates, very long strings, deep nesting; raw inputs are
also cut and spliced. Needs the ``hypothesis`` package (the ``test`` extra).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml
from hypothesis import strategies as st

#: hostile leaf values (the kinds issue 12 found)
SPECIAL_TEXT = ["\udc00", "a\ud800b", "", " ", "\x00", "x" * 300_000, "1e400", "2021-99-99", "a b", "[::1",
                "..", "%00", "é" * 3, "\u202e", "0xZZ", "*", "*.", "-"]
SPECIAL_NUMBERS: list[Any] = [10**20, -1, 2**63, 2**64, -(2**63) - 1, float("inf"), float("-inf"), float("nan"),
                              1e20, 1e308, 0.5, 0, 65536, True]

LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=24),
    st.sampled_from(SPECIAL_TEXT), st.sampled_from(SPECIAL_NUMBERS), st.binary(max_size=16),
)
#: nested values made of hostile leaves
HOSTILE = st.recursive(LEAF, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                       max_leaves=10)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[Any], max_changes: int = 3) -> Any:
    """``base`` with up to ``max_changes`` parts (anywhere in the tree) replaced or removed."""
    doc = copy.deepcopy(draw(base))
    for _ in range(draw(st.integers(0, max_changes))):
        node, depth = doc, draw(st.integers(0, 6))
        parent: Any = None
        key: Any = None
        for _ in range(depth):
            if isinstance(node, dict) and node:
                parent, key = node, draw(st.sampled_from(sorted(node, key=repr)))
            elif isinstance(node, list) and node:
                parent, key = node, draw(st.integers(0, len(node) - 1))
            else:
                break
            node = parent[key]
        if parent is None:
            doc = draw(HOSTILE) if draw(st.integers(0, 9)) == 0 else doc
        elif isinstance(parent, dict) and draw(st.integers(0, 4)) == 0:
            del parent[key]
        else:
            parent[key] = draw(HOSTILE)
    return doc


@st.composite
def spliced(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """Encoded ``base`` bytes, sometimes cut short, with bytes overwritten or inserted."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 3))):
        pos = draw(st.integers(0, len(data)))
        piece = draw(st.binary(min_size=1, max_size=4))
        if draw(st.booleans()):
            data[pos:pos + len(piece)] = piece
        else:
            data[pos:pos] = piece
    if data and draw(st.integers(0, 4)) == 0:
        del data[draw(st.integers(0, len(data) - 1)):]
    return bytes(data)


def _json_bytes(doc: Any) -> bytes:
    try:
        return json.dumps(doc, default=lambda b: b.decode("latin-1")).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError, RecursionError):
        return b"{}"


def _yaml_bytes(doc: Any) -> bytes:
    try:
        return yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, ValueError, TypeError, RecursionError, UnicodeError):
        return b"{}"


def _either(doc: st.SearchStrategy[Any], encode: Any, specials: list[bytes]) -> st.SearchStrategy[bytes]:
    encoded = mutated(doc).map(encode)
    return st.one_of(encoded, encoded, spliced(encoded), st.sampled_from(specials))


#: inputs every text format must survive
_DEEP = [b"[" * 100_000, b"{\"a\":" * 5000 + b"1" + b"}" * 5000, b"- " * 5000 + b"x"]
YAML_SPECIALS = [
    *_DEEP, b"a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
    b"2021-99-99\n", b"home: !!int 0xZZ\n", b"home: " + b"1" * 5000 + b"\n", b"!!python/object/apply:os.system [id]\n",
    b"1:\nz:\n", b"\xfe\xff", b"home: !!timestamp 2021-13-45\n", b"key: !!binary ZZZ\n", b"? [a]\n: b\n",
    b"\t- a", b"a: b: c", b"",
]
JSON_SPECIALS = [*_DEEP, b"1" * 5000, b"{\"a\": 1e400}", b"\xfe\xff", b"{", b"null", b"[]", b""]

_HEADER = st.fixed_dictionaries({"name": st.sampled_from(["Host", "Content-Type", "X-Id", "Cookie"]),
                                 "value": st.sampled_from(["a.test", "text/html", "356938035643809", "k=v"])})
_URL = st.sampled_from(["https://a.example.test/p?q=1", "http://127.0.0.9:8080/", "https://[2408:8000::1]:8443/x",
                        "https://collect.example.test./", "http://x.test/%ff"])
HAR_ENTRY = st.fixed_dictionaries({
    "startedDateTime": st.sampled_from(["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123+02:00"]),
    "time": st.floats(0, 5000),
    "request": st.fixed_dictionaries({
        "method": st.sampled_from(["GET", "POST"]), "url": _URL, "httpVersion": st.just("HTTP/1.1"),
        "headers": st.lists(_HEADER, max_size=3),
        "postData": st.fixed_dictionaries({"mimeType": st.just("application/json"), "text": st.text(max_size=40)}),
    }),
    "response": st.fixed_dictionaries({
        "status": st.sampled_from([200, 204, 301, 404, 0]), "statusText": st.just("OK"),
        "headers": st.lists(_HEADER, max_size=3),
        "content": st.fixed_dictionaries({"mimeType": st.just("text/html"), "text": st.text(max_size=60),
                                          "size": st.integers(0, 100)}),
    }),
    "serverIPAddress": st.sampled_from(["127.0.0.9", "::1", "[::1]", "10.0.0.1", ""]),
})
HAR_DOC = st.fixed_dictionaries({"log": st.fixed_dictionaries({
    "version": st.just("1.2"), "creator": st.just({"name": "fuzz", "version": "1"}),
    "entries": st.lists(HAR_ENTRY, min_size=1, max_size=3)})})
#: whole HAR files
HAR = _either(HAR_DOC, _json_bytes, JSON_SPECIALS)

FACTS_DOC = st.fixed_dictionaries({
    "android_id": st.just("9774d56d682e549c"), "imei": st.just(["356938035643809"]),
    "location": st.just({"lat": 54.6872, "lon": 25.2797}),
    "installed_apps": st.lists(st.sampled_from(["com.a.b", "org.c.d", "net.e.f"]), max_size=3),
    "canaries": st.just({"clipboard": "CANARY-1234", "contact": {"name": "Ann", "phone": "+37060000000"}}),
    "custom": st.just({"token": "abcd-efgh"}),
})
FACTS = _either(FACTS_DOC, _json_bytes, [*JSON_SPECIALS, b"{\"custom\": [\"\"]}",
                                         b"{\"custom\": {\"a\": \"" + b"x" * 262_000 + b"\"}}",
                                         b"{\"installed_apps\": [" + b"\"a.b.c\"," * 20_000 + b"\"z\"]}"])

POLICY_DOC = st.fixed_dictionaries({"home": st.sampled_from(["EU", "EEA", ["LT", "DE"]]),
                                    "adequate": st.just(["CH", "GB", "JP"]),
                                    "dpf_certified": st.just(["*.example-dpf.com"]),
                                    "hosts": st.just({"*.xiaomi.test": "third_country"})})
POLICY = _either(POLICY_DOC, _yaml_bytes, YAML_SPECIALS)

WORLD_DOC = st.fixed_dictionaries({
    "name": st.just("fuzz"), "description": st.text(max_size=20),
    "device": st.just({"region": "LT"}), "network": st.just({"https_port": 443, "block": "auto"}),
    "ad_config": st.just({"serve": True, "terms": "default", "add_terms": ["x"], "region_gate": {"eu_disabled": True}}),
    "telemetry": st.just({"destination": "sg", "identifiers": True, "interval_s": 1.5}),
    "geo": st.just({"ads": "SG"}), "chat_echo_users": st.just(["echo-bot"]),
})
WORLD = _either(WORLD_DOC, _yaml_bytes, YAML_SPECIALS)

GEO_DOC = st.lists(st.fixed_dictionaries({"cidr": st.sampled_from(["127.0.0.9/32", "10.0.0.0/8", "::1/128"]),
                                          "country": st.sampled_from(["SG", "LT", "US"]),
                                          "asn": st.sampled_from([4808, "AS15169", None]),
                                          "label": st.sampled_from(["world", "lab"])}), min_size=1, max_size=3)
#: (file suffix, bytes): YAML, JSON or CSV tables
GEO = st.one_of(
    st.tuples(st.just(".yaml"), _either(GEO_DOC, _yaml_bytes, YAML_SPECIALS)),
    st.tuples(st.just(".json"), _either(GEO_DOC, _json_bytes, JSON_SPECIALS)),
    st.tuples(st.just(".csv"), spliced(st.sampled_from([b"cidr,country,asn,label\n127.0.0.9/32,SG,4808,w\n",
                                                        b"cidr,country\n\"10.0.0.0/8,LT\n", b"\x00,\x00\n"]))),
)


def _shipped_profile() -> Any:
    from importlib import resources

    text = resources.files("harness.scenario").joinpath("profiles", "virtual-vendor.yaml").read_text("utf-8")
    return yaml.safe_load(text)


#: app profile YAML files (harness.scenario.profile), from the shipped virtual-vendor profile
PROFILE = _either(st.builds(_shipped_profile), _yaml_bytes, YAML_SPECIALS)
