"""The lab network a lab's proxy works in: its own host names, the CA of its internal servers and
the countries of its addresses (:class:`~harness.scenario.LabSpec` ``hosts_file``, ``upstream_ca``,
``geo_overrides``; ``harness run --hosts/--upstream-ca/--geo-overrides``, the pytest plugin's
``--harness-hosts/--harness-upstream-ca/--harness-geo-overrides``).

A real lab with split DNS or internal test servers needs them as much as the virtual handset's
world does, and the phone path knows nothing of the virtual world: these are plain files.

- :func:`lab_network` checks the three files (before anything starts) and gives the mitmproxy
  addons (:class:`harness.capture.resolve.HostsResolver` for the hosts file) and options
  (``ssl_verify_upstream_trusted_ca`` for the CA);
- :func:`keep_lab_files` keeps the hosts file and the geo table in the run (artifact kinds
  ``hosts`` and ``geo_overrides``), so the run's later analysis (``findings.json``, ``harness
  analyze``) places the lab's addresses as the lab did.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.parsing import quote, read_bytes

#: the largest upstream CA bundle read (PEM)
MAX_CA_BYTES = 4 << 20

__all__ = ["check_file", "check_upstream_ca", "keep_lab_files", "lab_network"]


def check_upstream_ca(path: str | Path, option: str = "upstream CA") -> Path:
    """``path`` if it holds at least one PEM certificate; UsageError naming the file otherwise."""
    from cryptography import x509

    data = read_bytes(path, option, MAX_CA_BYTES, UsageError)
    problem = "the file is empty" if not data.strip() else "no certificate"
    try:
        certs = x509.load_pem_x509_certificates(data)  # raises ValueError when there is none
    except ValueError as exc:
        certs = []
        if data.strip():  # cryptography's first sentence, without its FAQ link (trial 6b N5)
            problem = quote(str(exc).split(". See ", 1)[0].rstrip("."), 60)
    if not certs:
        raise UsageError(f"{option} '{path}' holds no readable PEM certificate ({problem})",
                         fix="give the CA certificate (PEM, '-----BEGIN CERTIFICATE-----') of the lab's servers")
    return Path(path)


def check_file(kind: str, path: str | Path) -> Any:
    """Read one lab-network file: ``kind`` ``hosts`` (-> ``{name: address}``), ``upstream_ca``
    (-> the path) or ``geo_overrides`` (-> the overrides). Raises the reader's HarnessError
    (HostsFileError, UsageError, AnalysisError) naming the file and the place."""
    if kind == "hosts":
        from harness.capture.resolve import load_hosts

        return load_hosts(path)
    if kind == "upstream_ca":
        return check_upstream_ca(path)
    if kind == "geo_overrides":
        from harness.analysis.geo import load_overrides

        return load_overrides(path)
    raise ValueError(f"unknown lab-network file kind {kind!r}")


def lab_network(spec: Any) -> tuple[list[Any], dict[str, Any]]:
    """(addons, mitmproxy options) of a LabSpec's lab network, its files read now (a bad geo
    table fails here, not in the analysis); raises as :func:`check_file`."""
    from harness.capture.resolve import HostsResolver

    addons: list[Any] = []
    options: dict[str, Any] = {}
    if spec.hosts_file is not None:
        addons.append(HostsResolver(check_file("hosts", spec.hosts_file)))
    if spec.upstream_ca is not None:
        options["ssl_verify_upstream_trusted_ca"] = str(check_file("upstream_ca", spec.upstream_ca))
    if spec.geo_overrides is not None:
        check_file("geo_overrides", spec.geo_overrides)
    return addons, options


def keep_lab_files(spec: Any, store: Any) -> None:
    """Keep the spec's hosts file and geo table in the run (``artifacts/lab-hosts``,
    ``artifacts/lab-geo<suffix>``), before the target's own tables (so the lab's come first)."""
    if spec.geo_overrides is not None:
        store.add_artifact(f"lab-geo{Path(spec.geo_overrides).suffix}", Path(spec.geo_overrides), kind="geo_overrides")
    if spec.hosts_file is not None:
        store.add_artifact("lab-hosts", Path(spec.hosts_file), kind="hosts")
