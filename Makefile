# The two commands of the README's Quick start: `make demo` and `make test`.
VENV := .venv
CUNJU := $(VENV)/bin/cunju
PYTHON := $(VENV)/bin/python
export CUNJU_DATA_DIR ?= $(CURDIR)/var

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
	env -u CUNJU_DATABASE_URL $(PYTHON) -m pytest

pytest-postgres:
	@scripts/test-postgres.sh

test: setup lint check pytest pytest-postgres

messages:
	cd cunju && ../$(CUNJU) makemessages -l zh_Hans --no-obsolete --no-location -i settings_test.py
	cd cunju && ../$(CUNJU) compilemessages -l zh_Hans
