#!/usr/bin/env bash
# Real-browser tests (browser_tests/): headless Chromium, driven by Playwright, opens each app in
# JupyterLab and in Voilà, clicks through it and checks verdicts, labels and the console.
# Installs what it needs: Debian's chromium (apt, when missing; Playwright's own download is not
# used), and secretslab with Playwright and Voilà into .venv. JupyterLab runs on a temporary copy
# of notebooks/ (nothing in the repository is written) and Voilà on apps/, each on a free
# localhost port. Screenshots go to $SECRETSLAB_SHOTS (default /tmp/secretslab-shots), with
# timings.json. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

took() { awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $1 }"; }
if [ ! -x /usr/bin/chromium ]; then
  sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
  start=$EPOCHREALTIME
  "${sudo[@]}" apt-get install -y -q chromium >/dev/null
  echo "browser: apt-get install chromium took $(took "$start") s"
fi
# VENV and INSTALL=0 are for a virtualenv managed elsewhere (its secretslab found on PYTHONPATH).
VENV=${VENV:-.venv}
if [ "${INSTALL:-1}" != 0 ]; then
  PYTHON=${PYTHON:-python3}
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  start=$EPOCHREALTIME
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[workshop,test,browser]"
  echo "browser: pip install took $(took "$start") s"
fi

export SECRETSLAB_SHOTS=${SECRETSLAB_SHOTS:-/tmp/secretslab-shots}
mkdir -p "$SECRETSLAB_SHOTS"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The notebooks read ../data: the lab root mirrors the tree's layout, on copies.
mkdir -p "$work/lab/notebooks" "$work/jupyter" "$work/runtime"
cp notebooks/*.ipynb "$work/lab/notebooks/"
ln -s "$ROOT/data" "$work/lab/data"
# Keep Jupyter's settings, workspaces and runtime files out of $HOME and the repository.
export JUPYTER_CONFIG_DIR="$work/jupyter" JUPYTER_RUNTIME_DIR="$work/runtime"
export JUPYTER_PATH="$ROOT/scripts/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

# Every cell in the DOM (no windowing: run-all and the apps are checked there) and no news toast.
settings="$work/jupyter/settings/@jupyterlab"
mkdir -p "$settings/notebook-extension" "$settings/apputils-extension"
echo '{"windowingMode": "none"}' >"$settings/notebook-extension/tracker.jupyterlab-settings"
echo '{"fetchNews": "false"}' >"$settings/apputils-extension/notification.jupyterlab-settings"

token=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
lab_port=$(free_port)
extra=(); [ "$(id -u)" = 0 ] && extra+=(--allow-root)
"$VENV/bin/jupyter" lab --no-browser "${extra[@]}" --ServerApp.ip=127.0.0.1 --ServerApp.port="$lab_port" \
  --ServerApp.port_retries=0 --IdentityProvider.token="$token" --ServerApp.root_dir="$work/lab" \
  --LabApp.workspaces_dir="$work/jupyter/workspaces" --LabApp.user_settings_dir="$work/jupyter/settings" \
  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
  >"$SECRETSLAB_SHOTS/jupyterlab.log" 2>&1 &
pids+=($!)
voila_port=$(free_port)
"$VENV/bin/voila" apps/ --no-browser --template=secretslab --Voila.ip=127.0.0.1 --port="$voila_port" \
  >"$SECRETSLAB_SHOTS/voila.log" 2>&1 &
pids+=($!)

export SECRETSLAB_LAB_URL="http://127.0.0.1:$lab_port" SECRETSLAB_LAB_TOKEN="$token"
export SECRETSLAB_VOILA_URL="http://127.0.0.1:$voila_port" SECRETSLAB_LAB_ROOT="$work/lab"
"$VENV/bin/python" - <<'PY' || { echo "browser: JupyterLab or Voilà did not start (logs in $SECRETSLAB_SHOTS)" >&2; exit 1; }
import os, time, urllib.request
urls = [f"{os.environ['SECRETSLAB_LAB_URL']}/api/status?token={os.environ['SECRETSLAB_LAB_TOKEN']}",
        f"{os.environ['SECRETSLAB_VOILA_URL']}/"]
deadline = time.monotonic() + 90
for url in urls:
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
PY
"$VENV/bin/python" -m pytest -p no:cacheprovider -q browser_tests "$@"
