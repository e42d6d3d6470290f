#!/usr/bin/env bash
# Build the documentation site, offline: the notebooks of notebooks/ executed as chapters, the API
# reference from the docstrings, the CLI reference from the command's parsers, the scenario format
# and the reason, finding and problem codes. Sphinx runs with -W: a warning, or a notebook cell
# that fails, fails the build. Nothing in the tree is written: docs/, notebooks/ and data/ are
# staged into a temporary folder, and the site replaces OUTDIR only once it is whole.
#   bash scripts/docs.sh [OUTDIR]          (default: $DOCS_DIR or /tmp/secretslab-docs)
# INSTALL=0 and VENV are for a virtualenv managed elsewhere, as in scripts/handouts.sh. While
# writing pages, SECRETSLAB_DOCS_EXECUTE=off skips running the notebooks, and =cache reuses their
# outputs until their code changes (from SECRETSLAB_DOCS_CACHE, default
# ${TMPDIR:-/tmp}/secretslab-docs-cache; a change to the package does not refresh it); the default
# runs every chapter, as the test command does. SECRETSLAB_DOCS_TIMEOUT bounds one cell (600 s).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

VENV=${VENV:-.venv}
if [ "${INSTALL:-1}" != 0 ]; then
  PYTHON=${PYTHON:-python3}
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  # workshop: what the chapters run (the notebooks' figures, apps and the AWS stand-in)
  "$VENV/bin/python" -m pip install --quiet -e ".[workshop,docs]"
fi

out=$(realpath -m "${1:-${DOCS_DIR:-/tmp/secretslab-docs}}")
MARK=.secretslab-docs  # left in every site this script builds: only such a folder is replaced
case "$out/" in
  "$ROOT/") echo "docs: refusing to write the site over the repository" >&2; exit 2;;
  "$ROOT"/docs/*|"$ROOT"/notebooks/*|"$ROOT"/data/*|"$ROOT"/secretslab/*)
    echo "docs: refusing to write into $out: it is part of the sources" >&2; exit 2;;
esac
if [ -e "$out" ] && [ ! -e "$out/$MARK" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "docs: $out exists and is not a site built by this script; give an empty or new folder" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/src
# Sphinx reads only its source folder: the pages of docs/, the notebooks as chapters and the
# scenario files beside them (the notebooks read ../data/...). Copies, so a notebook never writes
# into the tree.
mkdir -p "$src"
cp -R docs/. "$src/"
rm -rf "$src/_build"
mkdir -p "$src/notebooks"
cp notebooks/*.ipynb "$src/notebooks/"
[ ! -d data ] || cp -R data "$src/data"  # the notebooks may also load them by name

# The chapters run on a kernel of this environment, with this tree's package first on the path.
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export MPLBACKEND=Agg
export SECRETSLAB_DOCS_CACHE=${SECRETSLAB_DOCS_CACHE:-${TMPDIR:-/tmp}/secretslab-docs-cache}
start=$SECONDS
# -T: a chapter whose cell fails prints that cell and its traceback (the staged copy is named
# $src/notebooks/NN-name.ipynb: it is notebooks/NN-name.ipynb of the tree).
"$VENV/bin/python" -m sphinx -W --keep-going -n -q -T -b html \
  -d "$work/doctrees" -j "${DOCS_JOBS:-1}" "$src" "$work/html"

# The site is read offline: no page may load a script, a stylesheet or a font from elsewhere.
remote=$(grep -rlE "<(script|link)[^>]+(src|href)=\"(https?:)?//" "$work/html" --include='*.html' || true)
if [ -n "$remote" ]; then
  echo "docs: pages load assets from the network:" >&2
  echo "$remote" >&2
  exit 1
fi

# User pages cite AWS pages, never sections of the team's design notes (tests/test_no_section_refs.py
# holds the package's own text to the same rule); the developer notes may.
cited=$(grep -lE "§|semantics\.md|ambiguity A[0-9]" -r "$work/html" --include='*.html' \
  | grep -vE "/(architecture|deviations)\.html$" || true)
if [ -n "$cited" ]; then
  echo "docs: pages cite the design notes (give the AWS page instead):" >&2
  echo "$cited" >&2
  exit 1
fi

touch "$work/html/$MARK"
parent=$(dirname "$out")
mkdir -p "$parent"
staged=$(mktemp -d "$parent/.secretslab-docs.XXXXXX")
cp -R "$work/html/." "$staged/"
chmod 755 "$staged"
if [ -e "$out" ]; then
  old=$(mktemp -d "$parent/.secretslab-docs-old.XXXXXX")
  mv "$out" "$old/site"
  mv "$staged" "$out"
  rm -rf "$old"
else
  mv "$staged" "$out"
fi
pages=$(find "$out" -name '*.html' -not -path '*/_static/*' -not -name genindex.html -not -name search.html \
  -not -name py-modindex.html | wc -l)
echo "docs: $pages pages in $((SECONDS - start)) s; open $out/index.html"
