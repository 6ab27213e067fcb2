"""Bounded waits around Frida calls: nothing the instrument layer does may block forever."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import frida

from harness.errors import InstrumentError

T = TypeVar("T")


def with_cancel(fn: Callable[..., T], timeout: float, what: str, *, serial: str | None = None) -> T:
    """Call a blocking Frida API, cancelling it after ``timeout`` seconds (Frida 17 takes the
    cancellable from the calling thread's context: ``with cancellable: ...``)."""
    cancellable = frida.Cancellable()
    timer = threading.Timer(timeout, cancellable.cancel)
    timer.daemon = True
    timer.start()
    try:
        with cancellable:
            return fn()
    except frida.OperationCancelledError:
        raise InstrumentError(
            f"no answer within {timeout:g}s", attempted=what, serial=serial,
            fix="check that the process is alive and not stopped (SIGSTOP, debugger)",
        ) from None
    finally:
        timer.cancel()


def in_thread(fn: Callable[[], T], timeout: float, what: str, *, serial: str | None = None) -> T:
    """Run a blocking call that has no cancellation (Frida RPC) in a helper thread, waiting at most ``timeout``.

    A call that times out keeps its helper thread until the script is unloaded or the session
    detaches (Frida then fails every pending RPC), so it never outlives the session.
    """
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name=f"frida-call:{what}", daemon=True).start()
    if not done.wait(timeout):
        raise InstrumentError(
            f"no answer within {timeout:g}s", attempted=what, serial=serial,
            fix="the agent or the app is blocked; raise the timeout or check the app",
        )
    if "error" in box:
        raise box["error"]
    return box["value"]
