"""Capture formats the harness does not read, so that the error names what the file is and what
to do, instead of "not a mitmproxy flow file": flow formats mitmproxy 11 has no converter for
(before 0.11, or newer than it), and files told apart by their first bytes.

Magic numbers: zip (PKWARE APPNOTE 4.3.7, ``PK\\x03\\x04``; Playwright's ``recordHar`` writes a
``.zip`` with the HAR and its body files), pcap (libpcap ``a1b2c3d4`` in either byte order, and
the nanosecond ``a1b23c4d``), pcapng (Section Header Block ``0a0d0d0a``, IETF draft-ietf-opsawg-pcapng).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mitmproxy import version as mitmproxy_version

from harness.errors import AnalysisError

#: what ``mitmproxy.io.compat.migrate_flow`` says of a flow format it has no converter for
UNREADABLE_VERSION = "cannot read files with flow format version"


def flow_version_error(path: Path, state: Any) -> AnalysisError:
    """The error for a flow format mitmproxy 11 cannot migrate (before 0.11, or newer than it)."""
    raw = state.get("version", state.get(b"version")) if isinstance(state, dict) else None
    found = ".".join(str(v) for v in raw[:2]) if isinstance(raw, list | tuple) else str(raw)
    newer = isinstance(raw, int) and raw > mitmproxy_version.FLOW_FORMAT_VERSION
    return AnalysisError(f"{path} has flow format {found}, {'newer' if newer else 'older'} than mitmproxy "
                         f"{mitmproxy_version.VERSION} reads", fix="open it with the mitmproxy release that wrote "
                         "it and save the flows as HAR (or as a .mitm of a format read here), then analyse that")


_PCAP = (b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1", b"\x0a\x0d\x0d\x0a")


def foreign_format_error(path: Path, head: bytes) -> AnalysisError | None:
    """The error for a file whose first bytes ``head`` show a format the harness does not read
    (a zip archive — a harness evidence bundle is named as one, with the way to its run folder —
    a packet capture), or None."""
    if head.startswith(b"PK\x03\x04"):
        from harness.report.bundle import bundle_given_error

        if bundle := bundle_given_error(path, "analyze", AnalysisError):
            return bundle
        return AnalysisError(f"{path} is a zip archive, not a flow or HAR file (Playwright saves a HAR as .zip)",
                             fix="unzip it and pass the .har inside, with its body files left beside it")
    if head[:4] in _PCAP:
        return AnalysisError(f"{path} is a packet capture (pcap/pcapng), which the harness does not read",
                             fix="record the traffic through the proxy (harness record, or mitmdump -w FILE.mitm) "
                                 "and analyse that")
    return None
