"""The harness proxy loads only mitmproxy's default addons that act with default options (issue 17:
each idle addon costs CPU on every flow); an option of any other default addon brings mitmproxy's
full set back, so that option still works. Real proxy, real upstream, real client."""

from __future__ import annotations

import ssl

import httpx

from harness.capture.proxy import ACTIVE_BY_DEFAULT, ProxyRunner, mitmproxy_addons
from harness.testing.servers import TestServer


def test_lean_set_unless_an_option_needs_another_addon() -> None:
    lean = mitmproxy_addons()
    assert {type(a) for a in lean} == set(ACTIVE_BY_DEFAULT)
    assert len(mitmproxy_addons({"ssl_insecure", "mode", "ssl_verify_upstream_trusted_ca"})) == len(lean)
    full = mitmproxy_addons({"modify_headers"})
    assert len(full) > len(lean) and {type(a) for a in lean} <= {type(a) for a in full}


def test_default_proxy_is_lean_and_onboarding_still_answers(tmp_path, h1_server: TestServer, pki) -> None:
    with ProxyRunner(confdir=tmp_path / "ca", options={"ssl_verify_upstream_trusted_ca": str(pki.ca_cert)}) as proxy:
        assert proxy.master is not None
        assert proxy.master.addons.get("save") is None and proxy.master.addons.get("modifyheaders") is None
        with httpx.Client(proxy=proxy.url, verify=ssl.create_default_context(cafile=str(proxy.ca.cert)), timeout=20) as client:
            assert client.get(h1_server.url("/hello")).text == "hello"
            # mitmproxy's onboarding app (acts by default) is still served by the proxy itself
            page = client.get("http://mitm.it/")
            assert page.status_code == 200 and "mitmproxy" in page.text.lower()


def test_option_of_another_default_addon_takes_effect(tmp_path, h1_server: TestServer, pki) -> None:
    options = {"ssl_verify_upstream_trusted_ca": str(pki.ca_cert), "modify_headers": ["/~s/x-harness-added/yes"]}
    with ProxyRunner(confdir=tmp_path / "ca", options=options) as proxy:
        assert proxy.master is not None and proxy.master.addons.get("modifyheaders") is not None
        with httpx.Client(proxy=proxy.url, verify=ssl.create_default_context(cafile=str(proxy.ca.cert)), timeout=20) as client:
            resp = client.get(h1_server.url("/hello"))
        assert resp.text == "hello" and resp.headers.get("x-harness-added") == "yes"
