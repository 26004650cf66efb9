#!/usr/bin/env bash
# Runs the whole suite again on PostgreSQL when one is reachable; says so and skips otherwise.
# Arguments are passed on to pytest (the Makefile passes its test workers).
set -euo pipefail
cd "$(dirname "$0")/.."
url="${CUNJU_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cunju}"
if .venv/bin/python - "$url" <<'PY'
import sys
import dj_database_url, psycopg
cfg = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                    password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
  echo "==> tests on PostgreSQL ($url)"
  CUNJU_DATABASE_URL="$url" .venv/bin/python -m pytest "$@"
else
  echo "==> skipping the PostgreSQL leg (no server reachable; set CUNJU_TEST_DATABASE_URL)"
fi
