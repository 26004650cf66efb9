#!/usr/bin/env bash
# While the library, points and notices apps are young, their first migration is regenerated
# from the models rather than stacked; hand-written later migrations (0002_…) are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
apps=(library points notices)
tmp="$(mktemp -d)"
for app in "${apps[@]}"; do
  dir="cunju/$app/migrations"
  mkdir -p "$tmp/$app"
  find "$dir" -maxdepth 1 -name '0*.py' ! -name '0001_initial.py' -exec mv {} "$tmp/$app/" \;
  rm -f "$dir/0001_initial.py"
done
.venv/bin/python -m cunju makemigrations "${apps[@]}" --name initial >/dev/null
for app in "${apps[@]}"; do
  mv "$tmp/$app"/*.py "cunju/$app/migrations/" 2>/dev/null || true
done
rm -rf "$tmp"
.venv/bin/python -m cunju makemigrations --check --dry-run >/dev/null && echo "migrations up to date"
