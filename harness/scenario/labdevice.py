"""A lab's device side, around :func:`harness.scenario.lab.open_lab`'s capture and restore journal:

- :func:`prepare_device` once the capture runs: the device's facts into the run (``facts.json``),
  streaming logcat, the proxy (with ``adb reverse`` where needed), the harness CA, and
  frida-server when the spec asks for one; each step said through ``lab.emit("device"|"frida", ...)``.
  Raises what :mod:`harness.device` raises (a :class:`~harness.errors.HarnessError`).
- :func:`close_apps` on the way out, before the restore: Frida sessions flushed and detached (no
  helper left on the device), the apps the lab started stopped, logcat and the target's evidence
  kept in the run. It raises nothing: problems are said through ``lab.emit("cleanup", ...)``.
- :func:`report_restore`: the restore through the journal and one line on how it went.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.scenario.lab import Lab


def prepare_device(lab: Lab) -> None:
    """Facts, logcat, proxy, CA and (optionally) frida-server, in that order; sets ``lab.facts``,
    ``lab.proxy`` and ``lab.ca``."""
    from harness.device.cacert import install_ca
    from harness.device.facts import collect_facts, save_facts
    from harness.device.proxy import setup_proxy

    spec, capture = lab.spec, lab.capture
    assert capture.address is not None and capture.store is not None
    lab.facts = collect_facts(lab.device)
    save_facts(lab.facts, capture.store)
    f = lab.facts
    lab.emit("device", f"facts saved: {f.model} ({f.manufacturer}), Android {f.android_version}, region "
                       f"{f.miui_region}, root {f.root_method}; identifiers {', '.join(f.identifiers())}")
    lab.logs.start()
    lab.proxy = setup_proxy(lab.session, capture.address[1], device_port=spec.device_port,
                            lab_address=spec.lab_proxy)
    lab.emit("device", f"proxy {lab.proxy.device_address}"
             + (f" -> 127.0.0.1:{lab.proxy.host_port} via adb reverse" if lab.proxy.reverse else ""))
    lab.ca = install_ca(lab.session, capture.ca.cert.read_bytes(), spec.ca)
    if lab.ca is not None:
        lab.emit("device", f"harness CA {lab.ca.file_name} ({lab.ca.method}"
                 + (f", visible at {', '.join(lab.ca.verified_paths)})" if lab.ca.verified else ")"))
        if lab.ca.instructions:
            lab.emit("device", lab.ca.instructions)
    if spec.frida_server is not None:
        from harness.device.frida_server import deploy

        st = deploy(lab.session, spec.frida_server, check_answers=False)
        lab.emit("frida", f"frida-server {st.version} running (pid {', '.join(map(str, st.pids))})")


def close_apps(lab: Lab) -> None:
    """Detach Frida (no helper left behind), stop what the lab started, keep the evidence."""
    errors: list[str] = []
    for role, hook in list(lab.hooks.items()):
        try:
            with contextlib.suppress(HarnessError):
                hook.flush(timeout=5.0)
            hook.close()
        except Exception as exc:  # noqa: BLE001 - every hook must be closed
            errors.append(f"Frida session of {role}: {exc}")
    lab.hooks.clear()
    for package in list(lab.started):
        with contextlib.suppress(HarnessError):
            from harness.device import apps

            apps.force_stop(lab.device, package)
    lab.logs.close()
    store = lab.capture.store
    if store is not None:
        with contextlib.suppress(HarnessError, OSError):
            from harness.device import apps

            apps.save_logcat(lab.device, store)
        with contextlib.suppress(HarnessError, OSError):
            lab.attached.keep_evidence(store)
    for problem in errors:
        lab.emit("cleanup", problem)


def report_restore(lab: Lab, exc: BaseException | None) -> bool:
    """Restore through the journal and say how it went; sets ``lab.restore`` (a RestoreReport).
    When the device cannot be reached while another error (``exc``) is on its way out, that error
    is kept and the journal waits for ``harness restore`` (or the next session on the device) to
    restore it on reconnect; with no other error the restore's HarnessError is raised. Returns
    False (an exit callback that never swallows ``exc``)."""
    started = time.monotonic()
    try:
        report = lab.session.report if lab.session.report is not None else lab.session.restore()
    except HarnessError as failed:
        lab.restore_problem = failed.reason
        if exc is None:
            raise
        lab.emit("device", f"NOT restored ({failed.reason}); the journal is kept: run "
                           f"`harness restore --device {lab.serial}` once it is reconnected")
        return False
    lab.restore = report
    if report.ok:
        lab.emit("device", f"restored through the journal ({len(report.undone)} changes undone in "
                           f"{time.monotonic() - started:.1f}s); it matches the snapshot taken before the run")
    else:
        lab.emit("device", "NOT fully restored: " + "; ".join(report.lines())
                 + f" (run `harness restore --device {lab.serial}`)")
    return False


def restore_record(report: Any, serial: str, problem: str | None = None) -> dict[str, Any]:
    """The ``restore`` record of a findings document, the same for the demo and each ``harness run``
    lab: ``{"serial", "verified", "undone": N changes undone, "journal_kept", "report": [lines],
    "text"}``, ``text`` the one line reports show (:func:`harness.report.labels.restore_text`).
    ``report`` is the lab's :class:`~harness.device.restore.RestoreReport`, None when the device was
    not restored (``problem`` says why; the journal stays for ``harness restore``)."""
    from harness.report.labels import restore_text

    if report is None:
        record: dict[str, Any] = {"serial": serial, "verified": False, "undone": 0, "journal_kept": True,
                                  "report": [problem or "the lab ended before restoring"]}
    else:
        record = {"serial": serial, "verified": report.ok, "undone": len(report.undone),
                  "journal_kept": report.journal_kept, "report": report.lines()}
    return {**record, "text": restore_text(record)}
