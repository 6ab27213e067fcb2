"""Scenario packs installed with the harness: each ``harness.packs.<name>`` is a package with
``TITLE``, ``SOURCE`` (the public source of its claims), ``claims.py`` (claim functions
``f(lab) -> ClaimResult``) and ``test_claims.py`` (one pytest test per claim, its sentence in the
``claim`` marker; the ``lab`` and ``verdict`` fixtures come from the harness pytest plugin).

Registered as entry points in group ``harness.packs`` (pyproject.toml); docs/scenarios.md lists
the packs, their claims and sources.
"""
