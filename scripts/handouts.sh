#!/usr/bin/env bash
# Build the workshop handouts: execute every notebook and export it as one HTML file. The live
# apps need a kernel and their widget JavaScript comes from a CDN, so each app also leaves a static
# copy (its controls, result and figure) that the handout shows when the widget cannot load.
# Notebooks run on copies in an out-of-tree folder: notebooks/ is never written.
#   bash scripts/handouts.sh [OUTDIR] [NOTEBOOK...]     (default: $HANDOUTS_DIR or /tmp/secretslab-handouts)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# VENV and INSTALL=0 are for a virtualenv managed elsewhere (its secretslab found on PYTHONPATH).
VENV=${VENV:-.venv}
if [ "${INSTALL:-1}" != 0 ]; then
  PYTHON=${PYTHON:-python3}
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[workshop,test]"
fi

out=$(realpath -m "${1:-${HANDOUTS_DIR:-/tmp/secretslab-handouts}}")
shift || true
case "$out/" in "$ROOT/notebooks/"*) echo "handouts: refusing to write into notebooks/" >&2; exit 2;; esac
notebooks=("$@")
[ ${#notebooks[@]} -gt 0 ] || notebooks=(notebooks/*.ipynb)

# The notebooks read ../data/...: run them from a copy of the tree's layout.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/notebooks" "$out"
ln -s "$ROOT/data" "$work/data"
for notebook in "${notebooks[@]}"; do
  cp "$notebook" "$work/notebooks/"
  name=$(basename "$notebook" .ipynb)
  echo "handouts: $name"
  "$VENV/bin/jupyter" nbconvert --to html --execute --template-file "$ROOT/scripts/handout.html.j2" \
    --ExecutePreprocessor.timeout=600 --output-dir "$out" "$work/notebooks/$name.ipynb"
done
echo "handouts: HTML in $out"
