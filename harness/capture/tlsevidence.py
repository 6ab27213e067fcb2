"""What a client's TLS connection to the proxy shows about certificate pinning.

A finding is evidence: a client that completes the handshake and closes without a request is not,
by itself, a pinning client (browsers and HTTP clients open spare connections and close them
unused: a headless Chromium run had one beside 52 good HTTP/2 flows to the same host). The
recorder calls a client's connection a TLS failure only with positive evidence:

* ``client_alert``: the client sent a TLS alert that rejects the session — a certificate alert
  (``bad_certificate``, ``unknown_ca``, ``certificate_unknown``, ...; RFC 8446 section 6.2) during
  or right after the handshake, or ``user_canceled`` right behind its ``Finished`` (what a JDK
  client sends when the application rejects the session it just negotiated, e.g. OkHttp's
  ``CertificatePinner``); ``close_notify`` alone is an ordinary close;
* ``repeated_closes``: the :data:`REPEATED_CLOSES`-th close without a request from one client
  address to one host when that address has sent no request to that host inside TLS so far (a
  request inside the TLS session shows the client trusted the proxy's certificate).

Otherwise the connection is recorded as kind ``idle``. Alerts are read with OpenSSL's info callback
(``SSL_CB_READ_ALERT``; pyOpenSSL ``Context.set_info_callback``), which sees every alert record
the proxy's TLS layer processes, including those mitmproxy itself does not report.
"""

from __future__ import annotations

import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from OpenSSL import SSL

#: closes without a request (same client address, same host, no success) that count as evidence
REPEATED_CLOSES = 3
#: ids of earlier closes kept per (client, host) and cited with the evidence
KEEP_IDS = 20

#: TLS alert descriptions (RFC 8446 section 6, RFC 5246 section 7.2)
ALERT_NAMES = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 22: "record_overflow",
    40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
    45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
    49: "access_denied", 50: "decode_error", 51: "decrypt_error", 70: "protocol_version",
    71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
    109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
    113: "bad_certificate_status_response", 115: "unknown_psk_identity", 116: "certificate_required",
    120: "no_application_protocol",
}
#: alerts by which a client rejects the proxy's certificate (RFC 8446 section 6.2)
CERTIFICATE_ALERTS = frozenset({"bad_certificate", "unsupported_certificate", "certificate_revoked",
                                "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied"})
#: alerts that reject the session just negotiated: the certificate alerts and ``user_canceled``
REJECTING_ALERTS = CERTIFICATE_ALERTS | {"user_canceled"}
#: the same rejections in OpenSSL's and mitmproxy's error wording (mitmproxy's ``tls.py`` names a
#: client's distrust by "unknown ca", "bad certificate" or "certificate unknown" in the error)
ERROR_WORDS = ("unknown ca", "bad certificate", "certificate unknown", "certificate expired",
               "certificate revoked", "unsupported certificate", "does not trust the proxy's certificate")

AFTER_HANDSHAKE_ERROR = ("client closed the connection after the TLS handshake without sending a request "
                         "(certificate pinning?)")
IDLE_ERROR = "client closed the connection after the TLS handshake without sending a request"


def rejecting(alerts: list[str]) -> list[str]:
    """The alerts among ``alerts`` that reject the session (see :data:`REJECTING_ALERTS`)."""
    return [a for a in alerts if a in REJECTING_ALERTS]


def error_rejects(error: str | None) -> bool:
    """True if a TLS error message names a certificate rejection by the client (mitmproxy's text)."""
    low = (error or "").lower()
    # mitmproxy's text for a client that just disconnected *guesses* distrust: not evidence
    low = low.replace("may indicate that the client does not trust the proxy's certificate", "")
    return any(w in low for w in ERROR_WORDS)


class AlertLog:
    """Alerts each client sent to the proxy, read with the TLS context's info callback.

    ``watch(ssl_conn, client_id)`` when mitmproxy starts the client's TLS (``tls_start_client``);
    ``alerts(client_id)`` gives the names in order; ``forget(client_id)`` when the client is gone.
    The callback runs on the proxy's event loop (inside OpenSSL calls mitmproxy makes).
    """

    def __init__(self) -> None:
        self._conns: weakref.WeakKeyDictionary[SSL.Connection, str] = weakref.WeakKeyDictionary()
        self._contexts: weakref.WeakSet[SSL.Context] = weakref.WeakSet()
        self._alerts: dict[str, list[str]] = {}

    def watch(self, ssl_conn: SSL.Connection, client_id: str) -> None:
        ctx = ssl_conn.get_context()
        self._conns[ssl_conn] = client_id
        if ctx not in self._contexts:
            # mitmproxy sets no info callback on its client contexts (checked for mitmproxy 11)
            ctx.set_info_callback(self._info)
            self._contexts.add(ctx)

    def _info(self, conn: SSL.Connection, where: int, ret: int) -> None:
        if where & SSL.SSL_CB_READ_ALERT != SSL.SSL_CB_READ_ALERT:
            return
        cid = self._conns.get(conn)
        if cid is not None:
            desc = ret & 0xFF
            self._alerts.setdefault(cid, []).append(ALERT_NAMES.get(desc, f"alert_{desc}"))

    def alerts(self, client_id: str) -> list[str]:
        return list(self._alerts.get(client_id, ()))

    def forget(self, client_id: str) -> None:
        self._alerts.pop(client_id, None)


@dataclass
class CloseTally:
    """Closes without a request and requests sent inside TLS, per (client address, host).

    Memory is bounded per pair: a count and the ids of the last :data:`KEEP_IDS` closes.
    """

    threshold: int = REPEATED_CLOSES
    _closes: dict[tuple[str, str], tuple[int, deque[str]]] = field(default_factory=dict)
    _ok: set[tuple[str, str]] = field(default_factory=set)

    def success(self, client_ip: str, host: str | None) -> None:
        if host:
            self._ok.add((client_ip, host.lower()))

    def close(self, client_ip: str, host: str | None, record_id: str) -> dict[str, Any] | None:
        """Count a close; returns the evidence (``repeated_closes``, ``earlier_ids``) when the count
        has reached the threshold with no request sent inside TLS, else None."""
        if not host:
            return None
        key = (client_ip, host.lower())
        count, ids = self._closes.get(key, (0, deque(maxlen=KEEP_IDS)))
        earlier = list(ids)
        ids.append(record_id)
        self._closes[key] = (count + 1, ids)
        if key in self._ok or count + 1 < self.threshold:
            return None
        return {"repeated_closes": count + 1, "earlier_ids": earlier}
