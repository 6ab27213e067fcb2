"""Android interception test harness.

Layers (one subpackage each): ``device`` (ADB), ``instrument`` (Frida), ``capture`` (mitmproxy
and the run store), ``analysis`` (pandas frames and verdicts), ``scenario`` (scenario runner and
pytest plugin), ``report`` (findings and evidence), ``sim`` (the virtual handset) and ``cli``.

``__version__`` is read from the installed package's metadata on first use (importing
``importlib.metadata`` costs a tenth of a second: the ``harness`` command installs its signal
handlers first, docs/lab-guide.md "Scripted labs and signals").
"""

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    if name != "__version__":
        raise AttributeError(f"module 'harness' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("harness")
    except PackageNotFoundError:  # running from a source tree that is not installed
        value = "0.1.0"
    globals()["__version__"] = value
    return value
