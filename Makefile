# Linke: two commands. `make run` serves the embedded default; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

# The test environment: PostgreSQL and Redis on loopback (scripts/ensure-services.sh
# starts or installs them when they are not up).
# TEST_DB names the database (its test copies get a test_ prefix), so two checkouts on one
# machine can run their suites at once.
TEST_DB ?= linke
TEST_ENV := DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/$(TEST_DB) \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	CELERY_TASK_ALWAYS_EAGER=1 \
	LINKE_VAR_DIR=$(CURDIR)/var/test \
	STATIC_MANIFEST=0 \
	AXES_FAILURE_LIMIT=5 \
	CONN_MAX_AGE=0
# CONN_MAX_AGE=0: tests close database connections after each request (a live-server thread
# kept alive by a test's HTTP session would otherwise hold the test database open at
# teardown); benchmarks measure with persistent connections, as served (see `bench`).
PYTEST_WORKERS ?= 4

.PHONY: run test venv deps-run deps-test services migrate lint bench clean

$(VENV)/bin/activate:
	@bash scripts/ensure-system-packages.sh run
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements-dev.txt
	touch $@

deps-run: $(VENV)/.run-deps
	@bash scripts/ensure-system-packages.sh run

deps-test: $(VENV)/.test-deps
	@bash scripts/ensure-system-packages.sh test

services:
	@bash scripts/ensure-services.sh

run: deps-run
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: deps-test services
	rm -rf var/test && mkdir -p var/test
	$(TEST_ENV) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Benchmarks, run by hand (never in the suite): each prints figures and ratios against a
# baseline measured in the same run. `make bench BENCH=ingest` runs one; BENCH_ARGS are its options.
BENCH ?= audit pages deadlines documents ingest
bench: deps-test services
	@for b in $(BENCH); do echo "== bench/$$b.py"; $(TEST_ENV) CONN_MAX_AGE=60 $(PY) bench/$$b.py $(BENCH_ARGS) || exit 1; done

# Lint: ruff (lint + format check), mypy with django-stubs, and no model change without its migration.
lint: deps-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 LINKE_VAR_DIR=$(CURDIR)/var/lint $(VENV)/bin/mypy .
	DEBUG=1 LINKE_VAR_DIR=$(CURDIR)/var/lint $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var staticfiles
