"""Test helpers shipped with the package (like mitmproxy.test): PKI, servers, fixtures.

Used by the harness's own tests and by labs' own pytest suites.
"""
