#!/usr/bin/env bash
# Set up Placesim from a clean checkout: a Python 3.12 virtualenv with the package
# and its dev tools. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

# Python 3.12+ (Mesa 3.5 needs it). .python-version pins pyenv's 3.12.1 if present.
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3 python3.12 python3.13; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      PYTHON=$candidate; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "setup.sh: Python 3.12 or newer is needed (set PYTHON=/path/to/python3.12)" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
# An editable install leaves the package's own modules without bytecode; Python writes
# it at their first import, unless PYTHONDONTWRITEBYTECODE is set (as on some CI hosts),
# when every process would compile all of sim/ again: about 0.1 s of each start.
.venv/bin/python -m compileall -q -j 0 sim >/dev/null

# The workshop dashboard's browser test drives Debian's Chromium through Playwright
# (Playwright's own browser download needs more than the package registries).
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  :
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup.sh: installing Chromium (apt-get) for the dashboard's browser test"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "setup.sh: Chromium not found and not root: the dashboard's browser tests will be" \
       "skipped (install it with: sudo apt-get install chromium)"
fi

# The dashboard's privacy test traces the server's connections with strace.
if ! command -v strace >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup.sh: installing strace (apt-get) for the dashboard's privacy test"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null; }
  else
    echo "setup.sh: strace not found and not root: the dashboard's privacy test will be" \
         "skipped (install it with: sudo apt-get install strace)"
  fi
fi

# The dashboard serves every script, stylesheet and font itself (workshop rooms often
# have no internet): fill Solara's asset cache from the npm registry, once.
.venv/bin/python -m sim.dashboard_assets >/dev/null || {
  echo "setup.sh: could not fill the dashboard's asset cache from the npm registry;" \
       "run .venv/bin/python -m sim.dashboard_assets to see why" >&2
  exit 1
}
echo "setup.sh: ready (.venv, $(.venv/bin/python --version))"
