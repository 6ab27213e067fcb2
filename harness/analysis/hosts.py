"""Host names and authorities in one canonical form, for every loader (run store, ``.mitm``, HAR).

A destination is grouped, geolocated and matched against policy globs by its host name, so the
same server must always be spelled the same way:

- lower case (DNS names are case-insensitive, RFC 4343);
- without the trailing dot of a fully qualified name (``collect.example.com.`` is the same name as
  ``collect.example.com``, RFC 1034 section 3.1);
- an IP literal without the brackets of its URL form (RFC 3986 section 3.2.2:
  ``[2408:8000::1]`` in a URL is the host ``2408:8000::1``) and in the address's compressed form;
  an IPv4-mapped IPv6 address (``::ffff:47.241.69.153``, as dual-stack sockets report peers) as
  the IPv4 address;
- an internationalised name as its A-label (``bücher.example`` is ``xn--bcher-kva.example``,
  IDNA 2008 with the UTS 46 mapping, the ``idna`` package);
- a port left in a host field (``collect.example.com:443``) removed.

URLs are built back with the brackets (:func:`netloc`).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import idna

from harness.capture.records import FlowRecord

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


@lru_cache(maxsize=65536)
def normalise_host(host: str | None) -> str | None:
    """The canonical form of a host name or IP literal (see the module docstring); None stays None.

    >>> normalise_host("[2408:8000:0::1]"), normalise_host("Collect.Example-DPF.com.")
    ('2408:8000::1', 'collect.example-dpf.com')
    """
    if host is None:
        return None
    h = host.strip()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    zone = ""
    if "%" in h:  # an IPv6 zone id (fe80::1%eth0) is kept as it is
        h, zone = h.split("%", 1)
        zone = "%" + zone
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        pass
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:  # ::ffff:a.b.c.d from a dual-stack socket
            return str(ip.ipv4_mapped)
        return str(ip) + zone
    h = (h + zone).rstrip(".").lower()
    if not h.isascii():  # an internationalised name: its A-label form (IDNA 2008, UTS 46 mapping)
        try:
            h = idna.encode(h, uts46=True).decode("ascii")
        except idna.IDNAError:
            pass
    return h or None


def split_authority(authority: str) -> tuple[str | None, int | None]:
    """``host[:port]`` -> (normalised host, port or None). Brackets mark an IPv6 literal; a bare
    string with several colons is an IPv6 address without a port. A port that is not a number in
    0..65535 is dropped."""
    a = authority.strip()
    port_text = ""
    if a.startswith("["):
        end = a.find("]")
        host, rest = (a[1:end], a[end + 1:]) if end > 0 else (a[1:], "")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif a.count(":") == 1:
        host, port_text = a.split(":", 1)
    else:
        host = a
    port = int(port_text) if port_text.isdigit() and int(port_text) <= 65535 else None
    return normalise_host(host), port


def netloc(host: str, port: int | None, scheme: str | None) -> str:
    """The URL authority for ``host`` and ``port``: IPv6 literals in brackets, the scheme's
    default port left out."""
    h = f"[{host}]" if ":" in host else host
    if port is None or port == DEFAULT_PORTS.get((scheme or "").lower()):
        return h
    return f"{h}:{port}"


def normalise_record(rec: FlowRecord) -> FlowRecord:
    """Bring ``rec``'s host fields (``host``, ``server_host``, ``sni``, ``server_ip``) into canonical
    form and rebuild an absolute URL whose authority is not the canonical one for its host and port
    (a trailing dot, brackets missing or doubled ports). Changes ``rec`` in place and returns it."""
    rec.host = _host_field(rec.host)
    rec.server_host = _host_field(rec.server_host)
    rec.sni = normalise_host(rec.sni)
    rec.server_ip = normalise_host(rec.server_ip)
    if rec.url and rec.host and "://" in rec.url:
        rec.url = _canonical_url(rec.url, rec.host, rec.port)
    return rec


def _host_field(value: str | None) -> str | None:
    """A host field that may carry a port by mistake (``host:443``, ``[v6]:443``)."""
    if value is None:
        return None
    return split_authority(value)[0] if ":" in value else normalise_host(value)


def _canonical_url(url: str, host: str, port: int | None) -> str:
    start = url.index("://") + 3
    end = len(url)
    for sep in "/?#":
        i = url.find(sep, start)
        if 0 <= i < end:
            end = i
    authority = _canonical_authority(url[:start - 3].lower(), url[start:end], host, port)
    return url if authority is None else url[:start] + authority + url[end:]


@lru_cache(maxsize=65536)
def _canonical_authority(scheme: str, authority: str, host: str, port: int | None) -> str | None:
    """The canonical authority for a URL's ``authority`` naming ``host``, or None to keep it as it is
    (already canonical, or it names another host)."""
    userinfo, _, hostport = authority.rpartition("@")
    try:
        parts = urlsplit(f"{scheme}://{hostport}/")
        url_host, url_port = parts.hostname, parts.port
    except ValueError:  # e.g. "[2408:8000::1]:8443:8443": the port is not a number
        url_host, url_port = None, None
    if url_host is not None:
        if normalise_host(url_host) != host:
            return None  # the URL names another host: keep it as recorded
        port = url_port if url_port is not None else port
    want = netloc(host, port if port is not None else DEFAULT_PORTS.get(scheme), scheme)
    want = f"{userinfo}@{want}" if userinfo else want
    return None if want == authority else want
