"""Declared shapes (JSON Schema, checked by :func:`harness.parsing.check_shape`) of analysis inputs.

Facts JSON, policy YAML and geo override tables. The caps bound what one file can cost: a searched
value of 262 000 characters crashed the Aho-Corasick automaton (issue 12) and 100 000 installed
apps took 72 s, so searched values are at most :data:`MAX_VALUE_CHARS` characters and lists at
most a few thousand entries. docs/robustness.md lists every limit.
"""

from __future__ import annotations

from typing import Any

#: file size caps (bytes)
MAX_FACTS_BYTES = 1 << 20
MAX_POLICY_BYTES = 256 << 10
MAX_GEO_BYTES = 2 << 20

#: longest value searched for in traffic (an IMEI is 15, an e-mail address at most 254)
MAX_VALUE_CHARS = 1024
#: most installed apps one facts file may list (a phone has a few hundred)
MAX_APPS = 2000
#: most entries in one searched list (phone numbers, accounts, canaries, custom values)
MAX_LIST = 256
#: most entries in a geo override table and host rules in a policy
MAX_GEO_ENTRIES = 20_000
MAX_POLICY_HOSTS = 2_000

_TEXT: dict[str, Any] = {"type": "string", "maxLength": MAX_VALUE_CHARS}
#: a searched value is text: a JSON number would be searched as Python prints it (a phone number's
#: leading 0 or +, an IMEI past 2**53 in other readers, 1e20) -- a likely mistake, so refused
_SCALAR: dict[str, Any] = _TEXT
_NAMED = {"type": "object", "properties": {"name": _SCALAR, "value": _SCALAR, "type": _SCALAR},
          "maxProperties": 16, "propertyNames": {"type": "string"}}
_ONE_OR_MANY = {"anyOf": [{"type": "null"}, _SCALAR, _NAMED,
                          {"type": "array", "maxItems": MAX_LIST,
                           "items": {"anyOf": [{"type": "null"}, _SCALAR, _NAMED]}}]}
_COORD = {"anyOf": [{"type": "number"}, {"type": "string", "maxLength": 32}]}
_LOCATION = {"anyOf": [
    {"type": "array", "minItems": 2, "maxItems": 2, "items": _COORD},
    {"type": "object", "maxProperties": 16, "propertyNames": {"type": "string"},
     "properties": {k: _COORD for k in ("lat", "latitude", "lon", "lng", "longitude")},
     "anyOf": [{"required": ["lat"]}, {"required": ["latitude"]}]},
]}

#: the facts keys :func:`harness.analysis.facts.known_values_from_facts` reads
SEARCHED_KEYS = (
    "android_id", "advertising_id", "gaid", "aaid", "oaid", "imei", "imeis", "meid", "serial", "serial_number",
    "ro.serialno", "phone_number", "phone_numbers", "msisdn", "account_email", "account_emails", "accounts",
    "email", "wifi_mac", "mac", "wlan_mac", "bluetooth_mac", "imsi", "iccid",
)

FACTS: dict[str, Any] = {
    "$defs": {"facts": {
        "type": "object",
        "maxProperties": 1000,
        "propertyNames": {"type": "string", "maxLength": 256},
        "properties": {
            **{k: _ONE_OR_MANY for k in SEARCHED_KEYS},
            "location": {"anyOf": [{"type": "null"}, _LOCATION]},
            "installed_apps": {"anyOf": [{"type": "null"}, {
                "type": "array", "maxItems": MAX_APPS,
                "items": {"type": "string", "maxLength": 256}}]},
            "canaries": {"anyOf": [
                {"type": "null"},
                {"type": "object", "maxProperties": MAX_LIST, "propertyNames": {"type": "string", "maxLength": 128},
                 "additionalProperties": {"anyOf": [
                     {"type": "null"}, _SCALAR, _LOCATION,
                     {"type": "object", "maxProperties": 16, "propertyNames": {"type": "string"},
                      "additionalProperties": {"anyOf": [{"type": "null"}, _SCALAR]}},
                     {"type": "array", "maxItems": MAX_LIST, "items": {"anyOf": [{"type": "null"}, _SCALAR]}}]}},
                {"type": "array", "maxItems": MAX_LIST, "items": {
                    "type": "object", "properties": {"kind": _TEXT, "value": {"anyOf": [{"type": "null"}, _SCALAR]}},
                    "propertyNames": {"type": "string"}}},
            ]},
            "custom": {"anyOf": [
                {"type": "null"},
                {"type": "object", "maxProperties": MAX_LIST, "propertyNames": {"type": "string", "maxLength": 128},
                 "additionalProperties": {"anyOf": [{"type": "null"}, _SCALAR]}}]},
        },
    }},
    "allOf": [{"$ref": "#/$defs/facts"}],
    "properties": {"facts": {"anyOf": [{"type": "null"}, {"type": "string"}, {"$ref": "#/$defs/facts"}]}},
}

_HOST_GLOB = {"type": "string", "minLength": 1, "maxLength": 253}
_COUNTRIES = {"anyOf": [{"type": "string", "maxLength": 16},
                        {"type": "array", "maxItems": 300, "items": {"type": "string", "maxLength": 16}},
                        {"type": "null"}]}

POLICY: dict[str, Any] = {
    "anyOf": [{"type": "null"}, {
        "type": "object",
        "propertyNames": {"type": "string"},
        "additionalProperties": False,
        "properties": {
            "home": _COUNTRIES,
            "adequate": _COUNTRIES,
            "dpf_certified": {"anyOf": [{"type": "null"},
                                        {"type": "array", "maxItems": MAX_POLICY_HOSTS, "items": _HOST_GLOB}]},
            "hosts": {"anyOf": [{"type": "null"}, {
                "type": "object", "maxProperties": MAX_POLICY_HOSTS,
                "propertyNames": {"type": "string", "minLength": 1, "maxLength": 253},
                "additionalProperties": {"enum": ["domestic", "adequate", "third_country", "unknown"]}}]},
        },
    }],
}

_GEO_VALUE = {"anyOf": [{"type": "string", "maxLength": 512}, {"type": "integer"}, {"type": "null"}]}
_GEO_ENTRY = {"type": "object", "maxProperties": 16, "propertyNames": {"type": "string", "maxLength": 64},
              "additionalProperties": _GEO_VALUE}
_GEO_LIST = {"type": "array", "maxItems": MAX_GEO_ENTRIES, "items": _GEO_ENTRY}
_GEO_MAP = {"type": "object", "maxProperties": MAX_GEO_ENTRIES, "propertyNames": {"type": "string", "maxLength": 64},
            "not": {"required": ["overrides"]},
            "additionalProperties": {"anyOf": [{"type": "string", "maxLength": 64}, _GEO_ENTRY]}}

GEO_OVERRIDES: dict[str, Any] = {
    "anyOf": [
        _GEO_LIST,
        {"type": "object", "required": ["overrides"], "properties": {"overrides": {"anyOf": [_GEO_LIST, _GEO_MAP]}}},
        _GEO_MAP,
    ],
}
