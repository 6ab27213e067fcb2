"""Google Play services on the virtual handset: the advertising ID.

On a phone, Play services generates a random advertising ID (a UUID) the first time it runs and
keeps it in its shared preferences, ``/data/data/com.google.android.gms/shared_prefs/
adid_settings.xml`` (root needed to read it; deleting the file resets the ID). Apps get it through
the platform API (``AdvertisingIdClient``); on the virtual handset the app host hands it to apps
with their props (``gms.advertising_id``, docs/dev/contracts.md section 2). The file here is the
only place the ID lives, so what the device layer reads with ``su`` and what apps send agree.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from harness.fsutil import private_dir, write_private
from harness.sim.android.fs import DeviceFS

GMS_PACKAGE = "com.google.android.gms"
ADID_PREFS = f"/data/data/{GMS_PACKAGE}/shared_prefs/adid_settings.xml"
#: the props key under which apps receive the advertising ID (the vapp runtime's advertisingId())
ADID_PROP = "gms.advertising_id"


def render_adid_prefs(advertising_id: str, *, limit_ad_tracking: bool = False, reset_count: int = 0) -> str:
    """``adid_settings.xml`` in Android's SharedPreferences XML format."""
    return (
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n"
        "<map>\n"
        f'    <string name="adid_key">{escape(advertising_id)}</string>\n'
        f'    <int name="adid_reset_count" value="{int(reset_count)}" />\n'
        f'    <boolean name="enable_limit_ad_tracking" value="{str(limit_ad_tracking).lower()}" />\n'
        "</map>\n"
    )


def parse_adid_prefs(text: str) -> str | None:
    """The ``adid_key`` value of a shared-prefs document (None if absent, malformed or not a UUID)."""
    try:
        root = ET.fromstring(text.encode())
    except ET.ParseError:
        return None
    for node in root.iter("string"):
        if node.get("name") == "adid_key" and node.text:
            try:
                return str(uuid.UUID(node.text.strip()))
            except ValueError:
                return None
    return None


def read_advertising_id(fs: DeviceFS) -> str | None:
    path = fs.host_path(ADID_PREFS)
    try:
        return parse_adid_prefs(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def ensure_advertising_id(fs: DeviceFS) -> str:
    """The handset's advertising ID; generated and persisted when Play services has none yet
    (first boot, or after ``pm clear com.google.android.gms`` / deleting the file)."""
    with fs.lock:
        current = read_advertising_id(fs)
        if current is not None:
            return current
        new = str(uuid.uuid4())
        path = fs.host_path(ADID_PREFS)
        private_dir(path.parent)
        write_private(path, render_adid_prefs(new))
        return new
