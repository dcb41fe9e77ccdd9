# eCabinet: two commands do all set-up on a fresh machine.
#   make run   - install, build the web app, migrate, seed the demo, serve on http://127.0.0.1:8000
#   make test  - install everything the tests need, then ruff, mypy and pytest (SQLite and PostgreSQL)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
APT_RUN := fonts-dejavu-core fonts-dejavu-extra fonts-liberation2
APT_TEST := $(APT_RUN) chromium poppler-utils softhsm2 nginx redis-server postgresql-client
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/package.json frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install install-test apt-run apt-test frontend api-types lint pytest pytest-sqlite pytest-postgres clean

run: install apt-run frontend
	ECABINET_DEMO_MODE=$${ECABINET_DEMO_MODE:-true} $(BIN)/ecabinet migrate
	ECABINET_DEMO_MODE=$${ECABINET_DEMO_MODE:-true} $(BIN)/ecabinet demo
	@echo "eCabinet: http://$(HOST):$(PORT)"
	ECABINET_DEMO_MODE=$${ECABINET_DEMO_MODE:-true} $(BIN)/ecabinet serve --host $(HOST) --port $(PORT)

test: install-test apt-test frontend lint pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian packages: installed only when missing (apt-get update only then, too).
apt-run:
	@missing=$$(for p in $(APT_RUN); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

apt-test:
	@missing=$$(for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run build

frontend: frontend/dist/index.html

# The web app's API types, generated from /api/v1/openapi.json (commit the result).
api-types: install frontend/node_modules/.package-lock.json
	$(BIN)/ecabinet openapi --typescript

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: pytest-sqlite pytest-postgres

pytest-sqlite: install-test
	ECABINET_TEST_DB=sqlite $(BIN)/pytest

# The same database-backed suites again on PostgreSQL (the store, demo, signing, compose and
# browser suites do not depend on the database and ran above).
pytest-postgres: install-test
	ECABINET_TEST_DB=postgres ECABINET_TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest \
		--ignore=tests/core/test_storage.py --ignore=tests/demo --ignore=tests/browser \
		--ignore=tests/signing --ignore=tests/test_compose.py

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .mypy_cache .ruff_cache .pytest_cache
