#!/usr/bin/env bash
# Install secretslab with Voilà into .venv and serve the apps (apps/*.ipynb) as standalone pages:
# only each app and its explanation, no code. Works offline: the page loads nothing from a CDN
# (template scripts/jupyter/voila/templates/secretslab). Open the address it prints and pick an
# app. Extra arguments go to Voilà (e.g. --port=8867).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[apps]"
# Voilà finds the template under $JUPYTER_PATH/voila/templates/.
export JUPYTER_PATH="$PWD/scripts/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
exec .venv/bin/voila apps/ --no-browser --template=secretslab --Voila.ip=127.0.0.1 \
  "$@"
