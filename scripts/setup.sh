#!/usr/bin/env bash
# Prepares a checkout to run: the virtualenv with pinned packages, the system packages the
# platform needs (LibreOffice, CJK fonts, Chromium for browser tests), and static files.
# Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
PY="${CUNJU_PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      PY="$candidate"; break
    fi
  done
fi
[ -n "$PY" ] || { echo "cunju needs Python >= 3.11" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi

stamp="$VENV/.requirements.sha256"
want="$(cat requirements.txt requirements-dev.txt requirements-data.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing pinned Python packages"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r requirements-data.txt
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi

# System packages: office conversion, Chinese glyphs, the browser for page tests.
missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)
# The UNO bridge keeps LibreOffice warm between conversions (without it: one-shot, slower).
if ! { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import uno' >/dev/null 2>&1; }; then
  missing+=(python3-uno)
fi
# Chinese glyphs in converted documents and drawn text pages (both families, as fallbacks).
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -q "WenQuanYi Zen Hei" || missing+=(fonts-wqy-zenhei)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "!! missing system packages: ${missing[*]}"
    echo "!! install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
    echo "!! continuing: office conversion and browser tests are disabled until then"
  fi
fi

mkdir -p "${CUNJU_DATA_DIR:-var}"
