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
echo "setup.sh: ready (.venv, $(.venv/bin/python --version))"
