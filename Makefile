# The two commands of the README's Quick start: `make demo` and `make test`.
VENV := .venv
CUNJU := $(VENV)/bin/cunju
PYTHON := $(VENV)/bin/python
export CUNJU_DATA_DIR ?= $(CURDIR)/var
# Test workers per database (pytest-xdist; "auto": one per core, 0: none). The demo's tests
# stay on one worker so that the demo is loaded once per run (tests/conftest.py).
TEST_WORKERS ?= auto
PYTEST_WORKERS := -n $(TEST_WORKERS) --dist loadgroup

.PHONY: setup demo serve test lint fix check pytest pytest-postgres messages

setup:
	@scripts/setup.sh

demo: setup
	$(CUNJU) migrate --no-input -v 0
	$(CUNJU) demo --if-empty
	$(CUNJU) collectstatic --no-input -v 0
	$(CUNJU) serve --banner

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fix:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check:
	$(CUNJU) check --fail-level WARNING
	$(CUNJU) makemigrations --check --dry-run

pytest:
	@echo "==> tests on SQLite"
	env -u CUNJU_DATABASE_URL $(PYTHON) -m pytest $(PYTEST_WORKERS)

pytest-postgres:
	@scripts/test-postgres.sh $(PYTEST_WORKERS)

test: setup lint check pytest pytest-postgres

messages:
	cd cunju && ../$(CUNJU) makemessages -l zh_Hans --no-obsolete --no-location -i settings_test.py
	cd cunju && ../$(CUNJU) compilemessages -l zh_Hans
