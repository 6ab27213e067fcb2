"""The lab network's hosts file (harness.capture.resolve): the parser, its refusals (one line naming
the file and line), a property test over arbitrary text, and the addon in a real proxy: the flow
keeps the name the client asked for while the proxy connects to the file's address."""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.capture.resolve import HostsFileError, HostsResolver, load_hosts, parse_hosts, valid_host
from harness.capture.session import CaptureSession
from harness.errors import UsageError
from harness.testing import servers


def test_hosts_format_comments_several_names_first_line_wins():
    text = ("# lab bench 3\n"
            "\n"
            "10.0.8.20\tapi.vendor.test  CDN.Vendor.Test.   # two names, a final dot, any case\n"
            "  fd00::8 telemetry.vendor.test\n"
            "10.0.8.99 api.vendor.test\n"           # a later line for the same name loses (hosts(5))
            "127.0.0.1 localhost\n")
    assert parse_hosts(text) == {"api.vendor.test": "10.0.8.20", "cdn.vendor.test": "10.0.8.20",
                                 "telemetry.vendor.test": "fd00::8", "localhost": "127.0.0.1"}
    resolver = HostsResolver(parse_hosts(text))
    assert resolver.resolve("API.vendor.test.") == "10.0.8.20" and resolver.resolve("other.test") is None


@pytest.mark.parametrize(("line", "said"), [
    ("10.0.8.300 api.vendor.test", "'10.0.8.300' is not an IPv4 or IPv6 address"),
    ("api.vendor.test 10.0.8.20", "'api.vendor.test' is not an IPv4 or IPv6 address"),
    ("10.0.8.20", "the address '10.0.8.20' names no host"),
    ("10.0.8.20 api..vendor.test", "'api..vendor.test' is not a host name"),
    ("10.0.8.20 -bad.test", "'-bad.test' is not a host name"),
    ("10.0.8.20 " + "a" * 64 + ".test", "is not a host name"),
])
def test_a_bad_line_is_one_line_naming_file_and_line(tmp_path: Path, line: str, said: str):
    path = tmp_path / "hosts"
    path.write_text(f"# ok\n10.0.0.1 fine.test\n{line}\n")
    with pytest.raises(HostsFileError) as info:
        load_hosts(path)
    message = str(info.value)
    assert isinstance(info.value, UsageError)  # exit status 2 at the CLI
    assert message.startswith(f"{path}:3: ") and said in message and "(fix: " in message and "\n" not in message


def test_a_missing_or_binary_file(tmp_path: Path):
    with pytest.raises(HostsFileError, match="cannot read hosts file"):
        load_hosts(tmp_path / "nope")
    (tmp_path / "bin").write_bytes(b"10.0.0.1 a.test\n\xff\xfe")
    with pytest.raises(HostsFileError, match="not UTF-8"):
        load_hosts(tmp_path / "bin")


@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_parses_or_is_refused_in_one_line(text: str):
    try:
        table = parse_hosts(text, "fuzz")
    except HostsFileError as exc:
        assert str(exc).startswith("fuzz:") and "\n" not in str(exc) and "(fix: " in str(exc)
        return
    for name, address in table.items():
        assert valid_host(name) and name == name.lower() and not name.endswith(".")
        ipaddress.ip_address(address)


_labels = st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?\Z", fullmatch=True)
_names = st.lists(_labels, min_size=1, max_size=4).map(".".join)
_addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)).map(str)


@settings(max_examples=100, deadline=None, database=None, derandomize=True)
@given(st.dictionaries(_names, _addresses, max_size=12), st.sampled_from([" ", "\t", "   "]))
def test_a_written_table_reads_back(table: dict[str, str], sep: str):
    text = "\n".join(f"{ip}{sep}{name}  # {name}" for name, ip in table.items())
    assert parse_hosts(text) == {name: str(ipaddress.ip_address(ip)) for name, ip in table.items()}


def test_the_addon_connects_to_the_address_and_keeps_the_name(tmp_path: Path):
    """Real proxy, real upstream: ``api.world.test`` exists only in the hosts file; the server's
    certificate names it (and the proxy checks it upstream against the lab CA)."""
    pki = servers.TestPKI(tmp_path)
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 api.world.test\n")
    with servers.TestServer(pki, http2=False) as server:
        session = CaptureSession(tmp_path / "run", confdir=tmp_path / "ca", addons=[HostsResolver.from_file(hosts)],
                                 options={"ssl_verify_upstream_trusted_ca": str(pki.ca_cert)})
        session.start()
        try:
            assert session.ca is not None and session.address is not None
            proxy = f"http://{session.address[0]}:{session.address[1]}"
            context = ssl.create_default_context(cafile=str(session.ca.cert))
            with httpx.Client(proxy=proxy, verify=context, timeout=20) as client:
                answer = client.get(f"https://api.world.test:{server.port}/hello")
            assert answer.text == "hello"
            session.flush()
            assert session.store is not None
            flows = [f for f in session.store.iter_flows() if f.path == "/hello"]
        finally:
            session.stop("complete")
    assert len(flows) == 1
    flow = flows[0]
    assert flow.host == "api.world.test" and flow.server_ip == "127.0.0.1" and flow.status_code == 200
