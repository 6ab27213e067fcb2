"""Plaintext seen by the crypto agent is placed at the destination of the flow that carried its
ciphertext (harness.analysis.cryptolink), so encrypted personal data gets a country."""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness.analysis import Options, analyze
from harness.analysis.cryptolink import link_ciphertexts
from harness.analysis.geo import GeoResolver, load_overrides
from harness.testing.flows import agent_event, http_flow, make_run

ANDROID_ID = "9774d56d682e549c"


def _seal(plaintext: bytes) -> tuple[bytes, bytes]:
    """AES-128-CBC as the vendor SDK does it; returns (ciphertext, wire body with JSON's \\/ escaping)."""
    key, iv = os.urandom(16), os.urandom(16)
    padder = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = enc.update(padder.update(plaintext) + padder.finalize()) + enc.finalize()
    body = json.dumps({"v": 1, "iv": base64.b64encode(iv).decode(), "data": base64.b64encode(ct).decode()})
    return ct, body.replace("/", "\\/").encode()


def _event(plaintext: bytes, ct: bytes, step: str = "s1"):
    return agent_event("crypto:plaintext", {"operation": "encrypt", "algorithm": "AES/CBC/PKCS5Padding",
                                            "ciphertext": base64.b64encode(ct).decode()},
                       data=plaintext, step_id=step)


def test_link_finds_the_flow_in_each_encoding():
    plain = json.dumps({"android_id": ANDROID_ID, "pad": "x" * 200}).encode()
    ct, body = _seal(plain)
    hexed = http_flow("https://b.test/", method="POST", request_body=ct.hex().encode())
    wire = http_flow("https://a.test/sa", method="POST", request_body=body)
    other = http_flow("https://c.test/", method="POST", request_body=b"{}")
    ev = _event(plain, ct)
    links = link_ciphertexts([ev], [(f.id, f.request_body) for f in (other, wire)])
    assert links[ev.id].flow_id == wire.id and links[ev.id].chain == "base64>AES/CBC/PKCS5Padding"
    assert link_ciphertexts([ev], [(hexed.id, hexed.request_body)])[ev.id].form == "hex"
    assert link_ciphertexts([ev], [(other.id, other.request_body)]) == {}
    short = _event(plain, ct[:8])
    assert link_ciphertexts([short], [(wire.id, wire.request_body)]) == {}


def test_encrypted_identifier_is_reported_abroad(tmp_path):
    plain = json.dumps([{"event": "app_start", "properties": {"android_id": ANDROID_ID}}]).encode()
    ct, body = _seal(plain)
    flow = http_flow("https://tracking.intl.vendor.test/sa?project=mibrowser", method="POST", request_body=body,
                     server_ip="127.80.1.13", step_id="s1")
    stray_plain = json.dumps({"android_id": ANDROID_ID, "local": True}).encode()
    stray_ct, _ = _seal(stray_plain)  # encrypted but never sent
    ev, stray = _event(plain, ct), _event(stray_plain, stray_ct)
    run = make_run(tmp_path / "run", [flow], [ev, stray], steps=[("s1", "telemetry")])
    geo_file = tmp_path / "geo.json"
    geo_file.write_text(json.dumps({"overrides": [{"cidr": "127.80.1.13/32", "country": "SG"}]}))
    a = analyze(run, Options(facts={"android_id": ANDROID_ID}, geo=GeoResolver(load_overrides(geo_file))))
    abroad = [f for f in a.finding_list if f.kind == "pii_abroad"]
    assert len(abroad) == 1
    f = abroad[0]
    assert f.details["destination"] == "tracking.intl.vendor.test" and f.details["countries"] == ["SG"]
    assert f.flow_ids == [flow.id] and f.event_ids == [ev.id]
    assert f.details["chains"] == ["base64>AES/CBC/PKCS5Padding"]
    # how the event and the flow are tied (trial 6, J): where the ciphertext is in the body, which
    # field of the plaintext held the value
    at = body.index(b'"data": "') + len(b'"data": "')  # the ciphertext's base64 text starts there
    assert f.details["cipher_links"] == [{
        "event_id": ev.id, "flow_id": flow.id, "value": "android_id", "encoding": "base64",
        "algorithm": "AES/CBC/PKCS5Padding", "body_offset": at, "plaintext_field": "android_id",
        "plaintext_offset": plain.index(ANDROID_ID.encode()), "plaintext_chain": ""}]
    sent = next(x for x in a.finding_list if x.kind == "pii_sent" and x.flow_ids == [flow.id])
    assert sent.summary == ("android_id sent to tracking.intl.vendor.test "
                            "(as-is in the decrypted body; carried base64>AES/CBC/PKCS5Padding)")
    # the plaintext that never left the device is still reported as seen, without a destination
    unplaced = [x for x in a.finding_list if x.kind == "pii_sent" and x.details["destination"] is None]
    assert [x.event_ids for x in unplaced] == [[stray.id]]
