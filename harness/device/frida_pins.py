"""Which frida-server binaries the harness pushes to a phone and runs as root: only pinned ones.

A binary is accepted when the SHA-256 of the *unpacked* file is pinned for its Frida version and
Android ABI, either in :data:`PINS` (shipped with the package) or in the lab's own list
``HARNESS_HOME/frida-server/pins.sha256`` (a file of the user's, not writable by others), one
line per binary in ``sha256sum`` style::

    <64 hex digits>  <version>/<abi>            e.g.  3f1c...9a  17.2.11/arm64-v8a

Anything else is refused before it is pushed (issue 11 item 6): checking ``--version`` alone lets
any file that prints the right string run as root. Frida's GitHub releases publish each asset's
SHA-256 digest on the release page; a lab verifies a download against it once and pins it.

The virtual handset's stand-in (a text file starting ``#!vsim:frida-server``, see
:mod:`harness.sim.android.shell.executables`) is not a native binary; the virtual handset runs it
and a phone cannot, so it needs no pin.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from harness.errors import FridaServerError
from harness.fsutil import check_private_file

#: version -> ABI -> SHA-256 of the unpacked frida-server. Empty until entries are verified against
#: the digests on github.com/frida/frida/releases (this build machine has no access to them).
PINS: dict[str, dict[str, str]] = {}

STANDIN_MAGIC = b"#!vsim:frida-server "
_LINE = re.compile(r"^(?P<sha>[0-9a-fA-F]{64})\s+\*?(?P<version>[0-9][0-9A-Za-z.+-]*)/(?P<abi>[A-Za-z0-9_-]+)\s*$")


def pins_file(home: Path) -> Path:
    return Path(home) / "frida-server" / "pins.sha256"


def lab_pins(home: Path) -> dict[str, dict[str, str]]:
    """The lab's pins file, checked: ours, not a symlink (FridaServerError on a bad line)."""
    path = pins_file(home)
    if not path.exists():
        return {}
    check_private_file(path, None)
    out: dict[str, dict[str, str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line.strip())
        if m is None:
            raise FridaServerError(f"{path} line {number}: not `<sha256>  <version>/<abi>`",
                                   attempted="read frida-server pins",
                                   fix="write one `sha256sum` line per binary, e.g. `<64 hex>  17.2.11/arm64-v8a`")
        out.setdefault(m["version"], {})[m["abi"]] = m["sha"].lower()
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_binary(data: bytes, version: str, abi: str, home: Path, name: str = "frida-server") -> str:
    """Return how ``data`` was accepted (``"pinned"``, ``"lab pin"``, ``"virtual handset stand-in"``)
    or raise FridaServerError naming its SHA-256."""
    if data.startswith(STANDIN_MAGIC):
        return "virtual handset stand-in"
    digest = sha256(data)
    if PINS.get(version, {}).get(abi) == digest:
        return "pinned"
    if lab_pins(home).get(version, {}).get(abi) == digest:
        return "lab pin"
    raise FridaServerError(
        f"{name} (sha256 {digest[:16]}...) is not a pinned frida-server {version} for {abi}; "
        "refusing to run it as root on the device",
        attempted="check frida-server binary",
        fix=(f"take frida-server-{version}-android-<arch>.xz from github.com/frida/frida/releases, check "
             f"its SHA-256 against the release page, and add `{digest}  {version}/{abi}` to "
             f"{pins_file(home)} if this file is that release"),
    )
