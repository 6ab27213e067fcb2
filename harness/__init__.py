"""Android interception test harness.

Layers (one subpackage each): ``device`` (ADB), ``instrument`` (Frida), ``capture`` (mitmproxy
and the run store), ``analysis`` (pandas frames and verdicts), ``scenario`` (scenario runner and
pytest plugin), ``report`` (findings and evidence), ``sim`` (the virtual handset) and ``cli``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("harness")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
