#!/usr/bin/env bash
# Install what the harness, its demo and its tests need on a fresh Debian-based machine.
# Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v javac >/dev/null 2>&1 && javac -version 2>&1 | grep -q ' 17\.' || need_apt+=(openjdk-17-jdk-headless)
[ -f /usr/share/java/okhttp.jar ] || need_apt+=(libokhttp-java)
[ -f /usr/share/java/com.android.json.jar ] || need_apt+=(libandroid-json-java)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "setup: installing Debian packages: ${need_apt[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if ! $PY -c 'import harness, mitmproxy, frida, adbutils, pytest, xdist' >/dev/null 2>&1 \
   || [ pyproject.toml -nt .setup-stamp ]; then
    echo "setup: installing Python packages (pip install -e '.[test]')"
    $PY -m pip install -q --disable-pip-version-check -e '.[test]'
    touch .setup-stamp
fi

# Frida agents: node is only needed to rebuild bundles (the compiled bundles ship in the package).
if [ -f agents/package-lock.json ] && command -v npm >/dev/null 2>&1 && [ ! -d agents/node_modules ]; then
    echo "setup: installing agent build dependencies (npm ci in agents/)"
    (cd agents && npm ci --silent --no-audit --no-fund) || echo "setup: npm ci failed; agent rebuild tests will be skipped"
fi
