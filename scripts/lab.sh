#!/usr/bin/env bash
# Install secretslab into .venv and open JupyterLab on your own copies of the notebooks (lab/).
# Installs secretslab[workshop] (notebooks, figures, apps, the AWS stand-in). Everything works
# offline on the bundled scenarios in data/. Extra arguments go to JupyterLab
# (e.g. --port 8899).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[workshop]"
# Work happens in lab/ (ignored by git): a copy of each notebook (and of the scenarios in lab/data/),
# made once and never overwritten, so what an attendee types and runs is kept between sessions, and
# notebooks/ stays as committed (without outputs), which the README's test command checks. Delete a
# copy to start it afresh. `secretslab notebooks DIR` does the same for a pip-installed secretslab.
.venv/bin/secretslab notebooks lab | tail -n 1  # the files it kept are the attendees' work
echo "secretslab: your notebooks are in lab/ (copies of notebooks/; delete one to start it afresh)"
# JupyterLab refuses to run as root without --allow-root (workshop machines often run as root).
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec .venv/bin/jupyter lab --notebook-dir=lab "${extra[@]}" "$@"
