"""One error root for the whole harness.

Every error the harness raises on purpose derives from :class:`HarnessError`. It carries what was
attempted, the device serial where one is involved, and the fix a technician should try. The CLI
prints ``str(err)`` as one line and exits with status 2; no traceback.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Root of all harness errors.

    ``reason`` is the short problem statement, ``fix`` what to do about it, ``serial`` the device
    involved (if any) and ``attempted`` the operation that failed.
    """

    def __init__(
        self,
        reason: str,
        *,
        fix: str | None = None,
        serial: str | None = None,
        attempted: str | None = None,
    ) -> None:
        self.reason = reason
        self.fix = fix
        self.serial = serial
        self.attempted = attempted
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.serial:
            parts.append(f"[{self.serial}]")
        if self.attempted:
            parts.append(f"{self.attempted}:")
        parts.append(self.reason)
        text = " ".join(parts)
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


class UsageError(HarnessError):
    """Bad arguments or bad input files given by the user."""


class UnsafePathError(HarnessError):
    """A file or folder the harness keeps private belongs to someone else, is a symlink where none
    may be, or is open to other users (see docs/security.md)."""


class CaptureError(HarnessError):
    """The proxy or the recorder failed; what was already recorded is kept."""


class StoreError(CaptureError):
    """The run store cannot be written or read."""


class DeviceError(HarnessError):
    """A handset operation failed."""


class DeviceNotFound(DeviceError):
    """No device with the requested serial is attached."""


class DeviceUnauthorized(DeviceError):
    """The device did not accept this host's ADB key."""


class DeviceOffline(DeviceError):
    """The device went away during an operation."""


class RootRequired(DeviceError):
    """The operation needs root and the device offers none."""


class DeviceDiskFull(DeviceError):
    """The device has no space left for what the harness wanted to write."""


class FridaServerError(DeviceError):
    """frida-server is missing, has the wrong version, or does not answer."""


class JournalError(DeviceError):
    """The restore journal cannot be written, read or replayed."""


class InstrumentError(HarnessError):
    """A Frida session, agent or trigger failed."""


class AnalysisError(HarnessError):
    """Input to analysis is invalid; partial results are marked as such."""


class ScenarioError(HarnessError):
    """A scenario file or step is invalid."""


class SimError(HarnessError):
    """The virtual handset or its world failed."""
