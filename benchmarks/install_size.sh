#!/usr/bin/env bash
# What `pip install` costs: for the core (`pip install .`) and for the workshop (`.[workshop]`),
# a fresh virtualenv under a temporary folder, the wall time of the install (pip's cache is not
# used, as in a CI job without one), the size of site-packages and the number of distributions.
#   bash benchmarks/install_size.sh [TARGET...]     (default: "." ".[workshop]")
# Needs the network (PyPI). Prints one line per target; the figures go into benchmarks/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("." ".[workshop]")
work=$(mktemp -d "${TMPDIR:-/tmp}/secretslab-install-size.XXXXXX")
# setuptools builds in the tree (build/, *.egg-info): removed afterwards unless they were there
leftovers=()
for made in build secretslab.egg-info; do [ -e "$made" ] || leftovers+=("$ROOT/$made"); done
trap 'rm -rf "$work" "${leftovers[@]}"' EXIT

echo "python: $("$PYTHON" -V 2>&1)"
for target in "${targets[@]}"; do
  venv="$work/venv"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --no-cache-dir --upgrade pip
  site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  count0=$("$venv/bin/python" -m pip list --format=freeze | wc -l)
  kb0=$(du -sk "$site" | cut -f1)
  start=$EPOCHREALTIME
  (cd "$ROOT" && "$venv/bin/python" -m pip install --quiet --no-cache-dir "$target") 2>"$work/pip.log" \
    || { cat "$work/pip.log" >&2; exit 1; }
  seconds=$(awk "BEGIN { printf \"%.0f\", $EPOCHREALTIME - $start }")
  count=$("$venv/bin/python" -m pip list --format=freeze | wc -l)
  kb=$(du -sk "$site" | cut -f1)
  echo "pip install $target: ${seconds} s; site-packages $(du -sh "$site" | cut -f1)," \
    "$((count - count0)) distributions and $(((kb - kb0) / 1024)) MB more than the fresh venv's" \
    "($count0 distributions, $((kb0 / 1024)) MB: pip and setuptools); pip list | wc -l: $((count + 2))"
done
