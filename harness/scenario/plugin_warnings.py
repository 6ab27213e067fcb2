"""Warnings from mitmproxy's internals, which a lab's own tests cannot act on: the pytest plugin
ignores them so a claim test's output shows the lab's warnings only (trial report item 12: one
test printed 15 DeprecationWarnings from mitmproxy).

Each filter names the module that warns (pytest's ``filterwarnings`` form
``action:message:category:module``; the module is a regular expression matched at its start), so a
DeprecationWarning raised by the lab's own code, or by the harness, is still shown. The same
filters are in pyproject.toml for the harness's own test suite.
"""

from __future__ import annotations

import pytest

#: mitmproxy 11 still hands pyOpenSSL objects around; passlib and ldap3 are imported with it
MITMPROXY_WARNINGS = (
    "ignore:Passing pyOpenSSL:DeprecationWarning:mitmproxy",
    "ignore::DeprecationWarning:passlib",
    "ignore::DeprecationWarning:ldap3",
)


def ignore_mitmproxy_warnings(config: pytest.Config) -> None:
    """Add :data:`MITMPROXY_WARNINGS` to the session's ``filterwarnings`` (pytest applies them to
    every test, after the project's own ini lines)."""
    for line in MITMPROXY_WARNINGS:
        config.addinivalue_line("filterwarnings", line)
