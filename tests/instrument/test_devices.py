"""Frida device selection: bad input is a clear error. (USB phones and frida-server over adb
forward cannot run on build machines: only the local device and argument checks are tested.)"""

from __future__ import annotations

import pytest

from harness.errors import InstrumentError
from harness.instrument import devices


def test_local_device_is_frida_local():
    assert devices.resolve("local").type == "local"


@pytest.mark.parametrize("kwargs, needle", [
    ({"kind": "remote"}, "needs an address"),
    ({"kind": "remote", "address": "no-port"}, "bad frida-server address"),
    ({"kind": "forward"}, "no adb forward"),
    ({"kind": "bluetooth"}, "unknown Frida device kind"),
])
def test_bad_device_choices(kwargs, needle):
    with pytest.raises(InstrumentError, match=needle):
        devices.resolve(**kwargs)
