#!/usr/bin/env bash
# Install secretslab into .venv and open JupyterLab on the notebooks. Everything works offline on
# the bundled scenarios in data/. Extra arguments go to JupyterLab (e.g. --port 8899).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
# JupyterLab refuses to run as root without --allow-root (workshop machines often run as root).
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec .venv/bin/jupyter lab --notebook-dir=notebooks "${extra[@]}" "$@"
