#!/usr/bin/env bash
# Install secretslab with its test and documentation tools into .venv, then run every check: lint,
# types, the import contract, notebooks without outputs, the documentation site (built with -W,
# its chapter notebooks executed; scripts/docs.sh), and all tests (unit, property, case tables,
# notebooks under nbval). Exit status is non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[workshop,test,docs]"

echo "== ruff";          .venv/bin/ruff check secretslab tests benchmarks browser_tests docs scripts
.venv/bin/ruff format --check --quiet secretslab tests benchmarks browser_tests docs scripts
echo "== mypy";          .venv/bin/mypy
echo "== import-linter"; .venv/bin/lint-imports
echo "== notebooks carry no outputs"; .venv/bin/nbstripout --verify notebooks/*.ipynb apps/*.ipynb
echo "== docs";          INSTALL=0 bash scripts/docs.sh "${DOCS_DIR:-/tmp/secretslab-docs}"
echo "== pytest"
.venv/bin/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider tests notebooks apps "$@"
